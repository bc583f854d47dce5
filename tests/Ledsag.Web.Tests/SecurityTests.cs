using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>Access across municipalities and roles, bad input, the audit chain and the API's own surface.</summary>
public abstract class SecurityTests(LedsagFactory factory)
{
    private async Task<(HttpClient Client, Guid Citizen, Guid Case, Guid Grant)> GrantedCase(string municipality, string cpr)
    {
        var client = await factory.SignedIn(municipality, Role.Caseworker);
        var citizen = (await client.Post("/api/citizens", new { cpr, name = "Borger" }, HttpStatusCode.Created)).Id();
        var id = (await client.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-05-01", channel = "telefon" }, HttpStatusCode.Created)).Id();
        await client.Post($"/api/cases/{id}/assessment", new { assessedOn = "2026-05-05", facts = new { } });
        await client.Consult(id, "2026-05-06");
        var grant = (await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-05-10", outcome = "grant", start = "2026-06-01" })).Id("grantId");
        return (client, citizen, id, grant);
    }

    [Fact]
    public async Task AUserOfAnotherMunicipality_Gets404OnEveryResource_AndTheAttemptIsAudited()
    {
        var (_, citizen, caseId, grant) = await GrantedCase("lejre", "111180-1111");
        var intruder = await factory.SignedIn("ballerup", Role.Caseworker);
        var before = await factory.WithDb(db => db.Audit.CountAsync(a => a.Action == "denied" && a.MunicipalityId == "ballerup"));
        foreach (var url in new[] { $"/api/citizens/{citizen}", $"/api/cases/{caseId}", $"/api/grants/{grant}", $"/api/grants/{grant}/balance", $"/api/grants/{grant}/sessions" })
        {
            await intruder.Get(url, HttpStatusCode.NotFound);
        }
        foreach (var (url, body) in new (string, object)[]
                 {
                     ($"/api/cases/{caseId}/conversation", new { on = "2026-06-01", note = "x" }),
                     ($"/api/cases/{caseId}/complaint", new { receivedOn = "2026-06-01", text = "x" }),
                     ($"/api/grants/{grant}/sessions", new { date = "2026-06-10", hours = 1, activity = "cinema" }),
                     ($"/api/grants/{grant}/savings-agreements", new { from = "2026-06-01", to = "2026-07-01", purpose = "x" }),
                 })
        {
            await intruder.Post(url, body, HttpStatusCode.NotFound);
        }
        var after = await factory.WithDb(db => db.Audit.CountAsync(a => a.Action == "denied" && a.MunicipalityId == "ballerup"));
        (after - before).ShouldBeGreaterThanOrEqualTo(9);
        (await factory.WithDb(db => db.Sessions.CountAsync(s => s.GrantId == grant))).ShouldBe(0);
    }

    [Fact]
    public async Task ACitizenSeesOnlyTheirOwnCase()
    {
        var (_, citizen, caseId, grant) = await GrantedCase("haderslev", "121275-2222");
        var (_, other, otherCase, _) = await GrantedCase("haderslev", "121275-3333");
        var me = await factory.SignedIn("haderslev", Role.Citizen, citizenId: citizen);
        await me.Get($"/api/cases/{caseId}");
        await me.Get($"/api/grants/{grant}/balance");
        await me.Get($"/api/cases/{otherCase}", HttpStatusCode.NotFound);
        await me.Get($"/api/citizens/{other}", HttpStatusCode.NotFound);
        await me.Get("/api/worklist", HttpStatusCode.Forbidden);
        await me.Post($"/api/cases/{caseId}/conversation", new { on = "2026-06-01", note = "x" }, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ACompanionSeesOnlyTheCitizensTheyAccompany()
    {
        var (staff, citizen, _, grant) = await GrantedCase("gribskov", "010190-4444");
        var (_, _, _, otherGrant) = await GrantedCase("gribskov", "010190-2555");
        var companion = await factory.WithDb(async db =>
        {
            var k = new Companion { MunicipalityId = "gribskov", Name = "Lise", Status = CompanionStatus.Employed };
            db.Companions.Add(k);
            await db.SaveChangesAsync();
            return k.Id;
        });
        var coordinator = await factory.SignedIn("gribskov", Role.Coordinator);
        await coordinator.AssignCompanion(grant, companion, "2026-06-01");
        var me = await factory.SignedIn("gribskov", Role.Companion, companionId: companion);
        var booked = await me.Post($"/api/grants/{grant}/sessions", new { date = "2026-06-12", start = "10:00", end = "12:00", activity = "cinema", km = 10 }, HttpStatusCode.Created);
        booked.GetProperty("session").GetProperty("companionId").GetGuid().ShouldBe(companion);
        booked.GetProperty("session").GetProperty("mileageAmount").GetDecimal().ShouldBe(22.80m);
        (await me.Get($"/api/citizens/{citizen}")).Str("cpr").ShouldEndWith("xxxx");
        await me.Post($"/api/grants/{otherGrant}/sessions", new { date = "2026-06-12", start = "13:00", end = "14:00", activity = "cinema" }, HttpStatusCode.NotFound);
        _ = staff;
    }

    [Theory]
    [InlineData("GET", "/api/me")]
    [InlineData("GET", "/api/citizens")]
    [InlineData("GET", "/api/cases")]
    [InlineData("GET", "/api/worklist")]
    [InlineData("POST", "/api/cases")]
    [InlineData("GET", "/api/grants/00000000-0000-0000-0000-000000000001/balance")]
    [InlineData("POST", "/api/grants/00000000-0000-0000-0000-000000000001/sessions")]
    public async Task AnonymousRequests_Get401(string method, string url)
    {
        var response = await factory.CreateClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), url) { Content = JsonContent.Create(new { }) });
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await response.Content.ReadAsStringAsync()).ShouldContain("Du skal logge ind");
    }

