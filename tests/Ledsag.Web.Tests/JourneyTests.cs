using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using Ledsag.Web.Data;
using Microsoft.EntityFrameworkCore;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>
/// One scripted journey per municipality over HTTP, application to forwarded complaint, each showing
/// the municipality's own rules. The same suite runs on SQLite and on PostgreSQL.
/// </summary>
public abstract class JourneyTests(LedsagFactory factory)
{
    // The fake clock stands at 2026-06-15.
    private async Task<(HttpClient Client, Guid Citizen)> CitizenIn(string municipality, string cpr, bool earlyPension = false)
    {
        var client = await factory.SignedIn(municipality, Role.Caseworker);
        var citizen = await client.Post("/api/citizens", new { cpr, name = "Test Borger", address = "Testvej 1", earlyRetirementPension = earlyPension }, HttpStatusCode.Created);
        return (client, citizen.Id());
    }

    private static async Task<JsonElement> Apply(HttpClient client, Guid citizen, string receivedOn) =>
        await client.Post("/api/cases", new { citizenId = citizen, receivedOn, channel = "borger.dk" }, HttpStatusCode.Created);

    private static Task<JsonElement> Assess(HttpClient client, Guid caseId, string on, object? facts = null, int? level = 3) =>
        client.Post($"/api/cases/{caseId}/assessment", new
        {
            assessedOn = on, functionalLevel = level, facts = facts ?? new { },
            themes = new[] { new { theme = "Mobilitet", level = 3, note = "Kørestolsbruger" } },
        });

    private static async Task<JsonElement> ComplainAndForward(HttpClient client, Guid caseId, string complaintOn, string reassessedOn, string forwardedOn)
    {
        var c = await client.Post($"/api/cases/{caseId}/complaint", new { receivedOn = complaintOn, text = "Jeg er uenig." });
        c.HasOpenDeadline("reassessment_due").ShouldBeTrue();
        await client.Post($"/api/cases/{caseId}/complaint/reassessment", new { decidedOn = reassessedOn, outcome = "upheld", justification = "Afgørelsen fastholdes." });
        var forwarded = await client.Post($"/api/cases/{caseId}/complaint/forwarded", new { on = forwardedOn });
        forwarded.Str("state").ShouldBe("ComplaintForwarded");
        forwarded.HasOpenDeadline("forward_due").ShouldBeFalse();
        var step = forwarded.GetProperty("steps").EnumerateArray().Single(s => s.Str("kind") == "forwarded");
        step.GetProperty("data").GetProperty("documents").GetArrayLength().ShouldBeGreaterThan(5);
        return forwarded;
    }

    [Fact]
    public async Task Ballerup_Decides_Within40WorkingDays_With10DayPartshoering_ThroughToAnkestyrelsen()
    {
        var (client, citizen) = await CitizenIn("ballerup", "120485-1234");
        var c = await Apply(client, citizen, "2026-03-02");
        var id = c.Id();
        c.Deadline("decision_due").Str("dueOn").ShouldBe("2026-04-30"); // 40 working days, Easter excluded
        c.Str("routedTo").ShouldStartWith("Fronten");
        await client.Post($"/api/cases/{id}/conversation", new { on = "2026-03-05", note = "Samtale hjemme." });
        await client.Post($"/api/cases/{id}/consents", new { on = "2026-03-05", what = "lægeoplysninger", from = "egen læge", status = "given" });
        var assessed = await Assess(client, id, "2026-03-20");
        var recommendation = assessed.GetProperty("steps").EnumerateArray().Last(s => s.Str("kind") == "recommendation").GetProperty("data");
        recommendation.Str("kind").ShouldBe("grant");
        var draft = await client.Post($"/api/cases/{id}/draft", new { sentOn = "2026-03-27", outcome = "grant", summary = "Udkast: 15 timer." });
        draft.Deadline("consultation_due").Str("dueOn").ShouldBe("2026-04-07"); // 27 March + 10 days = 2. påskedag
        var decided = await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-04-10", outcome = "grant", start = "2026-04-13" });
        decided.Str("state").ShouldBe("Granted");
        decided.Deadline("decision_due").Str("closedHow").ShouldBe("decided");
        decided.Deadline("first_follow_up_due").Str("dueOn").ShouldBe("2026-10-12"); // 6 months, 10 October is a Saturday
        decided.GetProperty("steps").EnumerateArray().Last(s => s.Str("kind") == "decision").GetProperty("data").Str("klagevejledning").ShouldContain("4 uger");
        await ComplainAndForward(client, id, "2026-04-20", "2026-05-04", "2026-05-06");
    }

