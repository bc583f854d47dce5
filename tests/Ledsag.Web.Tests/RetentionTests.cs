using System.Net;
using System.Net.Http.Json;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>Anonymisation after the retention period: what identifies the citizen goes, what must be kept stays.</summary>
public sealed class RetentionTests(SqliteFactory factory) : IClassFixture<SqliteFactory>
{
    [Fact]
    public async Task ACitizenWhoseSchemeEndedFiveYearsAgo_IsAnonymised_TheHoursDecisionsAndAuditStay_ARecentOneIsUntouched()
    {
        var client = await factory.SignedIn("lejre", Role.Caseworker);
        var old = (await client.Post("/api/citizens", new { cpr = "090961-3316", name = "Gammel Gerda", address = "Mosevej 1", phone = "12345678" }, HttpStatusCode.Created)).Id();
        var oldCase = (await client.Post("/api/cases", new { citizenId = old, receivedOn = "2019-01-02", channel = "brev" }, HttpStatusCode.Created)).Id();
        await client.Post($"/api/cases/{oldCase}/conversation", new { on = "2019-01-10", note = "Gerda fortæller om sin sklerose." });
        await client.Post($"/api/cases/{oldCase}/assessment", new { assessedOn = "2019-01-15", facts = new { } });
        var grant = (await client.Post($"/api/cases/{oldCase}/decision",
            new { decidedOn = "2019-01-20", outcome = "grant", start = "2019-02-01" })).Id("grantId");
        await client.Post($"/api/grants/{grant}/sessions", new { date = "2019-03-05", hours = 2, activity = "cinema" }, HttpStatusCode.Created);
        var wrong = (await client.Post($"/api/grants/{grant}/sessions", new { date = "2019-03-06", hours = 1, activity = "cinema" }, HttpStatusCode.Created)).GetProperty("session").Id();
        await client.Post($"/api/grants/{grant}/sessions/{wrong}/reverse", new { reason = "Gerda var indlagt med et sklerose-attak" }, HttpStatusCode.Created);
        // A detail as older versions wrote it (the reason copied into the log), and a paid subsidy in a stored payment file.
        await factory.WithDb(async db =>
        {
            var audit = factory.Services.GetRequiredService<AuditLog>();
            audit.Add(db, null, "conversation", "case", oldCase.ToString(), "Gerda (090961-3316) fortæller om sin sklerose.");
            await audit.SaveAsync(db);
            return 0;
        });
        await (await factory.SignedIn("lejre", Role.Administrator)).Post("/api/admin/subsidy-rates", new { year = 2019, amount = 890m, source = "Satstabel 2019" }, HttpStatusCode.Created);
        var claim = (await client.Post("/api/subsidy-claims", new { citizenId = old, year = 2019, expenses = new[] { new { date = "2019-05-01", what = "Biograf", amount = 200m } } }, HttpStatusCode.Created)).Id();
        await client.Post($"/api/subsidy-claims/{claim}/decide", new { approve = true });
        var payments = await (await factory.SignedIn("lejre", Role.Finance)).PostAsJsonAsync("/api/finance/subsidy-payments", new { year = 2019 });
        (await payments.Content.ReadAsStringAsync()).ShouldContain("0909613316;Gammel Gerda;200,00");
        await client.Post($"/api/grants/{grant}/end", new { endOn = "2020-12-31", reason = "moved" }); // a grant is not time-limited: it ended when Gerda moved
        var recent = (await client.Post("/api/citizens", new { cpr = "101070-2226", name = "Ny Niels" }, HttpStatusCode.Created)).Id();
        await client.Post("/api/cases", new { citizenId = recent, receivedOn = "2026-05-02", channel = "brev" }, HttpStatusCode.Created);

        var connection = factory.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["ConnectionStrings:Ledsag"]!;
        var dry = CliRunner.Run("privacy", "anonymise", "--as-of", "2026-06-15", "--connection", connection);
        dry.Exit.ShouldBe(0, dry.Err);
        dry.Out.ShouldContain(old.ToString());
        dry.Out.ShouldNotContain(recent.ToString());
        (await factory.WithDb(db => db.Citizens.CountAsync(c => c.Name == "Gammel Gerda"))).ShouldBe(1); // a dry run changes nothing

        var applied = CliRunner.Run("privacy", "anonymise", "--as-of", "2026-06-15", "--apply", "--connection", connection);
        applied.Exit.ShouldBe(0, applied.Err);
        applied.Out.ShouldContain("Anonymiserede 1 borger");
        await factory.WithDb(async db =>
        {
            var c = await db.Citizens.AsNoTracking().FirstAsync(x => x.Id == old);
            c.Name.ShouldBe("Anonymiseret borger");
            c.Cpr.ShouldNotContain("090961");
            c.Address.ShouldBeNull();
            c.Phone.ShouldBeNull();
            c.BirthDate.ShouldBe(new NodaTime.LocalDate(1961, 1, 1));
            (await db.CaseSteps.Where(s => s.CaseId == oldCase).Select(s => s.DataJson).ToListAsync()).ShouldAllBe(j => !j.Contains("sklerose"));
            (await db.Sessions.CountAsync(s => s.GrantId == grant)).ShouldBe(3); // the hours stay
            (await db.Grants.CountAsync(g => g.Id == grant)).ShouldBe(1);
            (await db.Citizens.AsNoTracking().FirstAsync(x => x.Id == recent)).Name.ShouldBe("Ny Niels");
            (await factory.Services.GetRequiredService<AuditLog>().VerifyAsync(db)).Problem.ShouldBeNull(); // details erased, chain intact
            (await db.Audit.Where(a => a.Detail != null).Select(a => a.Detail!).ToListAsync()).ShouldAllBe(d => !d.Contains("090961") && !d.Contains("sklerose"));
            (await db.Sessions.Where(x => x.GrantId == grant && x.Reason != null).Select(x => x.Reason!).ToListAsync()).ShouldAllBe(r => !r.Contains("sklerose"));
            (await db.Exports.Select(e => e.Content).ToListAsync()).ShouldAllBe(t => !t.Contains("0909613316") && !t.Contains("Gammel Gerda"));
            (await db.Audit.CountAsync(a => a.Action == "anonymise" && a.EntityId == old.ToString())).ShouldBe(1);
            return 0;
        });
        CliRunner.Run("privacy", "anonymise", "--as-of", "2026-06-15", "--apply", "--connection", connection).Out.ShouldContain("Anonymiserede 0 borger");
        CliRunner.Run("privacy", "anonymise", "--as-of", "15-06-2026", "--connection", connection).Exit.ShouldBe(2);
        Summary.Line("Retention: a citizen 5 years past their last activity is anonymised (name, CPR, contact, notes, letters, receipts, reversal reasons, payment files, audit details) with hours, decisions and the audit chain kept; a recent citizen is untouched");
    }
}
