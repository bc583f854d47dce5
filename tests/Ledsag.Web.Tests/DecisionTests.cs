using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ledsag.Web.Data;
using Microsoft.EntityFrameworkCore;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>
/// Decisions that hold up at Ankestyrelsen, over HTTP through the real pipeline: the decision check, one grant in force,
/// dates, complaints that change outcomes, partshøring, reasons from the standard, ending a grant, savings agreements and
/// deadlines that close. The fake clock stands at 2026-06-15 (a Monday). The same suite runs on SQLite and PostgreSQL.
/// </summary>
public abstract class DecisionTests(LedsagFactory factory)
{
    private static int _serial;

    private static string NextCpr() => $"{1 + (Interlocked.Increment(ref _serial) % 28):00}0{1 + (_serial / 28 % 9)}8{_serial % 10}-{4000 + _serial:0000}";

    private async Task<(HttpClient Client, Guid Citizen)> CitizenIn(string municipality)
    {
        var client = await factory.SignedIn(municipality, Role.Caseworker);
        var citizen = await client.Post("/api/citizens", new { cpr = NextCpr(), name = "Test Borger", address = "Testvej 1, 6100 Haderslev" }, HttpStatusCode.Created);
        return (client, citizen.Id());
    }

    private static async Task<Guid> Assessed(HttpClient client, Guid citizen, string received = "2026-05-01", object? facts = null)
    {
        var id = (await client.Post("/api/cases", new { citizenId = citizen, receivedOn = received, channel = "telefon" }, HttpStatusCode.Created)).Id();
        await client.Post($"/api/cases/{id}/assessment", new { assessedOn = received, facts = facts ?? new { } });
        return id;
    }

    private static async Task<JsonElement> Refused(HttpClient client, Guid caseId, object body) =>
        await client.Post($"/api/cases/{caseId}/decision", body, HttpStatusCode.UnprocessableEntity);

    private static IEnumerable<string> DefectCodes(JsonElement problem) => problem.GetProperty("defects").EnumerateArray().Select(d => d.Str("code"));