    [Fact]
    public async Task Lejre_DrawsTheCurrentMonthsHoursFirst()
    {
        var (client, citizen) = await CitizenIn("lejre", "300979-1234");
        var id = (await Apply(client, citizen, "2025-12-01")).Id();
        (await Apply(client, citizen, "2025-12-01")).Deadline("decision_due").Str("dueOn").ShouldBe("2025-12-29"); // 4 uger
        await Assess(client, id, "2025-12-10");
        var decided = await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2025-12-20", outcome = "grant", start = "2026-01-01" });
        var grant = decided.Id("grantId");
        await client.Post($"/api/grants/{grant}/savings-agreements", new { from = "2026-01-01", to = "2026-12-31", agreedOn = "2025-12-20", agreedDocumentation = "Underskrevet aftale i sagen", purpose = "Rejse" }, HttpStatusCode.Created);
        await client.Post($"/api/grants/{grant}/sessions", new { date = "2026-02-10", hours = 20, activity = "cinema" }, HttpStatusCode.Created);
        var balance = await client.Get($"/api/grants/{grant}/balance?date=2026-02-28");
        balance.GetProperty("currentMonth").GetDecimal().ShouldBe(0);
        balance.GetProperty("saved").GetDecimal().ShouldBe(10);
        balance.GetProperty("nextLapse").Str("date").ShouldBe("2026-06-30");
        balance.Str("lapseText").ShouldBe("10 timer bortfalder 30. juni 2026");
        await ComplainAndForward(client, id, "2026-01-05", "2026-01-20", "2026-01-22");
    }

    [Fact]
    public async Task Bronderslev_RoutesByAgeAndPension_AndStartsWithin14Days()
    {
        var (client, young) = await CitizenIn("bronderslev", "010501-4321");  // born 2001: 24 years old
        var youngCase = await Apply(client, young, "2026-03-02");
        youngCase.Str("routedTo").ShouldBe("UngeCenter Brønderslev");
        var pensioner = (await client.Post("/api/citizens", new { cpr = "010502-4322", name = "Ung med pension", earlyRetirementPension = true }, HttpStatusCode.Created)).Id();
        (await Apply(client, pensioner, "2026-03-02")).Str("routedTo").ShouldStartWith("Visitationen");
        var older = (await client.Post("/api/citizens", new { cpr = "010180-1111", name = "Over 30" }, HttpStatusCode.Created)).Id();
        var c = await Apply(client, older, "2026-03-02");
        c.Str("routedTo").ShouldStartWith("Visitationen");
        var id = c.Id();
        await Assess(client, id, "2026-03-20");
        var late = await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-04-01", outcome = "grant", start = "2026-04-20" }, HttpStatusCode.BadRequest);
        late.GetProperty("errors").GetProperty("start")[0].GetString()!.ShouldContain("2026-04-15");
        var decided = await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-04-01", outcome = "grant", start = "2026-04-15" });
        decided.Deadline("start_due").Str("dueOn").ShouldBe("2026-04-15");
        decided.Deadline("first_follow_up_due").Str("dueOn").ShouldBe("2027-04-01");
        await client.Post($"/api/cases/{id}/complaint", new { receivedOn = "2026-04-10", text = "Uenig." });
        await client.Post($"/api/cases/{id}/complaint/reassessment", new { decidedOn = "2026-04-24", outcome = "partial", justification = "Delvist medhold." });
        var maintained = await client.Post($"/api/cases/{id}/complaint/maintained", new { on = "2026-05-04" });
        maintained.Deadline("forward_due").Str("dueOn").ShouldBe("2026-05-18"); // 14 days after it is maintained
        var forwarded = await client.Post($"/api/cases/{id}/complaint/forwarded", new { on = "2026-05-11" });
        forwarded.Str("state").ShouldBe("ComplaintForwarded");
    }

    [Fact]
    public async Task Gribskov_FlagsTotalLimitations_ForACloserLook()
    {
        var (client, citizen) = await CitizenIn("gribskov", "300979-2345");
        var c = await Apply(client, citizen, "2026-03-02");
        c.HasOpenDeadline("decision_due").ShouldBeFalse(); // Gribskov publishes no processing time
        var id = c.Id();
        var assessed = await Assess(client, id, "2026-03-20", level: 4);
        var recommendation = assessed.GetProperty("steps").EnumerateArray().Last(s => s.Str("kind") == "recommendation").GetProperty("data");
        recommendation.Str("kind").ShouldBe("assess");
        recommendation.GetProperty("reasons")[0].Str("code").ShouldBe("FUNCTIONAL_LEVEL_TOTAL");
        recommendation.GetProperty("reasons")[0].Str("source").ShouldContain("Gribskov");
        await client.Consult(id, "2026-03-25", "refusal");
        var refused = await client.Post($"/api/cases/{id}/decision", new
        {
            decidedOn = "2026-04-01", outcome = "refusal", reasons = new[] { "FUNCTIONAL_LEVEL_TOTAL" }, justification = "Totale begrænsninger uden for botilbud.",
        });
        refused.Str("state").ShouldBe("Refused");
        // The letter goes out today (15 June) by Digital Post: 4 weeks to complain from then (retssikkerhedsloven § 67).
        refused.Deadline("complaint_due").Str("dueOn").ShouldBe("2026-07-13");
        await ComplainAndForward(client, id, "2026-04-20", "2026-05-04", "2026-05-06");
    }

