using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ledsag.Web.Data;
using Ledsag.Web.Features;
using Microsoft.EntityFrameworkCore;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>
/// A citizen's objection (indsigelse) to a session that did not take place, and the caseworker's decision on it,
/// over HTTP; the same suite on SQLite and PostgreSQL.
/// </summary>
public abstract class ObjectionTests(LedsagFactory factory)
{
    private const string Municipality = "lejre";

    private string Provider => factory.GetType().Name.Replace("Factory", "", StringComparison.Ordinal);

    /// <summary>A citizen with a grant in force, signed in, and the caseworker who granted it.</summary>
    private async Task<(HttpClient Caseworker, HttpClient Citizen, Guid Grant)> CitizenWithGrant()
    {
        var (caseworker, citizenId, grant) = await factory.Granted(Municipality);
        return (caseworker, await factory.SignedIn(Municipality, Role.Citizen, citizenId: citizenId), grant);
    }

    /// <summary>A session the caseworker registered (so the citizen may object to it); its id.</summary>
    private static async Task<Guid> Session(HttpClient caseworker, Guid grant, string date, decimal hours) =>
        (await caseworker.Post($"/api/grants/{grant}/sessions", new { date, hours, activity = "sport" }, HttpStatusCode.Created)).GetProperty("session").Id();

    private static async Task<decimal> Available(HttpClient client, Guid grant) =>
        (await client.Get($"/api/grants/{grant}/balance")).GetProperty("available").GetDecimal();

    private static Task<JsonElement> Object(HttpClient citizen, Guid grant, Guid session, HttpStatusCode expected = HttpStatusCode.Created) =>
        citizen.Post($"/api/grants/{grant}/sessions/{session}/objection", new { reason = "Vi var ikke ude den dag." }, expected);

    private static Task<JsonElement> Decide(HttpClient caseworker, Guid grant, Guid session, bool upheld, HttpStatusCode expected = HttpStatusCode.OK) =>
        caseworker.Post($"/api/grants/{grant}/sessions/{session}/objection/decision",
            new { upheld, note = upheld ? "Ledsageren kan ikke dokumentere turen." : "Ledsageren har billeder fra turen." }, expected);

    /// <summary>The ledger's invariant as the API shows it: the hours used are the sum of the grant's entries, reversals included.</summary>
    private async Task BalanceEqualsItsEntries(HttpClient client, Guid grant)
    {
        var minutes = await factory.WithDb(db => db.Sessions.Where(s => s.GrantId == grant).SumAsync(s => s.Minutes));
        (await client.Get($"/api/grants/{grant}/balance")).GetProperty("usedTotal").GetDecimal().ShouldBe(minutes / 60m);
    }

    private Task<int> DecisionsRecorded(Guid session) =>
        factory.WithDb(db => db.Audit.CountAsync(a => (a.Action == "objection-upheld" || a.Action == "objection-not-upheld") && a.EntityId == session.ToString()));

    private Task<int> BookedAgain(Guid grant) =>
        factory.WithDb(async db => (await db.Sessions.Where(s => s.GrantId == grant && s.ReversalOf == null).ToListAsync()).Count(SessionEndpoints.BookedAfterObjection));

    [Fact]
    public async Task AnObjection_ReversesTheSessionAtOnce_TheHoursComeBack_AndASecondIsAConflict()
    {
        var (caseworker, citizen, grant) = await CitizenWithGrant();
        var before = await Available(citizen, grant);
        var session = await Session(caseworker, grant, "2026-06-10", 2);
        (await Available(citizen, grant)).ShouldBe(before - 2);

        var reversal = await Object(citizen, grant, session);
        reversal.Id("reversalOf").ShouldBe(session);
        reversal.GetProperty("hours").GetDecimal().ShouldBe(-2);
        reversal.Str("reason").ShouldContain("Vi var ikke ude den dag.");
        (await Available(citizen, grant)).ShouldBe(before);
        var row = await factory.WithDb(db => db.Sessions.SingleAsync(s => s.ReversalOf == session));
        row.Objection.ShouldBeTrue();
        row.ObjectionDecidedAt.ShouldBeNull();

        (await Object(citizen, grant, session, HttpStatusCode.Conflict)).Str("code").ShouldBe("ALREADY_REVERSED");
        (await factory.WithDb(db => db.Sessions.CountAsync(s => s.ReversalOf == session))).ShouldBe(1);
        (await Available(citizen, grant)).ShouldBe(before);
        await BalanceEqualsItsEntries(citizen, grant);
    }

