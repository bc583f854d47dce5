using System.Net;
using System.Net.Http.Json;
using Ledsag.Web.Data;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>
/// The cash grant (SEL § 97 stk. 5; BEK § 11) where the standard offers it, stays abroad (udlandsbekendtgørelsen),
/// the companion rules (relation declaration per companion and citizen, the employer rule, providers as entities)
/// over HTTP; the same journeys on SQLite and PostgreSQL. The test clock stands at 15 June 2026.
/// </summary>
public abstract class CashGrantAndStayTests(LedsagFactory factory)
{
    private static int _serial;

    private static string NextCpr()
    {
        var n = Interlocked.Increment(ref _serial);
        return $"2207{60 + (n % 35):00}-{3000 + (n * 11 % 2999)}";
    }

    private async Task<(HttpClient Caseworker, Guid Citizen, Guid Grant)> Granted(string m, string start = "2026-01-01")
    {
        var client = await factory.SignedIn(m, Role.Caseworker);
        var citizenId = (await client.Post("/api/citizens", new { cpr = NextCpr(), name = "Karen Kontant", address = "Vej 1, 2750 Ballerup" }, HttpStatusCode.Created)).Id();
        var first = NodaTime.Text.LocalDatePattern.Iso.Parse(start).Value;
        var id = (await client.Post("/api/cases", new { citizenId, receivedOn = first.PlusDays(-40).ToString("yyyy-MM-dd", null), channel = "telefon" }, HttpStatusCode.Created)).Id();
        await client.Post($"/api/cases/{id}/assessment", new { assessedOn = first.PlusDays(-30).ToString("yyyy-MM-dd", null), facts = new { } });
        await client.Consult(id, first.PlusDays(-20).ToString("yyyy-MM-dd", null));
        var grant = (await client.Post($"/api/cases/{id}/decision", new { decidedOn = first.PlusDays(-7).ToString("yyyy-MM-dd", null), outcome = "grant", start })).Id("grantId");
        return (client, citizenId, grant);
    }

    private async Task<(HttpClient Coordinator, Guid Companion)> Approved(string m, object body)
    {
        var coordinator = await factory.SignedIn(m, Role.Coordinator);
        var id = (await coordinator.Post("/api/companions", body, HttpStatusCode.Created)).Id();
        await coordinator.Post($"/api/companions/{id}/criminal-record", new { date = "2026-05-01", clean = true });
        await coordinator.Post($"/api/companions/{id}/approve", new { });
        return (coordinator, id);
    }