    [Fact]
    public async Task Haderslev_FollowsUpEveryOtherYear()
    {
        var (client, citizen) = await CitizenIn("haderslev", "120490-1357");
        var c = await Apply(client, citizen, "2026-03-02");
        c.Deadline("decision_due").Str("dueOn").ShouldBe("2026-04-27");
        var id = c.Id();
        await Assess(client, id, "2026-03-20");
        var decided = await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-04-01", outcome = "grant", start = "2026-04-01" });
        decided.HasOpenDeadline("start_due").ShouldBeFalse();
        decided.Deadline("first_follow_up_due").Str("dueOn").ShouldBe("2028-04-03"); // 1 April 2028 is a Saturday
        var followed = await client.Post($"/api/cases/{id}/follow-up", new { on = "2026-06-01", note = "Ordningen fungerer." });
        followed.Deadline("follow_up_due").Str("dueOn").ShouldBe("2028-06-01");
        await ComplainAndForward(client, id, "2026-04-20", "2026-05-04", "2026-05-06");
    }

    [Fact]
    public async Task FiftyParallelRegistrationsOfOneHour_AgainstFifteenHours_AcceptExactlyFifteen()
    {
        var (client, citizen) = await CitizenIn("haderslev", "050590-2468");
        var id = (await Apply(client, citizen, "2026-05-01")).Id();
        await Assess(client, id, "2026-05-05");
        var grant = (await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-05-10", outcome = "grant", start = "2026-06-01" })).Id("grantId");
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ =>
            client.PostAsync($"/api/grants/{grant}/sessions", JsonContent.Create(new { date = "2026-06-10", hours = 1, activity = "shopping" }))));
        responses.Count(r => r.StatusCode == HttpStatusCode.Created).ShouldBe(15);
        responses.Count(r => r.StatusCode == HttpStatusCode.UnprocessableEntity).ShouldBe(35);
        var rows = await factory.WithDb(db => db.Sessions.CountAsync(s => s.GrantId == grant));
        rows.ShouldBe(15);
        (await client.Get($"/api/grants/{grant}/balance?date=2026-06-10")).GetProperty("available").GetDecimal().ShouldBe(0);
    }

    [Fact]
    public async Task ARetriedRegistrationWithTheSameKey_IsBookedOnce()
    {
        var (client, citizen) = await CitizenIn("lejre", "050590-1111");
        var id = (await Apply(client, citizen, "2026-05-01")).Id();
        await Assess(client, id, "2026-05-05");
        var grant = (await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-05-10", outcome = "grant", start = "2026-06-01" })).Id("grantId");
        var first = await client.Post($"/api/grants/{grant}/sessions", new { date = "2026-06-10", hours = 2, activity = "sport", idempotencyKey = "abc-1" }, HttpStatusCode.Created);
        var again = await client.Post($"/api/grants/{grant}/sessions", new { date = "2026-06-10", hours = 2, activity = "sport", idempotencyKey = "abc-1" });
        again.GetProperty("session").Id().ShouldBe(first.GetProperty("session").Id());
        (await factory.WithDb(db => db.Sessions.CountAsync(s => s.GrantId == grant))).ShouldBe(1);
    }

    [Fact]
    public async Task AnExcludedActivity_IsRejectedWithTheStandardsReason()
    {
        var (client, citizen) = await CitizenIn("gribskov", "050590-2222");
        var id = (await Apply(client, citizen, "2026-05-01")).Id();
        await Assess(client, id, "2026-05-05");
        var grant = (await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-05-10", outcome = "grant", start = "2026-06-01" })).Id("grantId");
        var problem = await client.Post($"/api/grants/{grant}/sessions", new { date = "2026-06-10", hours = 2, activity = "household_work" }, HttpStatusCode.UnprocessableEntity);
        problem.Str("code").ShouldBe("EXCLUDED_ACTIVITY");
        problem.GetProperty("errors").GetProperty("activity")[0].GetString()!.ShouldContain("husligt arbejde");
        var future = await client.Post($"/api/grants/{grant}/sessions", new { date = "2026-06-16", hours = 2, activity = "cinema" }, HttpStatusCode.BadRequest);
        future.GetProperty("errors").GetProperty("date")[0].GetString()!.ShouldContain("fremtiden");
    }

    [Fact]
    public async Task AGrantMadeBeforeTheAgeLimit_ContinuesAfterIt()
    {
        // Born 1 March 1959: the age limit (67) is reached on 1 March 2026.
        var (client, citizen) = await CitizenIn("ballerup", "010359-1234");
        var id = (await Apply(client, citizen, "2025-10-01")).Id();
        await Assess(client, id, "2025-10-15");
        await client.Consult(id, "2025-10-16");
        var grant = (await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2025-11-01", outcome = "grant", start = "2025-11-01" })).Id("grantId");
        await client.Post($"/api/grants/{grant}/sessions", new { date = "2026-06-01", hours = 3, activity = "culture" }, HttpStatusCode.Created);
    }
}

[Collection("sqlite")]
public sealed class SqliteJourneyTests(SqliteFactory factory) : JourneyTests(factory), IClassFixture<SqliteFactory>;

[Collection("postgres")]
public sealed class PostgresJourneyTests(PostgresFactory factory) : JourneyTests(factory), IClassFixture<PostgresFactory>;