    [Fact]
    public async Task OnlyTheGrantsOwnCitizen_MayObject_NotAnotherCitizen_NorTheCompanionCoordinatorOrFinance()
    {
        var (caseworker, citizenId, grant) = await factory.Granted(Municipality);
        var citizen = await factory.SignedIn(Municipality, Role.Citizen, citizenId: citizenId);
        var (coordinator, companionId) = await factory.EmployedCompanion(Municipality);
        await coordinator.AssignCompanion(grant, companionId, "2026-01-01");
        var companion = await factory.SignedIn(Municipality, Role.Companion, companionId: companionId);
        var session = (await companion.Post($"/api/grants/{grant}/sessions", new { date = "2026-06-09", start = "10:00", end = "12:00", activity = "sport" }, HttpStatusCode.Created))
            .GetProperty("session").Id();

        // Another citizen: neither through this grant nor through their own.
        var (_, otherCitizenId, otherGrant) = await factory.Granted(Municipality);
        var other = await factory.SignedIn(Municipality, Role.Citizen, citizenId: otherCitizenId);
        await Object(other, grant, session, HttpStatusCode.NotFound);
        await Object(other, otherGrant, session, HttpStatusCode.NotFound);
        // Staff and the companion cannot object on the citizen's behalf: a caseworker reverses, the others may not.
        await Object(companion, grant, session, HttpStatusCode.Forbidden);
        await Object(coordinator, grant, session, HttpStatusCode.Forbidden);
        await Object(await factory.SignedIn(Municipality, Role.Finance), grant, session, HttpStatusCode.Forbidden);
        await Object(caseworker, grant, session, HttpStatusCode.Forbidden);
        (await factory.WithDb(db => db.Sessions.CountAsync(s => s.ReversalOf == session))).ShouldBe(0);

        // A session the citizen registered themselves is deleted, not objected to.
        var own = (await citizen.Post($"/api/grants/{grant}/sessions", new { date = "2026-06-08", start = "10:00", end = "11:00", activity = "sport", companionId }, HttpStatusCode.Created))
            .GetProperty("session").Id();
        await Object(citizen, grant, own, HttpStatusCode.Forbidden);

        await Object(citizen, grant, session);
        await Object(citizen, grant, Guid.NewGuid(), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Upheld_TheHoursStayBack_NotUpheld_TheSessionCountsAgain_AndEitherIsDecidedOnce()
    {
        var (caseworker, citizen, grant) = await CitizenWithGrant();
        var before = await Available(citizen, grant);
        var first = await Session(caseworker, grant, "2026-06-02", 1.5m);
        var second = await Session(caseworker, grant, "2026-06-03", 2);
        // Nothing to decide before the citizen objects.
        (await Decide(caseworker, grant, first, upheld: true, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("id", out _).ShouldBeTrue();
        await Object(citizen, grant, first);
        await Object(citizen, grant, second);
        (await Available(citizen, grant)).ShouldBe(before);
        await Decide(citizen, grant, first, upheld: true, HttpStatusCode.Forbidden);

        var upheld = await Decide(caseworker, grant, first, upheld: true);
        upheld.Id().ShouldBe(first);
        (await Available(citizen, grant)).ShouldBe(before);
        var decided = await factory.WithDb(db => db.Sessions.SingleAsync(s => s.ReversalOf == first));
        decided.ObjectionUpheld.ShouldBe(true);
        decided.ObjectionDecidedAt.ShouldNotBeNull();

        var rebooked = await Decide(caseworker, grant, second, upheld: false);
        rebooked.Id().ShouldNotBe(second);
        rebooked.GetProperty("hours").GetDecimal().ShouldBe(2);
        rebooked.Str("date").ShouldBe("2026-06-03");
        rebooked.Str("reason").ShouldStartWith(SessionEndpoints.ObjectionNotUpheld);
        rebooked.GetProperty("confirmedOnBehalf").GetBoolean().ShouldBeTrue();
        (await Available(citizen, grant)).ShouldBe(before - 2);

        // Decided is decided: not again, and the session booked again cannot be objected to again (the citizen may complain instead).
        (await Decide(caseworker, grant, first, upheld: false, HttpStatusCode.Conflict)).Str("code").ShouldBe("OBJECTION_DECIDED");
        (await Decide(caseworker, grant, second, upheld: true, HttpStatusCode.Conflict)).Str("code").ShouldBe("OBJECTION_DECIDED");
        (await Object(citizen, grant, rebooked.Id(), HttpStatusCode.Conflict)).Str("code").ShouldBe("OBJECTION_DECIDED");
        (await Available(citizen, grant)).ShouldBe(before - 2);
        (await DecisionsRecorded(first), await DecisionsRecorded(second), await BookedAgain(grant)).ShouldBe((1, 1, 1));
        await BalanceEqualsItsEntries(citizen, grant);
    }

    [Fact]
    public async Task NotUpheld_WhenTheHoursHaveSinceBeenUsed_IsRefusedWithTheReason_NothingIsRecorded_AndTheObjectionStaysOpen()
    {
        var (caseworker, citizen, grant) = await CitizenWithGrant();
        var all = await Available(citizen, grant);
        var objected = await Session(caseworker, grant, "2026-06-04", all);
        await Object(citizen, grant, objected);
        // The hours the objection gave back are spent on another session before the caseworker decides.
        var later = await Session(caseworker, grant, "2026-06-05", all);
        (await Available(citizen, grant)).ShouldBe(0);

        var refused = await Decide(caseworker, grant, objected, upheld: false, HttpStatusCode.UnprocessableEntity);
        refused.Str("code").ShouldBe("EXCEEDS_BALANCE");
        refused.Str("title").ShouldContain("kan ikke bogføres igen");
        refused.GetProperty("errors").GetProperty("upheld")[0].GetString()!.ShouldNotBeNullOrWhiteSpace();
        (await DecisionsRecorded(objected), await BookedAgain(grant)).ShouldBe((0, 0));
        (await factory.WithDb(db => db.Sessions.SingleAsync(s => s.ReversalOf == objected))).ObjectionDecidedAt.ShouldBeNull();
        (await Available(citizen, grant)).ShouldBe(0);

        // What the refusal suggests: reverse the later session first; then the objected one is booked again.
        await caseworker.Post($"/api/grants/{grant}/sessions/{later}/reverse", new { reason = "Registreret på den forkerte dag" }, HttpStatusCode.Created);
        await Decide(caseworker, grant, objected, upheld: false);
        (await Available(citizen, grant)).ShouldBe(0);
        (await DecisionsRecorded(objected), await BookedAgain(grant)).ShouldBe((1, 1));
        await BalanceEqualsItsEntries(citizen, grant);
    }

    [Fact]
    public async Task NotUpheld_WhenTheCompanionHasSinceBeenBookedAtThatTime_IsRefusedAsBusy_SoTheCompanionIsNeverWithTwoCitizensAtOnce()
    {
        var (caseworker, citizenId, grant) = await factory.Granted(Municipality);
        var citizen = await factory.SignedIn(Municipality, Role.Citizen, citizenId: citizenId);
        var (_, _, otherGrant) = await factory.Granted(Municipality);
        var (coordinator, companionId) = await factory.EmployedCompanion(Municipality);
        await coordinator.AssignCompanion(grant, companionId, "2026-01-01");
        await coordinator.AssignCompanion(otherGrant, companionId, "2026-01-01");
        var companion = await factory.SignedIn(Municipality, Role.Companion, companionId: companionId);
        var objected = (await companion.Post($"/api/grants/{grant}/sessions", new { date = "2026-06-10", start = "10:00", end = "12:00", activity = "sport" }, HttpStatusCode.Created))
            .GetProperty("session").Id();
        await Object(citizen, grant, objected);
        // The objection freed the companion's morning, and another citizen's session took it.
        var other = (await companion.Post($"/api/grants/{otherGrant}/sessions", new { date = "2026-06-10", start = "11:00", end = "13:00", activity = "cinema" }, HttpStatusCode.Created))
            .GetProperty("session").Id();

        var refused = await Decide(caseworker, grant, objected, upheld: false, HttpStatusCode.Conflict);
        refused.Str("code").ShouldBe("COMPANION_BUSY");
        refused.Str("title").ShouldContain("kan ikke bogføres igen");
        refused.GetProperty("errors").TryGetProperty("upheld", out _).ShouldBeTrue();
        (await DecisionsRecorded(objected), await BookedAgain(grant)).ShouldBe((0, 0));

        // Once the other session is reversed, the objected one is booked again.
        await caseworker.Post($"/api/grants/{otherGrant}/sessions/{other}/reverse", new { reason = "Registreret på den forkerte dag" }, HttpStatusCode.Created);
        await Decide(caseworker, grant, objected, upheld: false);
        (await DecisionsRecorded(objected), await BookedAgain(grant)).ShouldBe((1, 1));
    }

    [Fact]
    public async Task TwentyParallelDecisionsOnOneObjection_RecordOne_BookAgainAtMostOnce_AndTheBalanceEqualsItsEntries()
    {
        var (caseworker, citizen, grant) = await CitizenWithGrant();
        var before = await Available(citizen, grant);
        var session = await Session(caseworker, grant, "2026-06-11", 3);
        await Object(citizen, grant, session);
        // Half say upheld, half not: whichever comes first is the decision.
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => caseworker.PostAsJsonAsync(
            $"/api/grants/{grant}/sessions/{session}/objection/decision", new { upheld = i % 2 == 0, note = $"Afgørelse {i}" })));
        answers.ShouldAllBe(a => (int)a.StatusCode < 500);
        answers.Count(a => a.StatusCode == HttpStatusCode.OK).ShouldBe(1);
        answers.Count(a => a.StatusCode == HttpStatusCode.Conflict).ShouldBe(19);
        (await DecisionsRecorded(session)).ShouldBe(1);
        var upheld = (await factory.WithDb(db => db.Sessions.SingleAsync(s => s.ReversalOf == session))).ObjectionUpheld!.Value;
        (await BookedAgain(grant)).ShouldBe(upheld ? 0 : 1);
        (await Available(citizen, grant)).ShouldBe(upheld ? before : before - 3);
        await BalanceEqualsItsEntries(citizen, grant);
        Summary.Line($"Objection race ({Provider}): 20 parallel decisions on one objection → 1 decision, booked again {(upheld ? 0 : 1)} time(s)");
    }

    [Fact]
    public async Task OnTwoServerInstances_ParallelDecisionsRecordOne_AndADecisionRacingRegistrationsOnTheGrantIsNotTakenForDecided()
    {
        await using var second = factory.SecondInstance();
        var (caseworker, citizenId, grant) = await factory.Granted(Municipality);
        var citizen = await factory.SignedIn(Municipality, Role.Citizen, citizenId: citizenId);
        var elsewhere = await factory.SignedIn(Municipality, Role.Caseworker, on: second);

        // Without a lock between them, the database decides which decision is the one.
        var session = await Session(caseworker, grant, "2026-06-01", 1);
        await Object(citizen, grant, session);
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? caseworker : elsewhere).PostAsJsonAsync(
            $"/api/grants/{grant}/sessions/{session}/objection/decision", new { upheld = i % 4 < 2, note = $"Afgørelse {i}" })));
        answers.ShouldAllBe(a => (int)a.StatusCode < 500);
        answers.Count(a => a.StatusCode == HttpStatusCode.OK).ShouldBe(1);
        answers.Count(a => a.StatusCode == HttpStatusCode.Conflict).ShouldBe(19);
        (await DecisionsRecorded(session)).ShouldBe(1);