    public static TheoryData<string, string, string> BadBodies => new()
    {
        { "/api/citizens", """{"cpr":"1234","name":"X"}""", "cpr" },
        { "/api/citizens", """{"cpr":"310289-1234","name":"X"}""", "cpr" },
        { "/api/citizens", """{"cpr":"120485-1234"}""", "name" },
        { "/api/citizens", """{"cpr":12048512,"name":"X"}""", "cpr" },
        { "/api/citizens", """{"cpr":"120485-1234","name":"X","shoeSize":44}""", "shoeSize" },
        { "/api/citizens", """{"cpr":"120485-1234","name":"X","representativeKind":"nabo"}""", "representativeKind" },
        { "/api/cases", """{"citizenId":"CITIZEN","receivedOn":"2026-02-30","channel":"borger.dk"}""", "receivedOn" },
        { "/api/cases", """{"citizenId":"CITIZEN","receivedOn":"2026-02-03","channel":"brevdue"}""", "channel" },
        { "/api/cases", """{"receivedOn":"2026-02-03","channel":"telefon"}""", "citizenId" },
        { "/api/cases", """{"citizenId":"not-a-guid","receivedOn":"2026-02-03","channel":"telefon"}""", "citizenId" },
        { "/api/cases", """{"citizenId":"CITIZEN","receivedOn":"2027-01-01","channel":"telefon"}""", "receivedOn" },
        { "/api/cases/CASE/assessment", """{"assessedOn":"2026-05-05","functionalLevel":7}""", "functionalLevel" },
        { "/api/cases/CASE/assessment", """{"assessedOn":"2026-05-05","themes":[{"theme":"Dans","level":2}]}""", "themes[0].theme" },
        { "/api/cases/CASE/assessment", """{"assessedOn":"2026-05-05","facts":{"hasBpa96":"ja"}}""", "facts.hasBpa96" },
        { "/api/cases/CASE/decision", """{"decidedOn":"2026-05-10","outcome":"maybe"}""", "outcome" },
        { "/api/cases/CASE/decision", """{"decidedOn":"2026-05-32","outcome":"refusal","reasons":["HAS_BPA_96"]}""", "decidedOn" },
        { "/api/grants/GRANT/sessions", """{"date":"2026-06-10","hours":-1,"activity":"cinema"}""", "hours" },
        { "/api/grants/GRANT/sessions", """{"date":"2026-06-10","hours":0.333,"activity":"cinema"}""", "hours" },
        { "/api/grants/GRANT/sessions", """{"date":"2026-06-10","hours":"two","activity":"cinema"}""", "hours" },
        { "/api/grants/GRANT/sessions", """{"date":"2026-06-10","start":"25:00","end":"26:00","activity":"cinema"}""", "start" },
        { "/api/grants/GRANT/sessions", """{"date":"2026-06-10","hours":1,"activity":"karaoke"}""", "activity" },
        { "/api/grants/GRANT/sessions", """{"date":"2026-06-10","hours":1,"activity":"cinema","km":-4}""", "km" },
        { "/api/grants/GRANT/savings-agreements", """{"from":"2026-08-01","to":"2026-07-01","purpose":"x"}""", "to" },
        { "/api/grants/GRANT/end", """{"endOn":"2026-08-01","reason":"bored"}""", "reason" },
        { "/api/cases/CASE/complaint", """not json""", "body" },
        { "/api/admin/lapse-reminders", """{"date":"2026-02-30"}""", "date" },
        { "/api/finance/payroll-exports", """{"period":"2026-13"}""", "period" },
        { "/api/companions", """{"name":"X","availability":[0,8]}""", "availability[0]" },
        { "/api/subsidy-claims", """{"citizenId":"CITIZEN","year":2026,"expenses":[{"date":"2026-01-05","what":"x","amount":-5}]}""", "expenses[0].amount" },
        { "/api/grants/GRANT/planned", """{"date":"2026-07-01","start":"12:00","end":"11:00","activity":"cinema"}""", "end" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BadInput_Gets400NamingTheField_AndChangesNothing(string url, string body, string field)
    {
        var (_, citizen, caseId, grant) = await GrantedCase("ballerup", NextCpr("0101"));
        var client = await factory.SignedIn("ballerup", Role.Administrator);
        var counts = await Counts();
        var response = await client.PostAsync(url.Replace("CASE", caseId.ToString()).Replace("GRANT", grant.ToString()),
            new StringContent(body.Replace("CITIZEN", citizen.ToString()), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        errors.EnumerateObject().Select(p => p.Name).ShouldContain(n => n.Equals(field, StringComparison.OrdinalIgnoreCase), text);
        text.ShouldNotContain("   at ");
        (await Counts()).ShouldBe(counts);
    }

    private static int _serial;

    /// <summary>A fresh, valid CPR number of someone born in the 1960s–90s (7th digit 1–3 gives 19YY).</summary>
    private static string NextCpr(string dayMonth)
    {
        var n = Interlocked.Increment(ref _serial);
        return $"{dayMonth}{60 + (n % 40):00}-{1000 + (n * 7 % 2999)}";
    }

    public static TheoryData<string> EveryPost => new()
    {
        "/api/auth/login", "/api/tokens", "/api/citizens", "/api/cases", "/api/cases/CASE/conversation", "/api/cases/CASE/consents",
        "/api/cases/CASE/assessment", "/api/cases/CASE/draft", "/api/cases/CASE/decision", "/api/cases/CASE/delay-letter",
        "/api/cases/CASE/complaint", "/api/cases/CASE/complaint/reassessment", "/api/cases/CASE/complaint/maintained",
        "/api/cases/CASE/complaint/forwarded", "/api/cases/CASE/follow-up", "/api/grants/GRANT/sessions",
        "/api/grants/GRANT/savings-agreements", "/api/grants/GRANT/end", "/api/grants/GRANT/companions",
        "/api/grants/GRANT/planned", "/api/companions", "/api/match-proposals", "/api/subsidy-claims", "/api/admin/subsidy-rates",
        "/api/finance/subsidy-payments", "/api/finance/payroll-exports",
    };

    [Theory]
    [MemberData(nameof(EveryPost))]
    public async Task EveryEndpoint_AnswersMissingFieldsWrongTypesAndExtraFieldsWith400_AndChangesNothing(string url)
    {
        var (_, citizen, caseId, grant) = await GrantedCase("haderslev", NextCpr("0202"));
        var admin = await factory.SignedIn("haderslev", Role.Administrator);
        var target = url.Replace("CASE", caseId.ToString()).Replace("GRANT", grant.ToString());
        var counts = await Counts();
        foreach (var body in new[] { "{}", "[]", "{\"unexpected\":1}", "{\"date\":{\"nested\":true},\"on\":17,\"hours\":\"x\"}", "null", "\"text\"", "{\"on\":\"2026-13-45\"}" })
        {
            var response = await admin.PostAsync(target, new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            ((int)response.StatusCode).ShouldBeInRange(400, 499, $"{target} {body}: {text}");
            ((int)response.StatusCode).ShouldNotBe(404, $"{target} {body}: {text}");
            response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", $"{target} {body}");
        }
        (await Counts()).ShouldBe(counts);
        _ = citizen;
    }

    [Fact]
    public async Task DataProtectionKeys_AreKeptInTheDatabase()
    {
        await factory.SignedIn("lejre", Role.Caseworker);
        (await factory.WithDb(db => db.DataProtectionKeys.CountAsync())).ShouldBeGreaterThan(0);
    }

    private Task<string> Counts() => factory.WithDb(async db =>
        $"{await db.Citizens.CountAsync()} {await db.Cases.CountAsync()} {await db.CaseSteps.CountAsync()} {await db.Grants.CountAsync()} " +
        $"{await db.Sessions.CountAsync()} {await db.SavingsAgreements.CountAsync()} {await db.Deadlines.CountAsync()}");

    [Fact]
    public async Task TheAuditChain_DetectsAChangedOrDeletedRow()
    {
        await GrantedCase("haderslev", "010170-2666");
        var (count, problem) = await factory.WithDb(db => factory.Services.GetRequiredService<AuditLog>().VerifyAsync(db));
        problem.ShouldBeNull();
        count.ShouldBeGreaterThan(5);
        await factory.WithDb(async db =>
        {
            var row = await db.Audit.Where(a => a.Chain == "haderslev").OrderBy(a => a.Sequence).Skip(3).FirstAsync();
            row.Detail = "rettet bagefter";
            await db.SaveChangesAsync();
            return 0;
        });
        (await factory.WithDb(db => factory.Services.GetRequiredService<AuditLog>().VerifyAsync(db))).Problem.ShouldNotBeNull().ShouldContain("kæden for haderslev, post 4");
    }

    [Fact]
    public async Task EachRoleSeesWhatItsWorkNeeds_FinanceAndCoordinatorsGetNoFullCprAndNoAssessment()
    {
        var (caseworker, citizen, caseId, _) = await GrantedCase("haderslev", NextCpr("0303"));
        var full = (await caseworker.Get($"/api/citizens/{citizen}")).Str("cpr");
        full.ShouldNotEndWith("xxxx");
        foreach (var role in new[] { Role.Finance, Role.Coordinator })
        {
            var client = await factory.SignedIn("haderslev", role);
            (await client.Get($"/api/citizens/{citizen}")).Str("cpr").ShouldEndWith("-xxxx");
            if (role == Role.Finance)
            {
                var view = await client.Get($"/api/cases/{caseId}");
                view.GetProperty("steps").EnumerateArray().ShouldAllBe(s => s.GetProperty("data").EnumerateObject().Count() == 0 && s.GetProperty("reason").ValueKind == JsonValueKind.Null);
            }
        }
        var citizenClient = await factory.SignedIn("haderslev", Role.Citizen, citizenId: citizen);
        await citizenClient.Post("/api/subsidy-claims", new { year = 2026, expenses = new[] { new { date = "2026-06-01", what = "Billet", amount = 90m } } }, HttpStatusCode.Created);
        var claims = await (await factory.SignedIn("haderslev", Role.Finance)).Get("/api/subsidy-claims?year=2026");
        var mine = claims.EnumerateArray().First(c => c.Id("citizenId") == citizen);
        mine.Str("citizen").ShouldBe("Borger");
        mine.Str("cpr").ShouldEndWith("-xxxx");
    }

    [Fact]
    public async Task AnIdempotencyKey_IsOneUsersForOneRegistration_AndWhoRegistersDoesNotConfirm()
    {
        var (caseworker, _, _, grant) = await GrantedCase("gribskov", NextCpr("0404"));
        var body = new { date = "2026-06-02", hours = 1, activity = "sport", idempotencyKey = "nøgle-1" };
        var first = await caseworker.Post($"/api/grants/{grant}/sessions", body, HttpStatusCode.Created);
        (await caseworker.Post($"/api/grants/{grant}/sessions", body, HttpStatusCode.OK)).GetProperty("session").Id().ShouldBe(first.GetProperty("session").Id());
        (await caseworker.Post($"/api/grants/{grant}/sessions", body with { hours = 3 }, HttpStatusCode.UnprocessableEntity))
            .GetProperty("errors").TryGetProperty("idempotencyKey", out _).ShouldBeTrue();
        var colleague = await factory.SignedIn("gribskov", Role.Caseworker);
        await colleague.Post($"/api/grants/{grant}/sessions", body, HttpStatusCode.UnprocessableEntity);

        var (coordinator, companion) = (await factory.SignedIn("gribskov", Role.Coordinator), Guid.Empty);
        companion = (await coordinator.Post("/api/companions", new { name = "Egen Ledsager" }, HttpStatusCode.Created)).Id();
        await coordinator.Post($"/api/companions/{companion}/criminal-record", new { date = "2026-05-01", clean = true });
        await coordinator.Post($"/api/companions/{companion}/approve", new { });
        await coordinator.Post($"/api/companions/{companion}/employ", new { });
        await coordinator.AssignCompanion(grant, companion, "2026-06-01");
        var own = (await caseworker.Post($"/api/grants/{grant}/sessions", new { date = "2026-06-03", start = "10:00", end = "11:00", activity = "sport", companionId = companion }, HttpStatusCode.Created))
            .GetProperty("session").Id();
        await caseworker.Post($"/api/grants/{grant}/sessions/{own}/confirm", new { onBehalf = true, note = "Telefonisk" }, HttpStatusCode.Forbidden);
        await colleague.Post($"/api/grants/{grant}/sessions/{own}/confirm", new { onBehalf = true, note = "Telefonisk" });
    }

    [Fact]
    public async Task AReceipt_KeepsOnlyItsName_IsTypedByItsContent_AndFiveMegabytesPlusOneIsRefused()
    {
        var (caseworker, citizen, _, _) = await GrantedCase("lejre", NextCpr("0505"));
        var pdf = "%PDF-1.4 "u8.ToArray();
        Task<JsonElement> Claim(string name, string type, byte[] bytes, HttpStatusCode expected) => caseworker.Post("/api/subsidy-claims", new
        {
            citizenId = citizen, year = 2026,
            expenses = new[] { new { date = "2026-06-01", what = "Billet", amount = 50m, receipt = new { fileName = name, contentType = type, base64 = Convert.ToBase64String(bytes) } } },
        }, expected);
        var tooBig = new byte[(5 * 1024 * 1024) + 1];
        pdf.CopyTo(tooBig, 0);
        (await Claim("stor.pdf", "application/pdf", tooBig, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("expenses[0].receipt.base64", out _).ShouldBeTrue();
        var png = new byte[] { 0x89, 0x50, 0x4E, 0x47, 1, 2, 3 };
        (await Claim("billede.pdf", "application/pdf", png, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("expenses[0].receipt.contentType", out _).ShouldBeTrue();
        var claim = await Claim("../../etc/C:\\\\kvit\u0001tering.pdf", "application/pdf", pdf, HttpStatusCode.Created);
        claim.GetProperty("expenses")[0].Str("receipt").ShouldBe("kvittering.pdf");
    }

    [Fact]
    public async Task ProbingIdentifiers_IsAnswered429AfterTheLimit_WithoutAnAuditWriteEach()
    {
        var citizen = await factory.SignedIn("haderslev", Role.Citizen, citizenId: Guid.NewGuid());
        var before = await factory.WithDb(db => db.Audit.CountAsync(a => a.Action.StartsWith("denied")));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < AuditLog.DenialsPerMinute + 20; i++)
        {
            statuses.Add((await citizen.GetAsync($"/api/grants/{Guid.NewGuid()}")).StatusCode);
        }
        statuses.Take(AuditLog.DenialsPerMinute).ShouldAllBe(s => s == HttpStatusCode.NotFound);
        statuses.Skip(AuditLog.DenialsPerMinute).ShouldAllBe(s => s == HttpStatusCode.TooManyRequests);
        (await factory.WithDb(db => db.Audit.CountAsync(a => a.Action.StartsWith("denied")))).ShouldBe(before + AuditLog.DenialsPerMinute + 1);
        await (await factory.SignedIn("haderslev", Role.Caseworker)).Get("/api/worklist"); // nobody else is slowed
    }

    [Fact]
    public async Task ACaseReceivedInYearOne_IsRefusedNamingTheField()
    {
        var client = await factory.SignedIn("ballerup", Role.Caseworker);
        var citizen = (await client.Post("/api/citizens", new { cpr = NextCpr("0606"), name = "Borger" }, HttpStatusCode.Created)).Id();
        foreach (var day in new[] { "0001-01-01", "0000-06-01", "-0001-01-01" })
        {
            (await client.Post("/api/cases", new { citizenId = citizen, receivedOn = day, channel = "telefon" }, HttpStatusCode.BadRequest))
                .GetProperty("errors").TryGetProperty("receivedOn", out _).ShouldBeTrue();
        }
    }

    [Fact]
    public async Task WithoutATrustedProxy_XForwardedForIsIgnored()
    {
        var me = await (await factory.SignedIn("lejre", Role.Finance)).Get("/api/me");
        var userName = await factory.WithDb(db => db.Users.Where(u => u.Id == me.Id()).Select(u => u.UserName).FirstAsync());
        var anonymous = factory.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login") { Content = JsonContent.Create(new { userName, password = "forkert" }) };
            request.Headers.Add("X-Forwarded-For", $"198.51.100.{i}");
            statuses.Add((await anonymous.SendAsync(request)).StatusCode);
        }
        statuses.Take(5).ShouldAllBe(s => s == HttpStatusCode.Unauthorized);
        statuses[5].ShouldBe(HttpStatusCode.TooManyRequests); // the same address, whatever the header says
    }

    [Fact]
    public async Task AnIntegrationToken_SignsInAsItsUser()
    {
        var admin = await factory.SignedIn("bronderslev", Role.Administrator);
        var token = (await admin.Post("/api/tokens", new { name = "Digital Post" }, HttpStatusCode.Created)).Str("token");
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        (await client.Get("/api/me")).Str("role").ShouldBe("Administrator");
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "forkert");
        await client.Get("/api/me", HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TheOpenApiDocumentAndHealth_AreServed()
    {
        var client = factory.CreateClient();
        (await client.Get("/openapi/v1.json")).GetProperty("paths").TryGetProperty("/api/grants/{grantId}/sessions", out _).ShouldBeTrue();
        (await client.Get("/health")).Str("status").ShouldBe("ok");
        (await client.GetAsync("/api-reference")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task CitizenLists_MaskTheCpr_AndNoUrlCarriesIt()
    {
        var (client, _, _, _) = await GrantedCase("lejre", "020288-1777");
        var list = await client.Get("/api/citizens");
        list.EnumerateArray().Select(c => c.Str("cpr")).ShouldContain("020288-xxxx");
        list.GetRawText().ShouldNotContain("1777");
    }
}

[Collection("sqlite")]
public sealed class SqliteSecurityTests(SqliteFactory factory) : SecurityTests(factory), IClassFixture<SqliteFactory>;

[Collection("postgres")]
public sealed class PostgresSecurityTests(PostgresFactory factory) : SecurityTests(factory), IClassFixture<PostgresFactory>;

/// <summary><c>ledsag audit verify</c> against a real database file.</summary>
public sealed class AuditVerifyCommandTests(SqliteFactory factory) : IClassFixture<SqliteFactory>
{
    [Fact]
    public async Task AuditVerify_Exits0OnAnIntactLog_And1AfterTampering()
    {
        var client = await factory.SignedIn("lejre", Role.Caseworker);
        await client.Post("/api/citizens", new { cpr = "030303-1234", name = "Audit Borger" }, HttpStatusCode.Created);
        var connection = factory.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["ConnectionStrings:Ledsag"]!;
        var intact = CliRunner.Run("audit", "verify", "--connection", connection);
        intact.Exit.ShouldBe(0, intact.Err);
        intact.Out.ShouldContain("intakt");
        await factory.WithDb(async db =>
        {
            db.Audit.Remove(await db.Audit.Where(a => a.Chain == "lejre").OrderBy(a => a.Sequence).Skip(1).FirstAsync());
            await db.SaveChangesAsync();
            return 0;
        });
        var broken = CliRunner.Run("audit", "verify", "--connection", connection);
        broken.Exit.ShouldBe(1);
        broken.Out.ShouldContain("kæden er brudt");
        Summary.Line("Audit: deleting one audit row is detected by `ledsag audit verify` (exit 1, \"kæden er brudt\"); the intact log exits 0");
    }
}