    [Fact]
    public async Task CashGrant_ChosenByTheCitizen_PaidQuarterlyOnceAtTheCappedRate_WithAYearlyStatement()
    {
        var (caseworker, citizen, grant) = await Granted("ballerup");
        // Only where the standard offers it, and only when the citizen can administer it.
        var (hCaseworker, _, hGrant) = await Granted("haderslev");
        (await hCaseworker.Post($"/api/grants/{hGrant}/cash-grant", new { chosenOn = "2026-04-01", canAdminister = true, assessment = "Kan selv." }, HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("chosenOn")[0].GetString()!.ShouldContain("tilbyder ikke kontant tilskud");
        (await caseworker.Post($"/api/grants/{grant}/cash-grant", new { chosenOn = "2026-04-01", canAdminister = false, assessment = "Kan ikke ansætte." }, HttpStatusCode.BadRequest))
            .GetProperty("errors").TryGetProperty("canAdminister", out _).ShouldBeTrue();
        var (coordinator, municipal) = await Approved("ballerup", new { name = "Kommunens Ledsager" });
        await coordinator.Post($"/api/companions/{municipal}/employ", new { });
        await coordinator.AssignCompanion(grant, municipal, "2026-01-01");
        (await caseworker.Post($"/api/grants/{grant}/cash-grant", new { chosenOn = "2026-04-01", canAdminister = true, assessment = "Borgeren har selv haft ansatte og kan føre regnskab." }))
            .Str("form").ShouldBe("cash");
        // The municipality's companion stops with the choice: hours with them after it would be paid twice.
        (await factory.WithDb(db => Task.FromResult(db.Assignments.Single(a => a.CompanionId == municipal && a.CitizenId == citizen).EndedOn)))
            .ShouldBe(new NodaTime.LocalDate(2026, 4, 1));
        (await caseworker.Post($"/api/grants/{grant}/sessions", new { date = "2026-06-02", start = "10:00", end = "11:00", activity = "cinema", companionId = municipal }, HttpStatusCode.BadRequest))
            .GetProperty("errors").TryGetProperty("companionId", out _).ShouldBeTrue();

        var finance = await factory.SignedIn("ballerup", Role.Finance);
        // No amount entered: an error that names it, never a guess.
        var missing = await finance.Post("/api/cash-grants/payments", new { year = 2026, quarter = 2 }, HttpStatusCode.UnprocessableEntity);
        missing.GetProperty("errors").GetProperty("year")[0].GetString()!.ShouldContain("Timebeløb for kontant tilskud 2026 mangler");
        var admin = await factory.SignedIn("ballerup", Role.Administrator);
        (await admin.Post("/api/admin/cash-grant-rates", new { year = 2026, hourlyAmount = 0.001m, ownCostPerHour = 152.255m, source = "x" }, HttpStatusCode.BadRequest))
            .GetProperty("errors").EnumerateObject().Select(e => e.Name).Order().ShouldBe(["hourlyAmount", "ownCostPerHour"]);
        await admin.Post("/api/admin/cash-grant-rates", new { year = 2026, hourlyAmount = 16.55m, ownCostPerHour = 152.25m, source = "Ballerup Kommunes takstblad 2026 (test)" }, HttpStatusCode.Created);
        // Typed wrong: corrected until something is paid at it.
        await admin.Post("/api/admin/cash-grant-rates", new { year = 2026, hourlyAmount = 165.50m, ownCostPerHour = 152.25m, source = "Ballerup Kommunes takstblad 2026 (test)" });
        // Paid in advance, but not a quarter that lies months ahead.
        (await finance.Post("/api/cash-grants/payments", new { year = 2026, quarter = 4 }, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("quarter", out _).ShouldBeTrue();

        // Twenty runs at once: the quarter is paid once, at the capped rate (45 hours × 152,25 = 6.851,25 kr.).
        var runs = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => finance.PostAsJsonAsync("/api/cash-grants/payments", new { year = 2026, quarter = 2 })));
        runs.ShouldAllBe(r => r.StatusCode == HttpStatusCode.OK);
        var texts = await Task.WhenAll(runs.Select(r => r.Content.ReadAsStringAsync()));
        texts.Count(t => t.Contains("Karen Kontant", StringComparison.Ordinal)).ShouldBe(1);
        var paid = await factory.WithDb(db => Task.FromResult(db.CashGrantPayments.Where(p => p.GrantId == grant).ToList()));
        paid.Count.ShouldBe(1);
        (paid[0].Hours, paid[0].Rate, paid[0].Amount).ShouldBe((45m, 152.25m, 6851.25m));
        (await admin.Post("/api/admin/cash-grant-rates", new { year = 2026, hourlyAmount = 170m, ownCostPerHour = 160m, source = "for sent" }, HttpStatusCode.Conflict)).Str("code").ShouldBe("RATE_IN_USE");

        var statement = await (await finance.GetAsync("/api/cash-grants/statement?year=2026")).Content.ReadAsStringAsync();
        var row = Infrastructure.Exports.ReadCsv(statement).Single(r => r.Contains("Karen Kontant"));
        row.ShouldContain("6851,25");
        var xlsx = await finance.GetAsync("/api/cash-grants/statement?year=2026&format=xlsx");
        xlsx.Content.Headers.ContentType!.MediaType.ShouldBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        (await finance.GetAsync("/api/cash-grants/statement?year=2026&format=pdf")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        // The citizen employs the companion: a municipality's companion is refused, one the citizen employs is assigned.
        (await coordinator.Post($"/api/grants/{grant}/companions", new { companionId = municipal, from = "2026-06-01" }, HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("companionId")[0].GetString()!.ShouldContain("ansætter selv");
        var (_, own) = await Approved("ballerup", new { name = "Borgerens Egen Ledsager", employer = "cash_grant" });
        await coordinator.Post($"/api/companions/{own}/employ", new { });
        await coordinator.AssignCompanion(grant, own, "2026-06-01");
        // Hours used draw on the same ledger (saved and lapsed as hours); the citizen pays this companion, not the payroll.
        var companion = await factory.SignedIn("ballerup", Role.Companion, companionId: own);
        var session = (await companion.Post($"/api/grants/{grant}/sessions", new { date = "2026-06-10", start = "10:00", end = "12:00", activity = "cinema" }, HttpStatusCode.Created));
        session.GetProperty("balance").GetProperty("available").GetDecimal().ShouldBe(13m);
        await caseworker.Post($"/api/grants/{grant}/sessions/{session.GetProperty("session").Id()}/confirm", new { onBehalf = true, note = "Telefonisk" });
        var payroll = await (await finance.PostAsJsonAsync("/api/finance/payroll-exports", new { period = "2026-06" })).Content.ReadAsStringAsync();
        payroll.ShouldStartWith("ledsager_id;");
        payroll.ShouldNotContain("Borgerens Egen Ledsager");

        // Brønderslev offers it too.
        var (bCaseworker, _, bGrant) = await Granted("bronderslev");
        (await bCaseworker.Post($"/api/grants/{bGrant}/cash-grant", new { chosenOn = "2026-05-01", canAdminister = true, assessment = "Kan selv." })).Str("form").ShouldBe("cash");
    }

    [Fact]
    public async Task StaysAbroad_UpToAMonthOnNotice_LongerOnlyWhenApprovedBeforeLeaving_SessionsMarkedOrRefused()
    {
        var (caseworker, citizenId, grant) = await Granted("ballerup");
        var citizen = await factory.SignedIn("ballerup", Role.Citizen, citizenId: citizenId);
        // The citizen gives notice today: a stay that began before today was not notified before leaving.
        (await citizen.Post($"/api/grants/{grant}/stays-abroad", new { from = "2026-06-10", to = "2026-06-20", country = "Sverige" }, HttpStatusCode.BadRequest))
            .GetProperty("errors").TryGetProperty("notifiedOn", out _).ShouldBeTrue();
        (await citizen.Post($"/api/grants/{grant}/stays-abroad", new { from = "2026-07-01", to = "2026-07-20", country = "Sverige" }, HttpStatusCode.Created)).Str("status").ShouldBe("notified");
        (await citizen.Post($"/api/grants/{grant}/stays-abroad", new { from = "2026-07-15", to = "2026-07-25", country = "Norge" }, HttpStatusCode.Conflict)).Str("code").ShouldBe("STAY_OVERLAPS");
        // Stays that follow on from each other are one stay: the second makes it more than a month, so it is an application.
        (await citizen.Post($"/api/grants/{grant}/stays-abroad", new { from = "2026-07-21", to = "2026-08-10", country = "Norge" }, HttpStatusCode.Created)).Str("status").ShouldBe("applied");

        // Notice given by phone before leaving, recorded by the caseworker afterwards: a short stay, sessions marked abroad.
        await caseworker.Post($"/api/grants/{grant}/stays-abroad", new { from = "2026-05-10", to = "2026-05-25", country = "Spanien", notifiedOn = "2026-05-01" }, HttpStatusCode.Created);
        var abroad = await caseworker.Post($"/api/grants/{grant}/sessions", new { date = "2026-05-12", hours = 3, activity = "culture", abroad = true }, HttpStatusCode.Created);
        abroad.GetProperty("session").GetProperty("abroad").GetBoolean().ShouldBeTrue();
        // Abroad without any notice: refused, naming the field.
        (await caseworker.Post($"/api/grants/{grant}/sessions", new { date = "2026-05-02", hours = 1, activity = "culture", abroad = true }, HttpStatusCode.UnprocessableEntity))
            .Str("code").ShouldBe("STAY_ABROAD_NOT_NOTIFIED");

        // Over a month: an application, decided before leaving; until then sessions abroad are refused with the reason.
        var stay = await caseworker.Post($"/api/grants/{grant}/stays-abroad", new { from = "2026-03-01", to = "2026-04-15", country = "Thailand", notifiedOn = "2026-02-01" }, HttpStatusCode.Created);
        stay.Str("status").ShouldBe("applied");
        var refused = await caseworker.Post($"/api/grants/{grant}/sessions", new { date = "2026-03-10", hours = 2, activity = "culture" }, HttpStatusCode.UnprocessableEntity);
        refused.Str("code").ShouldBe("STAY_ABROAD_NOT_APPROVED");
        refused.GetProperty("errors").TryGetProperty("date", out _).ShouldBeTrue();
        (await caseworker.Post($"/api/grants/{grant}/sessions", new { date = "2026-03-10", hours = 2, activity = "culture", abroad = false }, HttpStatusCode.Created))
            .GetProperty("session").GetProperty("abroad").GetBoolean().ShouldBeFalse();
        (await caseworker.Post($"/api/stays-abroad/{stay.Id()}/decision", new { approve = true, decidedOn = "2026-03-05" }, HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("decidedOn")[0].GetString()!.ShouldContain("før udrejsen");
        (await caseworker.Post($"/api/stays-abroad/{stay.Id()}/decision", new { approve = true, decidedOn = "2026-01-15" }, HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("decidedOn")[0].GetString()!.ShouldContain("før ansøgningen kom");
        // Twenty decisions at once: one decision, one letter.
        var decisions = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            caseworker.PostAsJsonAsync($"/api/stays-abroad/{stay.Id()}/decision", new { approve = true, decidedOn = "2026-02-20", note = "Opholdet er midlertidigt." })));
        decisions.Count(d => d.StatusCode == HttpStatusCode.OK).ShouldBe(1);
        decisions.Where(d => d.StatusCode != HttpStatusCode.OK).ShouldAllBe(d => d.StatusCode == HttpStatusCode.Conflict);
        var letters = (await caseworker.Get($"/api/letters?citizenId={citizenId}")).EnumerateArray().Where(l => l.Str("kind") == "stay_abroad_decision").ToList();
        letters.Count.ShouldBe(1);
        var pdf = await caseworker.GetByteArrayAsync(letters[0].Str("pdf"));
        LetterStandardTests.WriteSample("stay_abroad_decision", pdf);
        var text = string.Join(' ', LetterStandardTests.Text(pdf).Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries));
        text.ShouldContain("Du kan bruge dine ledsagetimer under dit ophold i Thailand fra 1. marts 2026 til 15. april 2026");
        text.ShouldContain("Klagevejledning");
        (await caseworker.Post($"/api/grants/{grant}/sessions", new { date = "2026-03-12", hours = 2, activity = "culture" }, HttpStatusCode.Created))
            .GetProperty("session").GetProperty("abroad").GetBoolean().ShouldBeTrue();
        (await caseworker.Get($"/api/grants/{grant}/stays-abroad")).EnumerateArray().Select(s => s.Str("status")).Order().ShouldBe(["applied", "approved", "notified", "notified"]);
        // The companion and the citizen may look; the citizen may not decide.
        await citizen.Post($"/api/stays-abroad/{stay.Id()}/decision", new { approve = true, decidedOn = "2026-02-20" }, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Companions_ADeclarationPerCitizenBeforeApprovalAndAssignment_AndTheStandardsEmployerRule()
    {
        // Lejre counts «andre … nært tilknytningsforhold» as close; Haderslev's standard names family only.
        var (_, lejreCitizen, lejreGrant) = await Granted("lejre", "2025-10-01");
        var (lejre, friend) = await Approved("lejre", new { name = "Nær Ven" });
        await lejre.Post($"/api/companions/{friend}/relation-declarations", new { citizenId = lejreCitizen, relation = "other_close", description = "Barndomsven" }, HttpStatusCode.Created);
        await lejre.Post($"/api/companions/{friend}/relation-declarations", new { citizenId = lejreCitizen, relation = "none" }, HttpStatusCode.Conflict);
        (await lejre.Post($"/api/grants/{lejreGrant}/companions", new { companionId = friend, from = "2026-06-01" }, HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("relation")[0].GetString()!.ShouldContain("Lejre Kommunes kvalitetsstandard");
        var (_, hCitizen, hGrant) = await Granted("haderslev");
        var (haderslev, hFriend) = await Approved("haderslev", new { name = "Ven i Haderslev" });
        await haderslev.Post($"/api/companions/{hFriend}/employ", new { });
        // No declaration for this citizen: not assigned.
        (await haderslev.Post($"/api/grants/{hGrant}/companions", new { companionId = hFriend, from = "2026-06-01" }, HttpStatusCode.BadRequest))
            .GetProperty("errors").TryGetProperty("relationDeclaration", out _).ShouldBeTrue();
        await haderslev.Post($"/api/companions/{hFriend}/relation-declarations", new { citizenId = hCitizen, relation = "other_close" }, HttpStatusCode.Created);
        await haderslev.Post($"/api/grants/{hGrant}/companions", new { companionId = hFriend, from = "2026-06-01" }, HttpStatusCode.Created);
        // An applicant who is not approved cannot be assigned.
        var applicant = (await haderslev.Post("/api/companions", new { name = "Ikke Godkendt" }, HttpStatusCode.Created)).Id();
        await haderslev.Post($"/api/companions/{applicant}/relation-declarations", new { citizenId = hCitizen, relation = "none" }, HttpStatusCode.Created);
        (await haderslev.Post($"/api/grants/{hGrant}/companions", new { companionId = applicant, from = "2026-06-01" }, HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("companionId")[0].GetString()!.ShouldContain("ikke godkendt");

        // A citizen's nominee: the citizen's declaration comes with the nomination; a spouse needs a caseworker's exception.
        var citizen = await factory.SignedIn("haderslev", Role.Citizen, citizenId: hCitizen);
        var spouse = (await citizen.Post("/api/companions", new { name = "Min Mand", relation = "spouse" }, HttpStatusCode.Created)).Id();
        await haderslev.Post($"/api/companions/{spouse}/criminal-record", new { date = "2026-05-01", clean = true });
        (await haderslev.Post($"/api/companions/{spouse}/approve", new { }, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("relation", out _).ShouldBeTrue();
        var caseworker = await factory.SignedIn("haderslev", Role.Caseworker);
        (await caseworker.Post($"/api/companions/{spouse}/relation-exception", new { reason = "Kun ægtefællen kan kommunikere med borgeren." })).Str("relationText").ShouldBe("Ægtefælle");
        (await haderslev.Post($"/api/companions/{spouse}/approve", new { })).Str("status").ShouldBe("Approved");

        // Gribskov employs its own companions: a provider is refused.
        var (gribskov, g1) = await Approved("gribskov", new { name = "Gribskov Ledsager" });
        (await gribskov.Post($"/api/companions/{g1}/employ", new { employer = "provider" }, HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("employer")[0].GetString()!.ShouldContain("ansætter selv sine ledsagere");
        // Lejre: its partner provider by default (a registered provider with a CVR number); the municipality only with a reason.
        (await lejre.Post("/api/providers", new { name = "Forkert", cvr = "1234567" }, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("cvr", out _).ShouldBeTrue();
        (await lejre.Post("/api/providers", new { name = "Forkert kontrolciffer", cvr = "87654321" }, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("cvr", out _).ShouldBeTrue();
        var cvr = Api.NextCvr();
        var provider = (await lejre.Post("/api/providers", new { name = "Lejre Ledsagerservice ApS", cvr = $"{cvr[..4]} {cvr[4..]}", contactName = "Per Personale", phone = "46 00 00 00" }, HttpStatusCode.Created));
        provider.Str("cvr").ShouldBe(cvr);
        await lejre.Post("/api/providers", new { name = "Samme CVR", cvr }, HttpStatusCode.Conflict);
        var (_, l1) = await Approved("lejre", new { name = "Lejre Ledsager" });
        (await lejre.Post($"/api/companions/{l1}/employ", new { }, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("providerId", out _).ShouldBeTrue();
        (await lejre.Post($"/api/companions/{l1}/employ", new { employer = "municipality" }, HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("employer")[0].GetString()!.ShouldContain("samarbejdspartner");
        var employed = await lejre.Post($"/api/companions/{l1}/employ", new { providerId = provider.Id() });
        (employed.Str("employer"), employed.Id("providerId")).ShouldBe(("provider", provider.Id()));
        var (_, l2) = await Approved("lejre", new { name = "Lønningskontorets Ledsager" });
        (await lejre.Post($"/api/companions/{l2}/employ", new { employer = "municipality", reason = "Ledsageren er i forvejen ansat i kommunen." })).Str("employer").ShouldBe("municipality");
        // The payroll file names the employer, so the provider's hours go on its invoice.
        await lejre.AssignCompanion(lejreGrant, l1, "2025-11-01");
        var companion = await factory.SignedIn("lejre", Role.Companion, companionId: l1);
        var id = (await companion.Post($"/api/grants/{lejreGrant}/sessions", new { date = "2025-11-05", start = "10:00", end = "11:00", activity = "sport" }, HttpStatusCode.Created)).GetProperty("session").Id();
        var lejreCaseworker = await factory.SignedIn("lejre", Role.Caseworker);
        await lejreCaseworker.Post($"/api/grants/{lejreGrant}/sessions/{id}/confirm", new { onBehalf = true, note = "Telefonisk" });
        var finance = await factory.SignedIn("lejre", Role.Finance);
        var file = await (await finance.PostAsJsonAsync("/api/finance/payroll-exports", new { period = "2025-11" })).Content.ReadAsStringAsync();
        Infrastructure.Exports.ReadCsv(file).Single(r => r[1] == "Lejre Ledsager")[7].ShouldBe($"Lejre Ledsagerservice ApS (CVR {cvr})");
    }

    [Fact]
    public async Task TwentyRequestsAtOnce_ApplicationsAllNumbered_OneAnswerPerProposal_OneAssignment_OneEmployment()
    {
        var caseworker = await factory.SignedIn("gribskov", Role.Caseworker);
        var citizens = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            citizens.Add((await caseworker.Post("/api/citizens", new { cpr = NextCpr(), name = $"Parallel {i}" }, HttpStatusCode.Created)).Id());
        }
        // Twenty applications at once, for five citizens: every one gets a case and its own number, none a 500.
        var created = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            caseworker.PostAsJsonAsync("/api/cases", new { citizenId = citizens[i % 5], receivedOn = "2026-06-01", channel = "telefon" })));
        created.ShouldAllBe(r => r.StatusCode == HttpStatusCode.Created);
        var numbers = await Task.WhenAll(created.Select(async r => (await r.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).Str("number")));
        numbers.Distinct().Count().ShouldBe(20);
        var notices = await factory.WithDb(db => Task.FromResult(db.Letters.Count(l => citizens.Contains(l.CitizenId) && l.Kind == "privacy_notice")));
        notices.ShouldBe(20);

        // A proposal gets one answer, and an accepted one one assignment.
        var (_, citizen, grant) = await Granted("gribskov");
        var (coordinator, k) = await Approved("gribskov", new { name = "Parallel Ledsager" });
        await coordinator.Post($"/api/companions/{k}/relation-declarations", new { citizenId = citizen, relation = "none" }, HttpStatusCode.Created);
        var proposal = (await coordinator.Post("/api/match-proposals", new { citizenId = citizen, companionId = k, proposedOn = "2026-06-01" }, HttpStatusCode.Created)).Id();
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            coordinator.PostAsJsonAsync($"/api/match-proposals/{proposal}/outcome", new { outcome = i % 2 == 0 ? "accepted" : "declined" })));
        answers.Count(a => a.StatusCode == HttpStatusCode.OK).ShouldBe(1);
        answers.Where(a => a.StatusCode != HttpStatusCode.OK).ShouldAllBe(a => a.StatusCode == HttpStatusCode.Conflict);
        // Assigning the same companion twenty times at once: one running assignment.
        var assigns = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            coordinator.PostAsJsonAsync($"/api/grants/{grant}/companions", new { companionId = k, from = "2026-06-01" })));
        assigns.ShouldAllBe(a => a.StatusCode == HttpStatusCode.Created || a.StatusCode == HttpStatusCode.Conflict);
        (await factory.WithDb(db => Task.FromResult(db.Assignments.Count(a => a.CompanionId == k && a.CitizenId == citizen && a.EndedOn == null)))).ShouldBe(1);
        (await coordinator.Post($"/api/grants/{grant}/companions", new { companionId = k, from = "2099-01-01" }, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("from", out _).ShouldBeTrue();

        // Twenty employments at once with different employers: one employment, one employer.
        var (ballerup, b) = await Approved("ballerup", new { name = "Ansat Én Gang" });
        var employers = new[] { "municipality", "cash_grant" };
        var employs = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => ballerup.PostAsJsonAsync($"/api/companions/{b}/employ", new { employer = employers[i % 2] })));
        employs.Count(e => e.StatusCode == HttpStatusCode.OK).ShouldBe(1);
        employs.Where(e => e.StatusCode != HttpStatusCode.OK).ShouldAllBe(e => e.StatusCode == HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task ARecordWithRemarks_AfterApproval_StopsNewAssignments_WhereTheStandardRequiresARecord()
    {
        var (_, citizen, grant) = await Granted("haderslev");
        var (coordinator, k) = await Approved("haderslev", new { name = "Senere Anmærkning" });
        await coordinator.Post($"/api/companions/{k}/employ", new { });
        await coordinator.Post($"/api/companions/{k}/criminal-record", new { date = "2026-06-10", clean = false });
        await coordinator.Post($"/api/companions/{k}/relation-declarations", new { citizenId = citizen, relation = "none" }, HttpStatusCode.Created);
        (await coordinator.Post($"/api/grants/{grant}/companions", new { companionId = k, from = "2026-06-01" }, HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("criminalRecord")[0].GetString()!.ShouldContain("straffeattest");
    }

    [Fact]
    public async Task TheCompanion_SeesTheStandardsMustNotList_WhereTheyRegister()
    {
        var coordinator = await factory.SignedIn("haderslev", Role.Coordinator);
        var id = (await coordinator.Post("/api/companions", new { name = "Må Ikke" }, HttpStatusCode.Created)).Id();
        var companion = await factory.SignedIn("haderslev", Role.Companion, companionId: id);
        var schedule = await companion.Get("/api/companions/me/schedule");
        var list = schedule.GetProperty("mustNot").EnumerateArray().Select(e => e.GetString()!).ToList();
        list.ShouldContain("foretage personløft");
        list.ShouldContain(l => l.Contains("§ 83", StringComparison.Ordinal));
        var lejre = await factory.SignedIn("lejre", Role.Coordinator);
        var other = (await lejre.Post("/api/companions", new { name = "Ingen Liste" }, HttpStatusCode.Created)).Id();
        (await (await factory.SignedIn("lejre", Role.Companion, companionId: other)).Get("/api/companions/me/schedule")).GetProperty("mustNot").GetArrayLength().ShouldBe(0);
    }
}

public sealed class SqliteCashGrantAndStayTests(SqliteFactory factory) : CashGrantAndStayTests(factory), IClassFixture<SqliteFactory>;

[Collection("postgres")]
public sealed class PostgresCashGrantAndStayTests(PostgresFactory factory) : CashGrantAndStayTests(factory), IClassFixture<PostgresFactory>;