    [Theory]
    [InlineData(20)]
    [InlineData(10)]
    public async Task AGrantOfAnyOtherFigureThan15_IsRefusedNamingSection97(int hours)
    {
        var (client, citizen) = await CitizenIn("lejre");
        var id = await Assessed(client, citizen);
        var problem = await Refused(client, id, new { decidedOn = "2026-05-20", outcome = "grant", start = "2026-06-01", hoursPerMonth = hours, justification = "Særligt behov." });
        problem.Str("code").ShouldBe("DECISION_CHECK_FAILED");
        (await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-05-20", outcome = "grant", start = "2026-06-01", end = "2026-12-31" }, HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("end")[0].GetString()!.ShouldContain("ikke tidsbegrænset");
        var defect = problem.GetProperty("defects").EnumerateArray().Single(d => d.Str("code") == "HOURS_NOT_LAWFUL");
        defect.Str("source").ShouldContain("SEL § 97 stk. 1");
        problem.GetProperty("errors").GetProperty("hoursPerMonth")[0].GetString()!.ShouldContain("15 timer");
        (await factory.WithDb(db => db.Grants.CountAsync(g => g.CitizenId == citizen))).ShouldBe(0);
    }

    [Fact]
    public async Task ABotilbudGiving15HoursOrMore_IsARefusal_NotAZeroHourGrant()
    {
        var (client, citizen) = await CitizenIn("haderslev");
        var id = (await client.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-05-01", channel = "telefon" }, HttpStatusCode.Created)).Id();
        var assessed = await client.Post($"/api/cases/{id}/assessment", new { assessedOn = "2026-05-05", facts = new { livesInBotilbud = true, botilbudCompanionHoursPerMonth = 15 } });
        var recommendation = assessed.GetProperty("steps").EnumerateArray().Last(s => s.Str("kind") == "recommendation").GetProperty("data");
        recommendation.Str("kind").ShouldBe("deny");
        recommendation.GetProperty("reasons")[0].Str("code").ShouldBe("BOTILBUD_COVERS_HOURS");
        var problem = await Refused(client, id, new { decidedOn = "2026-05-20", outcome = "grant", start = "2026-06-01", justification = "x" });
        DefectCodes(problem).ShouldContain("NOTHING_TO_GRANT");
    }

    [Fact]
    public async Task AReducedBotilbudGrant_IsAPartialRefusal_WithPartshoeringAndItsReasonInTheLetter()
    {
        var (client, citizen) = await CitizenIn("ballerup");
        var id = (await client.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-05-01", channel = "telefon" }, HttpStatusCode.Created)).Id();
        await client.Post($"/api/cases/{id}/assessment", new { assessedOn = "2026-05-05", facts = new { livesInBotilbud = true, botilbudCompanionHoursPerMonth = 6 } });
        var problem = await Refused(client, id, new { decidedOn = "2026-05-20", outcome = "grant", start = "2026-06-01" });
        DefectCodes(problem).ShouldBe(["JUSTIFICATION_MISSING", "CONSULTATION_MISSING"], ignoreOrder: true);
        await client.Consult(id, "2026-05-06");
        var decided = await client.Post($"/api/cases/{id}/decision", new
        {
            decidedOn = "2026-05-20", outcome = "grant", start = "2026-06-01", justification = "Botilbuddet giver dig 6 timers individuel ledsagelse om måneden.",
        });
        var step = decided.GetProperty("steps").EnumerateArray().Last(s => s.Str("kind") == "decision").GetProperty("data");
        step.GetProperty("hoursPerMonth").GetDecimal().ShouldBe(9);
        step.GetProperty("partialRefusal").GetBoolean().ShouldBeTrue();
        var letter = await factory.WithDb(db => db.Letters.Where(l => l.CaseId == id && l.Kind == "grant").Select(l => l.Body).SingleAsync());
        letter.ShouldContain("## Delvist afslag");
        letter.ShouldContain("## Opsparing af timer");
        letter.ShouldContain("## Tilskud til udgifter");
    }

    [Fact]
    public async Task DecisionDates_FollowTheApplication_AndTheComplaintPeriodRunsFromTheLetter()
    {
        var (client, citizen) = await CitizenIn("haderslev");
        var id = await Assessed(client, citizen, "2026-05-01");
        DefectCodes(await Refused(client, id, new { decidedOn = "2026-04-20", outcome = "grant", start = "2026-06-01" })).ShouldContain("DECIDED_BEFORE_RECEIVED");
        DefectCodes(await Refused(client, id, new { decidedOn = "2026-06-16", outcome = "grant", start = "2026-06-01" })).ShouldContain("DECIDED_IN_FUTURE");
        // Decided 20 May but sent today by physical letter: received 6 working days later (23 June), 4 weeks from then.
        var decided = await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-05-20", outcome = "grant", start = "2026-06-01", delivery = "letter" });
        decided.Deadline("complaint_due").Str("dueOn").ShouldBe("2026-07-21");
    }

    [Fact]
    public async Task ARefusal_WaitsForPartshoering_AndTheCitizensAnswerByAnyChannel()
    {
        var (client, citizen) = await CitizenIn("haderslev");
        var id = await Assessed(client, citizen, "2026-05-01", new { hasBpa96 = true });
        var refusal = new { decidedOn = "2026-06-10", outcome = "refusal", reasons = new[] { "HAS_BPA_96" }, justification = "Du har BPA efter § 96." };
        DefectCodes(await Refused(client, id, refusal)).ShouldBe(["CONSULTATION_MISSING"]);
        var draft = await client.Post($"/api/cases/{id}/draft", new { sentOn = "2026-06-08", outcome = "refusal", summary = "Vi overvejer afslag." });
        draft.Deadline("consultation_due").Str("dueOn").ShouldBe("2026-06-22"); // no period in Haderslev's standard: 14 days
        DefectCodes(await Refused(client, id, refusal)).ShouldBe(["CONSULTATION_RUNNING"]);
        await client.Post($"/api/cases/{id}/draft/answer", new { receivedOn = "2026-06-09", channel = "telefon", kind = "answer", text = "Jeg har BPA, men ønsker ledsagelse." });
        var decided = await client.Post($"/api/cases/{id}/decision", refusal);
        decided.Str("state").ShouldBe("Refused");
        decided.GetProperty("steps").EnumerateArray().ShouldContain(s => s.Str("kind") == "draft_answer");
    }

    [Fact]
    public async Task ARefusal_CitingACriterionOutsideTheMunicipalitysStandard_IsRefused()
    {
        var (client, citizen) = await CitizenIn("ballerup");
        var id = await Assessed(client, citizen);
        await client.Consult(id, "2026-05-02", "refusal");
        var problem = await Refused(client, id, new { decidedOn = "2026-05-20", outcome = "refusal", reasons = new[] { "NEEDS_HEALTH_CARE" }, justification = "Behov for sundhedsfaglig hjælp." });
        DefectCodes(problem).ShouldBe(["REASON_NOT_IN_STANDARD"]);
        problem.GetProperty("errors").GetProperty("reasons[0]")[0].GetString()!.ShouldContain("Ballerup");
    }

    [Fact]
    public async Task TheCheck_ListsEveryDefectWithItsSource_BeforeSending()
    {
        var (client, citizen) = await CitizenIn("haderslev");
        var id = await Assessed(client, citizen, "2026-05-01", new { hasBpa96 = true });
        var check = await client.Post($"/api/cases/{id}/decision/check", new { decidedOn = "2026-04-01", outcome = "refusal", reasons = new[] { "FUNCTIONAL_LEVEL_LOW" } });
        check.GetProperty("canSend").GetBoolean().ShouldBeFalse();
        var codes = check.GetProperty("defects").EnumerateArray().Select(d => d.Str("code")).ToList();
        codes.ShouldBe(["DECIDED_BEFORE_RECEIVED", "DECIDED_BEFORE_ASSESSMENT", "JUSTIFICATION_MISSING", "REASON_NOT_IN_STANDARD", "CONSULTATION_MISSING"], ignoreOrder: true);
        check.GetProperty("defects").EnumerateArray().ShouldAllBe(d => d.Str("source").Length > 0);
        var fine = await client.Post($"/api/cases/{id}/decision/check", new { decidedOn = "2026-05-20", outcome = "refusal", reasons = new[] { "HAS_BPA_96" }, justification = "BPA.", informationFromCitizenOnly = true });
        fine.GetProperty("canSend").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task TheStatistics_CountWhatTheCheckFound_FixedAndLetThrough()
    {
        var (client, citizen) = await CitizenIn("haderslev");
        var id = await Assessed(client, citizen, "2026-05-01", new { hasBpa96 = true });
        static JsonElement June(JsonElement stats) => stats.GetProperty("months")[5];
        var before = June(await client.Get("/api/statistics?year=2026"));
        var check = await client.Post($"/api/cases/{id}/decision/check", new { decidedOn = "2026-06-15", outcome = "refusal", reasons = new[] { "HAS_BPA_96" } });
        check.GetProperty("blocking").GetInt32().ShouldBe(2); // no begrundelse, no partshøring
        await client.Consult(id, "2026-06-10", "refusal");
        await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-06-15", outcome = "refusal", reasons = new[] { "HAS_BPA_96" }, justification = "Du har BPA." });
        var after = June(await client.Get("/api/statistics?year=2026"));
        (after.GetProperty("checkDefectsFound").GetInt32() - before.GetProperty("checkDefectsFound").GetInt32()).ShouldBe(2);
        (after.GetProperty("checkDefectsFixed").GetInt32() - before.GetProperty("checkDefectsFixed").GetInt32()).ShouldBe(2);
        (after.GetProperty("checkWarningsOverridden").GetInt32() - before.GetProperty("checkWarningsOverridden").GetInt32()).ShouldBe(0);
    }

    [Fact]
    public async Task AComplaintUpheldInFull_ReplacesTheGrant_AndTheLedgerStaysWhole()
    {
        var (client, citizen) = await CitizenIn("haderslev");
        var id = (await client.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-01-05", channel = "telefon" }, HttpStatusCode.Created)).Id();
        await client.Post($"/api/cases/{id}/assessment", new { assessedOn = "2026-01-10", facts = new { livesInBotilbud = true, botilbudCompanionHoursPerMonth = 5 } });
        await client.Consult(id, "2026-01-12");
        var first = (await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-01-20", outcome = "grant", start = "2026-02-01", justification = "Botilbuddet giver 5 timer." })).Id("grantId");
        await client.Post($"/api/grants/{first}/savings-agreements", new { from = "2026-02-01", to = "2026-12-31", agreedOn = "2026-01-20", agreedDocumentation = "Underskrevet aftale i sagen", purpose = "Rejse" }, HttpStatusCode.Created);
        await client.Post($"/api/grants/{first}/sessions", new { date = "2026-02-10", hours = 4, activity = "cinema" }, HttpStatusCode.Created);
        var before = await client.Get($"/api/grants/{first}/balance?date=2026-04-30");
        before.GetProperty("available").GetDecimal().ShouldBe(26); // 3 × 10 − 4

        await client.Post($"/api/cases/{id}/complaint", new { receivedOn = "2026-05-04", text = "Botilbuddets ledsagelse er fællesture." });
        var upheld = await client.Post($"/api/cases/{id}/complaint/reassessment", new { decidedOn = "2026-05-18", outcome = "full", justification = "Fællesture tæller ikke (BEK § 5 stk. 2)." });
        upheld.Str("state").ShouldBe("InAssessment");
        upheld.Deadline("new_decision_due").Str("dueOn").ShouldBe("2026-07-13"); // 4 weeks from today, no earlier
        await client.Post($"/api/cases/{id}/assessment", new { assessedOn = "2026-05-20", facts = new { livesInBotilbud = true, botilbudCompanionHoursPerMonth = 0 } });
        var decided = await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-05-25", outcome = "grant", start = "2026-05-01" });
        decided.HasOpenDeadline("new_decision_due").ShouldBeFalse();
        var second = decided.Id("grantId");
        second.ShouldNotBe(first);

        (await factory.WithDb(db => db.Grants.CountAsync(g => g.CitizenId == citizen && g.InForceCitizenId != null))).ShouldBe(1);
        var old = await client.Get($"/api/grants/{first}");
        old.Str("endReason").ShouldBe("replaced");
        old.Str("end").ShouldBe("2026-04-30");
        // The session and the agreement moved with the grant; the saved hours from February–April are still there, and May is 15 hours.
        (await factory.WithDb(db => db.Sessions.CountAsync(s => s.GrantId == second))).ShouldBe(1);
        var after = await client.Get($"/api/grants/{second}/balance?date=2026-05-31");
        after.GetProperty("available").GetDecimal().ShouldBe(41); // 26 saved + 15
        after.GetProperty("usedTotal").GetDecimal().ShouldBe(4);
        // Nothing is booked on the replaced grant any more: its months are the new grant's.
        (await client.Post($"/api/grants/{first}/sessions", new { date = "2026-03-10", hours = 10, activity = "cinema" }, HttpStatusCode.Conflict)).Str("code").ShouldBe("GRANT_REPLACED");
    }

    [Fact]
    public async Task TwentyParallelDecisions_ForOneCitizen_LeaveExactlyOneGrantInForce()
    {
        var (client, citizen) = await CitizenIn("lejre");
        var cases = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            cases.Add(await Assessed(client, citizen, "2026-05-01"));
        }
        var responses = await Task.WhenAll(cases.Select(id =>
            client.PostAsync($"/api/cases/{id}/decision", JsonContent.Create(new { decidedOn = "2026-05-20", outcome = "grant", start = "2026-06-01" }))));
        responses.ShouldAllBe(r => r.StatusCode == HttpStatusCode.OK || r.StatusCode == HttpStatusCode.Conflict);
        responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBeGreaterThan(0);
        (await factory.WithDb(db => db.Grants.CountAsync(g => g.CitizenId == citizen && g.InForceCitizenId != null))).ShouldBe(1);
    }

    [Fact]
    public async Task TheSameDecisionTwentyTimesAtOnce_IsRecordedOnce()
    {
        var (client, citizen) = await CitizenIn("haderslev");
        var id = await Assessed(client, citizen);
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            client.PostAsync($"/api/cases/{id}/decision", JsonContent.Create(new { decidedOn = "2026-05-20", outcome = "grant", start = "2026-06-01" }))));
        responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(1);
        responses.ShouldAllBe(r => r.StatusCode == HttpStatusCode.OK || r.StatusCode == HttpStatusCode.Conflict);
        (await factory.WithDb(db => db.Grants.CountAsync(g => g.CitizenId == citizen))).ShouldBe(1);
        (await factory.WithDb(db => db.Letters.CountAsync(l => l.CaseId == id && l.Kind == "grant"))).ShouldBe(1);
    }

    [Fact]
    public async Task Lejre_ForwardsAPartlyUpheldComplaint_WithoutWaitingForTheCitizen_AndANewDecisionCanBeRecorded()
    {
        var (client, citizen) = await CitizenIn("lejre");
        var id = await Assessed(client, citizen, "2026-04-01");
        await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-04-10", outcome = "grant", start = "2026-05-01" });
        await client.Post($"/api/cases/{id}/complaint", new { receivedOn = "2026-06-01", text = "Uenig i startdatoen." });
        var partial = await client.Post($"/api/cases/{id}/complaint/reassessment", new { decidedOn = "2026-06-10", outcome = "partial", justification = "Delvist medhold." });
        partial.Str("state").ShouldBe("ComplaintPartlyUpheld");
        partial.HasOpenDeadline("maintain_due").ShouldBeFalse();
        partial.Deadline("forward_due").Str("dueOn").ShouldBe("2026-06-29"); // 4 weeks from the complaint's receipt (§ 66)
        await client.Post($"/api/cases/{id}/complaint/maintained", new { on = "2026-06-12" }, HttpStatusCode.Conflict);
        var decided = await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-06-12", outcome = "grant", start = "2026-04-15" });
        decided.Str("state").ShouldBe("ComplaintPartlyUpheld");
        (await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-06-12", outcome = "grant", start = "2026-04-15" }, HttpStatusCode.Conflict))
            .Str("code").ShouldBe("ALREADY_DECIDED");
        var forwarded = await client.Post($"/api/cases/{id}/complaint/forwarded", new { on = "2026-06-15" });
        forwarded.Str("state").ShouldBe("ComplaintForwarded");
        var complaintPeriods = forwarded.GetProperty("deadlines").EnumerateArray().Count(d => d.Str("kind") == "complaint_due");
        // A decision after forwarding does not invite a new complaint to the municipality.
        var after = await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-06-15", outcome = "grant", start = "2026-04-10" });
        after.GetProperty("steps").EnumerateArray().Last(s => s.Str("kind") == "decision").GetProperty("data").Str("klagevejledning").ShouldContain("sendt til Ankestyrelsen");
        after.GetProperty("deadlines").EnumerateArray().Count(d => d.Str("kind") == "complaint_due").ShouldBe(complaintPeriods);
        var letter = await factory.WithDb(db => db.Letters.Where(l => l.CaseId == id && l.Kind == "grant").OrderByDescending(l => l.CreatedAt).Select(l => l.Body).ToListAsync());
        letter.ShouldContain(b => b.Contains("Du skal ikke klage til kommunen igen"));
        (await factory.WithDb(db => db.Grants.CountAsync(g => g.CitizenId == citizen && g.InForceCitizenId != null))).ShouldBe(1);
    }

    [Fact]
    public async Task Bronderslev_WaitsForTheCitizenToMaintainAPartlyUpheldComplaint()
    {
        var (client, citizen) = await CitizenIn("bronderslev");
        var id = await Assessed(client, citizen, "2026-05-01");
        await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-05-10", outcome = "grant", start = "2026-05-15" });
        await client.Post($"/api/cases/{id}/complaint", new { receivedOn = "2026-06-01", text = "Uenig." });
        var partial = await client.Post($"/api/cases/{id}/complaint/reassessment", new { decidedOn = "2026-06-10", outcome = "partial", justification = "Delvist medhold." });
        partial.Deadline("maintain_due").Str("dueOn").ShouldBe("2026-07-13");
        partial.HasOpenDeadline("forward_due").ShouldBeFalse();
        await client.Post($"/api/cases/{id}/complaint/forwarded", new { on = "2026-06-15" }, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task ALateComplaint_IsFlagged_AndTheCaseworkerRecordsWhetherItIsDealtWith()
    {
        var (client, citizen) = await CitizenIn("haderslev");
        var id = await Assessed(client, citizen, "2026-05-01");
        await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-05-10", outcome = "grant", start = "2026-05-15" });
        await factory.WithDb(db => db.Deadlines.Where(d => d.CaseId == id && d.Kind == "complaint_due").ExecuteUpdateAsync(s => s.SetProperty(d => d.DueOn, new NodaTime.LocalDate(2026, 6, 8))));
        var problem = await client.Post($"/api/cases/{id}/complaint", new { receivedOn = "2026-06-12", text = "Uenig." }, HttpStatusCode.BadRequest);
        problem.GetProperty("errors").GetProperty("receivedOn")[0].GetString()!.ShouldContain("efter klagefristen");
        var rejected = await client.Post($"/api/cases/{id}/complaint", new { receivedOn = "2026-06-12", text = "Uenig.", lateDecision = "not_dealt_with", lateReason = "Ingen særlige grunde." });
        rejected.Str("state").ShouldBe("Granted");
        (await factory.WithDb(db => db.Letters.CountAsync(l => l.CaseId == id && l.Kind == "complaint_late"))).ShouldBe(1);
        var dealt = await client.Post($"/api/cases/{id}/complaint", new { receivedOn = "2026-06-12", text = "Uenig.", lateDecision = "dealt_with", lateReason = "Borgeren var indlagt." });
        dealt.Str("state").ShouldBe("ComplaintReceived");
    }

    [Fact]
    public async Task EndingAGrant_NoLongerInTheTargetGroup_IsADecisionWithLetterAndKlagevejledning_MovingAwayIsNot()
    {
        var (client, citizen) = await CitizenIn("haderslev");
        var id = await Assessed(client, citizen, "2026-03-01");
        var grant = (await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-03-10", outcome = "grant", start = "2026-04-01" })).Id("grantId");
        var end = new { endOn = "2026-07-31", reason = "no_longer_in_target_group", reasons = new[] { "CAN_MOVE_ALONE" }, justification = "Du kan nu færdes alene." };
        var problem = await client.Post($"/api/grants/{grant}/end", end, HttpStatusCode.UnprocessableEntity);
        problem.GetProperty("defects").EnumerateArray().Select(d => d.Str("code")).ShouldBe(["CONSULTATION_MISSING"]);
        await client.Consult(id, "2026-06-01", "end");
        await client.Post($"/api/grants/{grant}/end", end);
        var letter = await factory.WithDb(db => db.Letters.Where(l => l.CaseId == id && l.Kind == "grant_end").Select(l => l.Body).SingleAsync());
        letter.ShouldContain("## Klagevejledning");
        letter.ShouldContain("Du kan nu færdes alene.");
        (await client.Get($"/api/cases/{id}")).HasOpenDeadline("complaint_due").ShouldBeTrue();

        var (client2, citizen2) = await CitizenIn("haderslev");
        var id2 = await Assessed(client2, citizen2, "2026-03-01");
        var grant2 = (await client2.Post($"/api/cases/{id2}/decision", new { decidedOn = "2026-03-10", outcome = "grant", start = "2026-04-01" })).Id("grantId");
        await client2.Post($"/api/grants/{grant2}/end", new { endOn = "2026-06-30", reason = "moved" });
        (await factory.WithDb(db => db.Letters.CountAsync(l => l.CaseId == id2 && l.Kind == "grant_end"))).ShouldBe(0);
    }

    [Fact]
    public async Task ASavingsAgreement_CarriesTheDayItWasMade_AndNeverRevivesLapsedHours()
    {
        var (client, citizen) = await CitizenIn("gribskov");
        var id = await Assessed(client, citizen, "2025-12-01");
        var grant = (await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2025-12-10", outcome = "grant", start = "2026-01-01" })).Id("grantId");
        // Gribskov: no agreement, no saving.
        (await client.Get($"/api/grants/{grant}/balance?date=2026-05-31")).GetProperty("saved").GetDecimal().ShouldBe(0);
        await client.Post($"/api/grants/{grant}/savings-agreements", new { from = "2026-01-01", to = "2026-12-31", agreedOn = "2026-06-16", purpose = "Rejse" }, HttpStatusCode.BadRequest);
        // A back-dated day without saying where the agreement is documented is refused: it would bring lapsed hours back.
        var backDated = await client.Post($"/api/grants/{grant}/savings-agreements", new { from = "2026-01-01", to = "2026-12-31", agreedOn = "2026-01-01", purpose = "Rejse" },
            HttpStatusCode.BadRequest);
        backDated.GetProperty("errors").TryGetProperty("agreedDocumentation", out _).ShouldBeTrue();
        var made = await client.Post($"/api/grants/{grant}/savings-agreements", new { from = "2026-01-01", to = "2026-12-31", purpose = "Rejse" }, HttpStatusCode.Created);
        made.Str("agreedOn").ShouldBe("2026-06-15");
        var balance = await client.Get($"/api/grants/{grant}/balance?date=2026-06-15");
        balance.GetProperty("saved").GetDecimal().ShouldBe(0);
        balance.GetProperty("lapsedTotal").GetDecimal().ShouldBe(75);
        (await client.Get($"/api/grants/{grant}/balance?date=2026-07-01")).GetProperty("saved").GetDecimal().ShouldBe(15);
    }

    [Fact]
    public async Task Bronderslev_SavingsAgreement_NamesTheCompanionAndTheirExpenses()
    {
        var (client, citizen) = await CitizenIn("bronderslev");
        var id = await Assessed(client, citizen, "2026-05-01");
        var grant = (await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-05-10", outcome = "grant", start = "2026-05-15" })).Id("grantId");
        var problem = await client.Post($"/api/grants/{grant}/savings-agreements", new { from = "2026-06-01", to = "2026-11-30", purpose = "Rejse" }, HttpStatusCode.BadRequest);
        problem.GetProperty("errors").GetProperty("companionId")[0].GetString()!.ShouldContain("Brønderslev Kommunes kvalitetsstandard");
        problem.GetProperty("errors").TryGetProperty("companionExpenses", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task Bronderslev_StartDeadline_ClosesWithTheFirstSession_OrWhenTheHelpIsRecordedAsStarted()
    {
        var (client, citizen) = await CitizenIn("bronderslev");
        var id = await Assessed(client, citizen, "2026-05-01");
        var grant = (await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-06-05", outcome = "grant", start = "2026-06-08" })).Id("grantId");
        (await client.Get($"/api/cases/{id}")).HasOpenDeadline("start_due").ShouldBeTrue();
        await client.Post($"/api/grants/{grant}/sessions", new { date = "2026-06-10", hours = 2, activity = "cinema" }, HttpStatusCode.Created);
        var c = await client.Get($"/api/cases/{id}");
        c.HasOpenDeadline("start_due").ShouldBeFalse();
        c.Deadline("start_due").Str("closedHow").ShouldBe("first_session");

        var (client2, citizen2) = await CitizenIn("bronderslev");
        var id2 = await Assessed(client2, citizen2, "2026-05-01");
        await client2.Post($"/api/cases/{id2}/decision", new { decidedOn = "2026-06-05", outcome = "grant", start = "2026-06-08" });
        var started = await client2.Post($"/api/cases/{id2}/started", new { on = "2026-06-09", note = "Ledsager fundet." });
        started.Deadline("start_due").Str("closedHow").ShouldBe("started");
        var worklist = await client2.Get("/api/worklist?scope=municipality&kind=start_due");
        worklist.GetProperty("items").EnumerateArray().ShouldNotContain(i => i.Id("caseId") == id2);
    }

    [Fact]
    public async Task ADelayLetter_MarksTheDeadlineCitizenInformed_WithANewDateOnAWorkingDay()
    {
        var (client, citizen) = await CitizenIn("haderslev");
        var id = (await client.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-04-01", channel = "telefon" }, HttpStatusCode.Created)).Id();
        var delayed = await client.Post($"/api/cases/{id}/delay-letter", new { sentOn = "2026-05-20", expectedBy = "2026-06-27", reason = "Vi venter på lægen." });
        delayed.Deadline("decision_due").Str("closedHow").ShouldBe("citizen_informed");
        delayed.Deadline("decision_promised").Str("dueOn").ShouldBe("2026-06-29"); // 27 June is a Saturday
        var item = (await client.Get("/api/worklist?scope=municipality")).GetProperty("items").EnumerateArray().Single(i => i.Id("caseId") == id);
        item.GetProperty("citizenInformed").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task Gribskov_ApplicationsWithoutAPublishedProcessingTime_ReachTheWorklistByAge()
    {
        var (client, citizen) = await CitizenIn("gribskov");
        var older = (await client.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-03-01", channel = "telefon" }, HttpStatusCode.Created)).Id();
        var newer = (await client.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-06-01", channel = "telefon" }, HttpStatusCode.Created)).Id();
        var items = (await client.Get("/api/worklist?scope=municipality&kind=awaiting_decision")).GetProperty("items").EnumerateArray()
            .Where(i => i.Id("caseId") == older || i.Id("caseId") == newer).ToList();
        items.Select(i => i.Id("caseId")).ShouldBe([older, newer]);
        items[0].GetProperty("ageDays").GetInt32().ShouldBe(106);
    }

    [Fact]
    public async Task AGrantEndedButStillRunning_IsNotOverlappedByANewGrant()
    {
        var (client, citizen) = await CitizenIn("haderslev");
        var first = await Assessed(client, citizen, "2026-03-01");
        var grant = (await client.Post($"/api/cases/{first}/decision", new { decidedOn = "2026-03-10", outcome = "grant", start = "2026-04-01" })).Id("grantId");
        await client.Post($"/api/grants/{grant}/end", new { endOn = "2026-07-31", reason = "moved" });
        var second = await Assessed(client, citizen, "2026-06-01");
        var problem = await client.Post($"/api/cases/{second}/decision", new { decidedOn = "2026-06-10", outcome = "grant", start = "2026-07-01" }, HttpStatusCode.BadRequest);
        problem.GetProperty("errors").GetProperty("start")[0].GetString()!.ShouldContain("1. august 2026");
        await client.Post($"/api/cases/{second}/decision", new { decidedOn = "2026-06-10", outcome = "grant", start = "2026-08-01" });
    }

    [Fact]
    public async Task TheLawItself_ExcludesAGrant_ToACitizenWithBpa_WhateverTheBegrundelse()
    {
        var (client, citizen) = await CitizenIn("lejre");
        var id = await Assessed(client, citizen, "2026-05-01", new { hasBpa96 = true });
        var problem = await Refused(client, id, new { decidedOn = "2026-05-20", outcome = "grant", start = "2026-06-01", justification = "Borgeren ønsker det." });
        DefectCodes(problem).ShouldContain("GRANT_AGAINST_LAW");
        // And a refusal rests on what the assessment found.
        await client.Consult(id, "2026-05-02", "refusal");
        DefectCodes(await Refused(client, id, new { decidedOn = "2026-05-20", outcome = "refusal", reasons = new[] { "CAN_MOVE_ALONE" }, justification = "x" }))
            .ShouldBe(["REASON_AGAINST_ASSESSMENT"]);
    }

    [Fact]
    public async Task ABotilbudResident_NeedsTheHoursTheBotilbudGives_AndADecisionClosesItsDeadlineOnTheDayItIsSent()
    {
        var (client, citizen) = await CitizenIn("gribskov");
        var id = (await client.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-05-01", channel = "telefon" }, HttpStatusCode.Created)).Id();
        var problem = await client.Post($"/api/cases/{id}/assessment", new { assessedOn = "2026-05-05", facts = new { livesInBotilbud = true } }, HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty("facts.botilbudCompanionHoursPerMonth", out _).ShouldBeTrue();
        await client.Post($"/api/cases/{id}/assessment", new { assessedOn = "2026-04-30", facts = new { } }, HttpStatusCode.BadRequest); // before the application

        var (haderslev, other) = await CitizenIn("haderslev");
        var late = await Assessed(haderslev, other, "2026-03-02"); // decision due 27 April
        var decided = await haderslev.Post($"/api/cases/{late}/decision", new { decidedOn = "2026-04-20", outcome = "grant", start = "2026-05-01" });
        decided.Deadline("decision_due").Str("closedOn").ShouldBe("2026-06-15"); // sent today: the back-dated day does not hide the delay
    }

    [Fact]
    public async Task Bronderslev_DeductsCompanionshipGivenInTheOwnHome()
    {
        var (client, citizen) = await CitizenIn("bronderslev");
        var id = (await client.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-05-01", channel = "telefon" }, HttpStatusCode.Created)).Id();
        var assessed = await client.Post($"/api/cases/{id}/assessment", new { assessedOn = "2026-05-05", facts = new { ownHomeCompanionHoursPerMonth = 4 } });
        assessed.GetProperty("steps").EnumerateArray().Last(s => s.Str("kind") == "recommendation").GetProperty("data").GetProperty("hoursPerMonth").GetDecimal().ShouldBe(11);
    }
}

[Collection("sqlite")]
public sealed class SqliteDecisionTests(SqliteFactory factory) : DecisionTests(factory), IClassFixture<SqliteFactory>;

[Collection("postgres")]
public sealed class PostgresDecisionTests(PostgresFactory factory) : DecisionTests(factory), IClassFixture<PostgresFactory>;