        // Registrations on the other instance move the grant's version while a decision is being saved: the decision
        // is tried again on the grant as it now is, not refused as if someone had decided already.
        var objected = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            objected.Add(await Session(caseworker, grant, "2026-06-02", 0.25m));
            await Object(citizen, grant, objected[^1]);
        }
        var refusedAsDecided = 0;
        foreach (var id in objected)
        {
            var registrations = Enumerable.Range(0, 4).Select(_ => elsewhere.PostAsJsonAsync($"/api/grants/{grant}/sessions", new { date = "2026-06-03", hours = 0.25m, activity = "sport" })).ToList();
            var decision = await caseworker.PostAsJsonAsync($"/api/grants/{grant}/sessions/{id}/objection/decision", new { upheld = true, note = "Ledsageren kan ikke dokumentere turen." });
            (await Task.WhenAll(registrations)).ShouldAllBe(r => r.StatusCode == HttpStatusCode.Created);
            refusedAsDecided += decision.StatusCode == HttpStatusCode.Conflict ? 1 : 0;
            ((int)decision.StatusCode is 200 or 409).ShouldBeTrue(await decision.Content.ReadAsStringAsync());
        }
        refusedAsDecided.ShouldBe(0);
        await BalanceEqualsItsEntries(citizen, grant);
    }

    [Fact]
    public async Task TwentyParallelObjectionsToOneSession_ReverseItOnce()
    {
        var (caseworker, citizen, grant) = await CitizenWithGrant();
        var before = await Available(citizen, grant);
        var session = await Session(caseworker, grant, "2026-06-12", 2.5m);
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => citizen.PostAsJsonAsync(
            $"/api/grants/{grant}/sessions/{session}/objection", new { reason = "Vi var ikke ude den dag." })));
        answers.ShouldAllBe(a => (int)a.StatusCode < 500);
        answers.Count(a => a.StatusCode == HttpStatusCode.Created).ShouldBe(1);
        answers.Count(a => a.StatusCode == HttpStatusCode.Conflict).ShouldBe(19);
        (await factory.WithDb(db => db.Sessions.CountAsync(s => s.ReversalOf == session))).ShouldBe(1);
        (await factory.WithDb(db => db.Audit.CountAsync(a => a.Action == "object" && a.EntityId == session.ToString()))).ShouldBe(1);
        (await Available(citizen, grant)).ShouldBe(before);
        await BalanceEqualsItsEntries(citizen, grant);
        Summary.Line($"Objection race ({Provider}): 20 parallel objections to one session → 1 reversal");
    }

    [Fact]
    public async Task BadInput_IsRefusedNamingTheField_AndNothingIsSaved()
    {
        var (caseworker, citizen, grant) = await CitizenWithGrant();
        var session = await Session(caseworker, grant, "2026-06-01", 1);
        var url = $"/api/grants/{grant}/sessions/{session}";

        // The objection: a reason is required, and kept short.
        (await citizen.Post($"{url}/objection", new { }, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("reason", out _).ShouldBeTrue();
        (await citizen.Post($"{url}/objection", new { reason = new string('x', 401) }, HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("reason")[0].GetString()!.ShouldContain("400 tegn");
        (await factory.WithDb(db => db.Sessions.CountAsync(s => s.ReversalOf == session))).ShouldBe(0);

        await Object(citizen, grant, session);
        var decision = $"{url}/objection/decision";
        var missing = await caseworker.Post(decision, new { note = "Ledsageren har billeder fra turen." }, HttpStatusCode.BadRequest);
        missing.GetProperty("errors").GetProperty("upheld")[0].GetString()!.ShouldContain("medhold");
        missing.GetProperty("errors").TryGetProperty("note", out _).ShouldBeFalse();
        (await caseworker.Post(decision, new { upheld = false, note = new string('x', 1001) }, HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("note")[0].GetString()!.ShouldContain("1000 tegn");
        (await caseworker.Post(decision, new { upheld = true }, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("note", out _).ShouldBeTrue();
        // A value of the wrong type is named too, not a 500.
        (await caseworker.Post(decision, new { upheld = "ja", note = "x" }, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("upheld", out _).ShouldBeTrue();

        (await DecisionsRecorded(session), await BookedAgain(grant)).ShouldBe((0, 0));
        (await factory.WithDb(db => db.Sessions.SingleAsync(s => s.ReversalOf == session))).ObjectionDecidedAt.ShouldBeNull();
        await BalanceEqualsItsEntries(citizen, grant);
    }
}

[Collection("sqlite")]
public sealed class SqliteObjectionTests(SqliteFactory factory) : ObjectionTests(factory), IClassFixture<SqliteFactory>;

[Collection("postgres")]
public sealed class PostgresObjectionTests(PostgresFactory factory) : ObjectionTests(factory), IClassFixture<PostgresFactory>;
