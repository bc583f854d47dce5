using System.Net;
using System.Net.Http.Json;
using Ledsag.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>Companions, sessions and money over HTTP, each role's part; the same suite on SQLite and PostgreSQL.</summary>
public abstract class CompanionAndMoneyTests(LedsagFactory factory)
{
    private static async Task Assign(HttpClient coordinator, Guid grant, Guid companion) =>
        await coordinator.AssignCompanion(grant, companion, "2026-01-01");

    /// <summary>A session the companion registered and the caseworker confirmed on the citizen's behalf, ready for payroll.</summary>
    private static async Task<Guid> Worked(HttpClient companion, HttpClient caseworker, Guid grant, string date, string start, string end)
    {
        var id = (await companion.Post($"/api/grants/{grant}/sessions", new { date, start, end, activity = "sport" }, HttpStatusCode.Created)).GetProperty("session").Id();
        await caseworker.Post($"/api/grants/{grant}/sessions/{id}/confirm", new { onBehalf = true, note = "Bekræftet i telefonen" });
        return id;
    }

    [Fact]
    public async Task Coordinator_ApprovesOnlyWithTheStandardsCriminalRecord_AndEmploys()
    {
        var coordinator = await factory.SignedIn("haderslev", Role.Coordinator);
        var id = (await coordinator.Post("/api/companions", new { name = "Ny Ledsager", availability = new[] { 1, 3 } }, HttpStatusCode.Created)).Id();
        var problem = await coordinator.Post($"/api/companions/{id}/approve", new { }, HttpStatusCode.BadRequest);
        problem.GetProperty("errors").GetProperty("criminalRecord")[0].GetString()!.ShouldContain("straffeattest");
        await coordinator.Post($"/api/companions/{id}/criminal-record", new { date = "2026-05-01", clean = true });
        (await coordinator.Post($"/api/companions/{id}/approve", new { })).Str("status").ShouldBe("Approved");
        (await coordinator.Post($"/api/companions/{id}/employ", new { })).Str("status").ShouldBe("Employed");

        // Lejre does not require a criminal record, but does not offer the cash grant; Ballerup does.
        var lejre = await factory.SignedIn("lejre", Role.Coordinator);
        // An employer the standard does not allow is refused when the companion is created, where it can still be changed.
        (await lejre.Post("/api/companions", new { name = "Kontant", employer = "cash_grant" }, HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty("employer")[0].GetString()!.ShouldContain("kontant tilskud");
        var ballerup = await factory.SignedIn("ballerup", Role.Coordinator);
        var ok = (await ballerup.Post("/api/companions", new { name = "Kontant", employer = "cash_grant" }, HttpStatusCode.Created)).Id();
        (await ballerup.Post($"/api/companions/{ok}/approve", new { })).Str("status").ShouldBe("Approved");
    }

    [Fact]
    public async Task ACitizensSpouse_IsBlocked_UntilACaseworkerRecordsAnException()
    {
        var (caseworker, citizenId, _) = await factory.Granted("bronderslev");
        var citizen = await factory.SignedIn("bronderslev", Role.Citizen, citizenId: citizenId);
        var nominee = (await citizen.Post("/api/companions", new { name = "Min ægtefælle", relation = "spouse" }, HttpStatusCode.Created)).Id();
        var coordinator = await factory.SignedIn("bronderslev", Role.Coordinator);
        (await coordinator.Post($"/api/companions/{nominee}/approve", new { }, HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("relation")[0].GetString()!.ShouldContain("nærtstående");
        await coordinator.Post($"/api/companions/{nominee}/relation-exception", new { reason = "x" }, HttpStatusCode.Forbidden);
        await caseworker.Post($"/api/companions/{nominee}/relation-exception", new { reason = "Ingen anden ledsager kan kommunikere med borgeren (tegnsprog)." });
        (await coordinator.Post($"/api/companions/{nominee}/approve", new { })).Str("status").ShouldBe("Approved");
    }

    [Fact]
    public async Task Matching_RanksByAreaAndNeeds_ThenProposalMeetingAndAcceptanceAssign()
    {
        var (_, citizen, grant) = await factory.Granted("gribskov", citizen: new { area = "Helsinge", needsWheelchairHelp = true });
        var (coordinator, far) = await factory.EmployedCompanion("gribskov", new { name = "Aaa Langt Væk", area = "Gilleleje" });
        var (_, near) = await factory.EmployedCompanion("gribskov", new { name = "Zzz Tæt På", area = "Helsinge", wheelchairExperience = true, availability = new[] { 1, 2, 3 } });
        var ranked = (await coordinator.Get($"/api/citizens/{citizen}/companion-suggestions")).EnumerateArray().ToList();
        var nearIndex = ranked.FindIndex(r => r.Id("companionId") == near);
        var farIndex = ranked.FindIndex(r => r.Id("companionId") == far);
        nearIndex.ShouldBeLessThan(farIndex);
        ranked[nearIndex].GetProperty("reasons").EnumerateArray().Select(r => r.GetString()).ShouldContain("samme område");
        var proposal = (await coordinator.Post("/api/match-proposals", new { citizenId = citizen, companionId = near, proposedOn = "2026-06-01" }, HttpStatusCode.Created)).Id();
        await coordinator.Post($"/api/match-proposals/{proposal}/meeting", new { meetingOn = "2026-06-05" });
        // Accepting assigns the companion: only after the close-relation declaration for this citizen.
        (await coordinator.Post($"/api/match-proposals/{proposal}/outcome", new { outcome = "accepted" }, HttpStatusCode.BadRequest))
            .GetProperty("errors").TryGetProperty("relationDeclaration", out _).ShouldBeTrue();
        await coordinator.Post($"/api/companions/{near}/relation-declarations", new { citizenId = citizen, relation = "none", declaredOn = "2026-06-05" }, HttpStatusCode.Created);
        (await coordinator.Post($"/api/match-proposals/{proposal}/outcome", new { outcome = "accepted", note = "Godt match." })).Str("outcome").ShouldBe("accepted");
        var companion = await factory.SignedIn("gribskov", Role.Companion, companionId: near);
        var schedule = await companion.Get("/api/companions/me/schedule");
        schedule.GetProperty("citizens").EnumerateArray().Single().Id("grantId").ShouldBe(grant);
    }

    [Fact]
    public async Task Companion_RegistersASession_TheCitizenConfirms_TheBalanceDrops_AndTheStatementShowsMileage()
    {
        var (_, citizenId, grant) = await factory.Granted("lejre");
        var (coordinator, companionId) = await factory.EmployedCompanion("lejre");
        await Assign(coordinator, grant, companionId);
        var companion = await factory.SignedIn("lejre", Role.Companion, companionId: companionId);
        var citizen = await factory.SignedIn("lejre", Role.Citizen, citizenId: citizenId);
        (await citizen.Get($"/api/grants/{grant}/balance?date=2026-06-10")).GetProperty("available").GetDecimal().ShouldBe(15);
        var booked = await companion.Post($"/api/grants/{grant}/sessions", new { date = "2026-06-10", start = "10:00", end = "13:30", activity = "cinema", km = 20 }, HttpStatusCode.Created);
        booked.GetProperty("balance").GetProperty("available").GetDecimal().ShouldBe(11.5m);
        var sessionId = booked.GetProperty("session").Id();
        await companion.Post($"/api/grants/{grant}/sessions/{sessionId}/confirm", new { }, HttpStatusCode.Forbidden);
        (await citizen.Post($"/api/grants/{grant}/sessions/{sessionId}/confirm", new { })).GetProperty("confirmed").GetBoolean().ShouldBeTrue();
        var statement = await citizen.Get($"/api/grants/{grant}/statement?month=2026-06");
        statement.GetProperty("totalHours").GetDecimal().ShouldBe(3.5m);
        statement.GetProperty("mileageToSettle").GetDecimal().ShouldBe(45.60m); // 20 km × 2,28 kr. (2026)
        await companion.Post($"/api/grants/{grant}/planned", new { date = "2026-06-20", start = "18:00", end = "21:00", activity = "theatre_concert" }, HttpStatusCode.Created);
        var feedUrl = (await companion.Get("/api/companions/me/schedule")).Str("calendarFeed");
        var ics = await factory.CreateClient().GetStringAsync(feedUrl);
        ics.ShouldStartWith("BEGIN:VCALENDAR");
        ics.ShouldContain("DTSTART;TZID=Europe/Copenhagen:20260620T180000");
        ics.ShouldContain("Gennemført ledsagelse med Borger: "); // the activity in Danish, never its code
        ics.ShouldNotContain("(cinema)");
        (await factory.CreateClient().GetAsync("/calendar/forkert.ics")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Citizen_Registers_TheCompanionConfirms_OrACaseworkerOnTheirBehalf()
    {
        var (caseworker, citizenId, grant) = await factory.Granted("haderslev");
        var (coordinator, companionId) = await factory.EmployedCompanion("haderslev", new { name = "Ida" });
        await Assign(coordinator, grant, companionId);
        var citizen = await factory.SignedIn("haderslev", Role.Citizen, citizenId: citizenId);
        var companion = await factory.SignedIn("haderslev", Role.Companion, companionId: companionId);
        var first = (await citizen.Post($"/api/grants/{grant}/sessions", new { date = "2026-06-02", start = "09:00", end = "10:00", activity = "shopping", companionId }, HttpStatusCode.Created)).GetProperty("session").Id();
        (await companion.Post($"/api/grants/{grant}/sessions/{first}/confirm", new { })).GetProperty("confirmed").GetBoolean().ShouldBeTrue();
        var second = (await companion.Post($"/api/grants/{grant}/sessions", new { date = "2026-06-03", start = "09:00", end = "10:00", activity = "shopping" }, HttpStatusCode.Created)).GetProperty("session").Id();
        await caseworker.Post($"/api/grants/{grant}/sessions/{second}/confirm", new { onBehalf = true }, HttpStatusCode.BadRequest);
        (await caseworker.Post($"/api/grants/{grant}/sessions/{second}/confirm", new { onBehalf = true, note = "Bekræftet telefonisk" }))
            .GetProperty("confirmedOnBehalf").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task ATripsReturnAndWaitingCount_TravelBetweenTasksDoesNot()
    {
        var (caseworker, _, grant) = await factory.Granted("ballerup");
        var booked = await caseworker.Post($"/api/grants/{grant}/sessions", new { date = "2026-06-05", hours = 4, tripHours = 2.5, travelHoursBetweenTasks = 1, activity = "travel" }, HttpStatusCode.Created);
        booked.GetProperty("session").GetProperty("hours").GetDecimal().ShouldBe(6.5m);
        booked.GetProperty("session").GetProperty("travelHoursNotCounted").GetDecimal().ShouldBe(1m);
        booked.GetProperty("balance").GetProperty("available").GetDecimal().ShouldBe(8.5m);
    }

    [Fact]
    public async Task TwentyParallelRegistrationsOfOneCompanionAtTheSameTime_AcceptExactlyOne()
    {
        var grants = new List<Guid>();
        var (coordinator, companionId) = await factory.EmployedCompanion("ballerup", new { name = "Travl" });
        for (var i = 0; i < 4; i++)
        {
            var (_, _, grant) = await factory.Granted("ballerup");
            await Assign(coordinator, grant, companionId);
            grants.Add(grant);
        }
        var companion = await factory.SignedIn("ballerup", Role.Companion, companionId: companionId);
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            companion.PostAsync($"/api/grants/{grants[i % grants.Count]}/sessions",
                JsonContent.Create(new { date = "2026-06-11", start = i % 2 == 0 ? "10:00" : "10:30", end = "11:30", activity = "sport" }))));
        responses.Count(r => r.StatusCode == HttpStatusCode.Created).ShouldBe(1);
        responses.Count(r => r.StatusCode == HttpStatusCode.Conflict).ShouldBe(19);
        (await responses.First(r => r.StatusCode == HttpStatusCode.Conflict).Content.ReadAsStringAsync()).ShouldContain("COMPANION_BUSY");
        (await factory.WithDb(db => db.Sessions.CountAsync(s => s.CompanionId == companionId))).ShouldBe(1);
        await companion.Post($"/api/grants/{grants[0]}/sessions", new { date = "2026-06-11", start = "11:30", end = "12:00", activity = "sport" }, HttpStatusCode.Created);
    }

    public static TheoryData<string> Municipalities => new() { "haderslev", "bronderslev", "lejre", "gribskov", "ballerup" };

    [Theory]
    [MemberData(nameof(Municipalities))]
    public async Task EveryExcludedActivityOfTheStandard_IsRejectedWithItsReason(string municipality)
    {
        var (caseworker, _, grant) = await factory.Granted(municipality);
        var standard = factory.Services.GetService(typeof(Ledsag.Web.Infrastructure.Standards)) as Ledsag.Web.Infrastructure.Standards;
        var s = standard!.For(municipality);
        var excluded = s.National.Activities.Keys.Where(a =>
        {
            var key = Ledsag.Domain.Standards.Parameters.ExcludedActivityPrefix + a;
            return (s.Parameters.ContainsKey(key) || s.National.Parameters.ContainsKey(key)) && s.Get<bool>(key, new NodaTime.LocalDate(2026, 6, 1)).Value;
        }).ToList();
        excluded.Count.ShouldBeGreaterThan(3);
        foreach (var activity in excluded)
        {
            var problem = await caseworker.Post($"/api/grants/{grant}/sessions", new { date = "2026-06-01", hours = 1, activity }, HttpStatusCode.UnprocessableEntity);
            problem.Str("code").ShouldBe("EXCLUDED_ACTIVITY");
            var reason = problem.GetProperty("errors").GetProperty("activity")[0].GetString()!;
            // The standard's own words, cited as the municipality's quality standard rather than the file they were read from.
            var source = s.Get<bool>(Ledsag.Domain.Standards.Parameters.ExcludedActivityPrefix + activity, new NodaTime.LocalDate(2026, 6, 1)).Source;
            reason.ShouldBe(source.Replace($"{municipality}.txt", $"{s.Name}s kvalitetsstandard", StringComparison.Ordinal));
            reason.ShouldNotContain(".txt");
        }
        await caseworker.Post($"/api/grants/{grant}/sessions", new { date = "2026-06-01", hours = 1, activity = "cinema" }, HttpStatusCode.Created);
    }

    [Fact]
    public async Task Payroll_TwiceGivesTheSameFile_AndACorrectionAfterExportLandsAsAnAdjustment()
    {
        var (caseworker, _, grant) = await factory.Granted("gribskov");
        var (coordinator, companionId) = await factory.EmployedCompanion("gribskov", new { name = "Løn Ledsager" });
        await Assign(coordinator, grant, companionId);
        var companion = await factory.SignedIn("gribskov", Role.Companion, companionId: companionId);
        await Worked(companion, caseworker, grant, "2026-05-04", "10:00", "13:00");
        var s2 = await Worked(companion, caseworker, grant, "2026-05-18", "10:00", "12:00");
        var finance = await factory.SignedIn("gribskov", Role.Finance);
        var may = await (await finance.PostAsJsonAsync("/api/finance/payroll-exports", new { period = "2026-05" })).Content.ReadAsStringAsync();
        may.ShouldContain($"{companionId};Løn Ledsager;;2026-05;løn;5,00;0,00");
        var again = await (await finance.PostAsJsonAsync("/api/finance/payroll-exports", new { period = "2026-05" })).Content.ReadAsStringAsync();
        again.ShouldBe(may);
        await caseworker.Post($"/api/grants/{grant}/sessions/{s2}/reverse", new { reason = "Registreret på forkert dag" }, HttpStatusCode.Created);
        var june = await (await finance.PostAsJsonAsync("/api/finance/payroll-exports", new { period = "2026-06" })).Content.ReadAsStringAsync();
        june.ShouldContain($"{companionId};Løn Ledsager;;2026-06;korrektion;-2,00;0,00");
        june.ShouldNotContain("løn;5,00");
        (await factory.WithDb(db => db.Exports.CountAsync(e => e.Kind == "payroll" && e.MunicipalityId == "gribskov" && e.Period == "2026-05"))).ShouldBe(1);
        (await caseworker.Get($"/api/grants/{grant}/balance?date=2026-05-31")).GetProperty("usedTotal").GetDecimal().ShouldBe(3);
    }

    [Fact]
    public async Task Subsidy_AClaimOverTheYearsAmountIsCapped_AnUnknownYearIsAnErrorUntilEntered()
    {
        var (caseworker, citizenId, _) = await factory.Granted("haderslev", start: "2024-01-01");
        var citizen = await factory.SignedIn("haderslev", Role.Citizen, citizenId: citizenId);
        var pdf = Convert.ToBase64String("%PDF-1.4 kvittering"u8.ToArray());
        var claim = (await citizen.Post("/api/subsidy-claims", new
        {
            year = 2024,
            expenses = new object[]
            {
                new { date = "2024-03-01", what = "Biografbilletter", amount = 640.00m, receipt = new { fileName = "bio.pdf", contentType = "application/pdf", base64 = pdf } },
                new { date = "2024-08-15", what = "Togbilletter", amount = 860.50m },
            },
        }, HttpStatusCode.Created)).Id();
        var decided = await caseworker.Post($"/api/subsidy-claims/{claim}/decide", new { approve = true });
        decided.GetProperty("approvedAmount").GetDecimal().ShouldBe(1005m);
        decided.Str("capReason").ShouldContain("1.500,50 kr.");
        (await citizen.Get("/api/letters")).EnumerateArray().ShouldContain(l => l.Str("kind") == "subsidy_decision" && l.Str("body").Contains("Klagevejledning"));

        var this_year = (await citizen.Post("/api/subsidy-claims", new { year = 2026, expenses = new[] { new { date = "2026-02-01", what = "Museum", amount = 300m } } }, HttpStatusCode.Created)).Id();
        var missing = await caseworker.Post($"/api/subsidy-claims/{this_year}/decide", new { approve = true }, HttpStatusCode.UnprocessableEntity);
        missing.Str("code").ShouldBe("MISSING_RATE");
        missing.Str("title").ShouldContain("for 2026");
        var admin = await factory.SignedIn("haderslev", Role.Administrator);
        await admin.Post("/api/admin/subsidy-rates", new { year = 2024, amount = 1m, source = "x" }, HttpStatusCode.Conflict);
        await admin.Post("/api/admin/subsidy-rates", new { year = 2026, amount = 1070m, source = "Social- og Boligministeriets satser 2026" }, HttpStatusCode.Created);
        (await caseworker.Post($"/api/subsidy-claims/{this_year}/decide", new { approve = true })).GetProperty("approvedAmount").GetDecimal().ShouldBe(300m);
        var finance = await factory.SignedIn("haderslev", Role.Finance);
        var file = await (await finance.PostAsJsonAsync("/api/finance/subsidy-payments", new { year = 2024 })).Content.ReadAsStringAsync();
        file.ShouldStartWith("cpr;navn;beløb;tekst");
        file.ShouldContain(";1005,00;Tilskud ledsageordning 2024");
        var repeat = await (await finance.PostAsJsonAsync("/api/finance/subsidy-payments", new { year = 2024 })).Content.ReadAsStringAsync();
        repeat.ShouldNotContain("1005,00");
    }

    [Fact]
    public async Task Ballerup_PaysItsFixedYearlyAmount()
    {
        var (caseworker, citizenId, _) = await factory.Granted("ballerup", start: "2024-01-01");
        var claim = (await caseworker.Post("/api/subsidy-claims", new { citizenId, year = 2024, expenses = new[] { new { date = "2024-05-01", what = "Koncert", amount = 200m } } }, HttpStatusCode.Created)).Id();
        (await caseworker.Post($"/api/subsidy-claims/{claim}/decide", new { approve = true })).GetProperty("approvedAmount").GetDecimal().ShouldBe(1005m);
    }

    [Fact]
    public async Task AReceiptWhoseContentIsNotItsType_IsRejected_AndNothingIsSaved()
    {
        var (caseworker, citizenId, _) = await factory.Granted("lejre", start: "2024-01-01");
        var before = await factory.WithDb(db => db.SubsidyClaims.CountAsync());
        var fake = Convert.ToBase64String("<html>not a pdf</html>"u8.ToArray());
        var problem = await caseworker.Post("/api/subsidy-claims", new { citizenId, year = 2024, expenses = new[] { new { date = "2024-05-01", what = "x", amount = 10m, receipt = new { fileName = "x.pdf", contentType = "application/pdf", base64 = fake } } } }, HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty("expenses[0].receipt.contentType", out _).ShouldBeTrue();
        (await factory.WithDb(db => db.SubsidyClaims.CountAsync())).ShouldBe(before);
    }

    [Fact]
    public async Task LapseReminders_TellTheCitizenHowManyHoursLapseWhen_Once()
    {
        var (caseworker, citizenId, grant) = await factory.Granted("bronderslev", start: "2026-01-01");
        var (_, companion) = await factory.EmployedCompanion("bronderslev");
        // Brønderslev's terms: the companion, what for, and who pays the companion's expenses.
        await caseworker.Post($"/api/grants/{grant}/savings-agreements", new { from = "2026-01-01", to = "2026-12-31", agreedOn = "2025-12-28", agreedDocumentation = "Underskrevet aftale i sagen", purpose = "Rejse", companionId = companion,
            companionExpenses = "Borgeren betaler ledsagerens rejse" }, HttpStatusCode.Created);
        var admin = await factory.SignedIn("bronderslev", Role.Administrator);
        (await admin.Post("/api/admin/lapse-reminders", new { date = "2026-06-15" })).GetProperty("created").GetInt32().ShouldBeGreaterThan(0);
        (await admin.Post("/api/admin/lapse-reminders", new { date = "2026-06-15" })).GetProperty("created").GetInt32().ShouldBe(0);
        var citizen = await factory.SignedIn("bronderslev", Role.Citizen, citizenId: citizenId);
        var letters = (await citizen.Get("/api/letters")).EnumerateArray().Where(l => l.Str("kind") == "lapse_reminder").ToList();
        letters.ShouldContain(l => l.Str("body").StartsWith("15 timer af dine ledsagetimer bortfalder 30. juni 2026"));
    }

    [Fact]
    public async Task SevenParallelPayrollExportsOfDifferentMonths_PayEachHourOnce()
    {
        var (caseworker, _, grant) = await factory.Granted("lejre");
        var (coordinator, companionId) = await factory.EmployedCompanion("lejre", new { name = "Parallel Løn" });
        await Assign(coordinator, grant, companionId);
        var companion = await factory.SignedIn("lejre", Role.Companion, companionId: companionId);
        var minutes = 0;
        foreach (var month in new[] { 1, 2, 3, 4, 5, 6 })
        {
            await Worked(companion, caseworker, grant, $"2026-{month:00}-0{month}", "10:00", "12:30");
            minutes += 150;
        }
        var finance = await factory.SignedIn("lejre", Role.Finance);
        var periods = new[] { "2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06" };
        var files = await Task.WhenAll(Enumerable.Range(0, 21).Select(async i =>
        {
            var response = await finance.PostAsJsonAsync("/api/finance/payroll-exports", new { period = periods[i % periods.Length] });
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            return (Period: periods[i % periods.Length], Text: await response.Content.ReadAsStringAsync());
        }));
        // Each period's file once (repeats give the stored file), and the hours over all files are the hours worked.
        var paid = files.DistinctBy(f => f.Period).SelectMany(f => f.Text.Split("\r\n")).Where(l => l.StartsWith(companionId.ToString(), StringComparison.Ordinal))
            .Sum(l => decimal.Parse(l.Split(';')[5].Replace(',', '.'), System.Globalization.CultureInfo.InvariantCulture));
        paid.ShouldBe(minutes / 60m);
        (await factory.WithDb(db => db.Sessions.CountAsync(s => s.CompanionId == companionId && s.PayrollExportId == null))).ShouldBe(0);
        Summary.Line($"Money race ({Provider}): 21 parallel payroll exports of 7 months — paid {paid} hours of {minutes / 60m} worked, none twice");
    }

    private string Provider => factory.GetType().Name.Replace("Factory", "", StringComparison.Ordinal);

    [Fact]
    public async Task ThirtyParallelSubsidyClaims_MakeOneClaim_TwentyParallelDecisions_OneDecision_AndTwentyParallelPaymentFiles_PayItOnce()
    {
        var (caseworker, citizenId, _) = await factory.Granted("haderslev", start: "2024-01-01");
        var citizen = await factory.SignedIn("haderslev", Role.Citizen, citizenId: citizenId);
        var claims = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => citizen.PostAsJsonAsync("/api/subsidy-claims",
            new { year = 2024, expenses = new[] { new { date = "2024-04-01", what = $"Billetter {i}", amount = 400m } } })));
        claims.Count(r => r.StatusCode == HttpStatusCode.Created).ShouldBe(1);
        claims.Count(r => r.StatusCode == HttpStatusCode.Conflict).ShouldBe(29);
        (await factory.WithDb(db => db.SubsidyClaims.CountAsync(c => c.CitizenId == citizenId))).ShouldBe(1);
        var claim = (await factory.WithDb(db => db.SubsidyClaims.FirstAsync(c => c.CitizenId == citizenId))).Id;

        var decisions = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => caseworker.PostAsJsonAsync($"/api/subsidy-claims/{claim}/decide",
            new { approve = i % 2 == 0, note = "Udgifterne er ikke sandsynliggjort" })));
        decisions.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(1);
        decisions.Count(r => r.StatusCode == HttpStatusCode.Conflict).ShouldBe(19);
        (await factory.WithDb(db => db.Letters.CountAsync(l => l.CitizenId == citizenId && l.Kind == "subsidy_decision"))).ShouldBe(1);
        if ((await factory.WithDb(db => db.SubsidyClaims.FirstAsync(c => c.Id == claim))).Status == "rejected")
        {
            // Refused: the citizen may claim again (once a year counts claims that are not refused), and it is approved this time.
            claim = (await citizen.Post("/api/subsidy-claims", new { year = 2024, expenses = new[] { new { date = "2024-04-01", what = "Billetter", amount = 400m } } }, HttpStatusCode.Created)).Id();
            await caseworker.Post($"/api/subsidy-claims/{claim}/decide", new { approve = true });
        }

        var finance = await factory.SignedIn("haderslev", Role.Finance);
        var files = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => finance.PostAsJsonAsync("/api/finance/subsidy-payments", new { year = 2024 })));
        files.ShouldAllBe(r => r.StatusCode == HttpStatusCode.OK);
        var cpr = await factory.WithDb(db => db.Citizens.Where(c => c.Id == citizenId).Select(c => c.Cpr).FirstAsync());
        var texts = await Task.WhenAll(files.Select(f => f.Content.ReadAsStringAsync()));
        texts.Count(t => t.Contains(cpr, StringComparison.Ordinal)).ShouldBe(1);
        Summary.Line($"Money race ({Provider}): 30 parallel subsidy claims → 1 claim; 20 parallel decisions → 1 decision, 1 letter; 20 parallel payment files → paid once");
    }

    [Fact]
    public async Task SubsidyAmounts_BelongToTheMunicipality_AndOnlyAFixedAmountStandardSetsItsOwn()
    {
        var lejre = await factory.SignedIn("lejre", Role.Administrator);
        var haderslev = await factory.SignedIn("haderslev", Role.Administrator);
        var ballerup = await factory.SignedIn("ballerup", Role.Administrator);
        await lejre.Post("/api/admin/subsidy-rates", new { year = 2019, amount = 1m, source = "Lejres eget tal" }, HttpStatusCode.Created);
        // Another municipality does not see it and enters its own.
        await haderslev.Get("/api/subsidy-rates/2019", HttpStatusCode.NotFound);
        await haderslev.Post("/api/admin/subsidy-rates", new { year = 2019, amount = 870m, source = "Ministeriets satstabel 2019" }, HttpStatusCode.Created);
        (await haderslev.Get("/api/subsidy-rates/2019")).GetProperty("amount").GetDecimal().ShouldBe(870m);
        (await lejre.Get("/api/subsidy-rates/2019")).GetProperty("amount").GetDecimal().ShouldBe(1m);
        // A national amount is the standards' data; only a standard that pays its own fixed amount (Ballerup) may set one.
        (await haderslev.Post("/api/admin/subsidy-rates", new { year = 2021, amount = 1m, source = "x" }, HttpStatusCode.Conflict)).Str("code").ShouldBe("RATE_IN_STANDARD");
        await ballerup.Post("/api/admin/subsidy-rates", new { year = 2021, amount = 950m, source = "Ballerups takst 2021" }, HttpStatusCode.Created);
        (await ballerup.Get("/api/subsidy-rates/2021")).GetProperty("amount").GetDecimal().ShouldBe(950m);
        (await haderslev.Get("/api/subsidy-rates/2021")).GetProperty("amount").GetDecimal().ShouldBe(937m);

        // Twenty at once: one amount is entered, the rest are told it exists.
        var parallel = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => ballerup.PostAsJsonAsync("/api/admin/subsidy-rates", new { year = 2018, amount = 900m + i, source = "Ballerups takst 2018" })));
        parallel.Count(r => r.StatusCode == HttpStatusCode.Created).ShouldBe(1);
        parallel.Count(r => r.StatusCode == HttpStatusCode.Conflict).ShouldBe(19);
    }

    [Fact]
    public async Task TheBilledDuration_AgreesWithTheTimes_NoPadding()
    {
        var (caseworker, _, grant) = await factory.Granted("haderslev");
        (await caseworker.Post($"/api/grants/{grant}/sessions", new { date = "2026-06-03", start = "21:00", end = "21:15", hours = 3, activity = "sport" }, HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("hours")[0].GetString()!.ShouldContain("0,25 timer");
        (await caseworker.Post($"/api/grants/{grant}/sessions", new { date = "2026-06-03", start = "21:00", end = "21:15", tripHours = 3, activity = "sport" }, HttpStatusCode.BadRequest))
            .GetProperty("errors").TryGetProperty("tripHours", out _).ShouldBeTrue();
        // Waiting and the return journey lie within the times: 21:00–23:00 with 1 hour of them is 2 hours, not 3.
        var booked = await caseworker.Post($"/api/grants/{grant}/sessions", new { date = "2026-06-03", start = "21:00", end = "23:00", tripHours = 1, activity = "sport" }, HttpStatusCode.Created);
        booked.GetProperty("session").GetProperty("hours").GetDecimal().ShouldBe(2m);
        await caseworker.Post($"/api/grants/{grant}/sessions", new { date = "2026-06-04", start = "10:00", end = "12:00", hours = 2, activity = "sport" }, HttpStatusCode.Created);
    }

    [Fact]
    public async Task InputsThatOnceGave500_AreRefusedNamingTheField_AndAReversalRacingARegistrationSucceeds()
    {
        var (caseworker, _, grant) = await factory.Granted("bronderslev");
        var finance = await factory.SignedIn("bronderslev", Role.Finance);
        foreach (var period in new[] { "0000-01", "-0001-12", "9999-12" })
        {
            (await finance.Post("/api/finance/payroll-exports", new { period }, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("period", out _).ShouldBeTrue();
        }
        (await caseworker.Post($"/api/grants/{grant}/sessions", new { date = "2026-06-03", hours = 7.9e28m, activity = "sport" }, HttpStatusCode.BadRequest))
            .GetProperty("errors").TryGetProperty("hours", out _).ShouldBeTrue();
        (await caseworker.Get($"/api/grants/{grant}/statement?month=0000-01", HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("month", out _).ShouldBeTrue();

        var ids = new List<Guid>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add((await caseworker.Post($"/api/grants/{grant}/sessions", new { date = "2026-05-04", hours = 0.25m, activity = "sport" }, HttpStatusCode.Created)).GetProperty("session").Id());
        }
        var raced = await Task.WhenAll(ids.SelectMany(id => new[]
        {
            caseworker.PostAsJsonAsync($"/api/grants/{grant}/sessions/{id}/reverse", new { reason = "Fejlregistrering" }),
            caseworker.PostAsJsonAsync($"/api/grants/{grant}/sessions", new { date = "2026-05-05", hours = 0.25m, activity = "sport" }),
        }));
        raced.ShouldAllBe(r => r.StatusCode == HttpStatusCode.Created);
    }

    [Fact]
    public async Task ANameThatLooksLikeAFormulaOrHoldsALineBreak_StaysTextInOneCell_InTheCsvAndTheXlsx()
    {
        var (caseworker, _, grant) = await factory.Granted("ballerup");
        // A name with a line break is refused at the door; one from before that rule is put straight into the database.
        var door = await factory.SignedIn("ballerup", Role.Coordinator);
        foreach (var broken in new[] { "Linje et\r\nLinje to", "Linje et\u2028Linje to", "Tab\tnavn" })
        {
            (await door.Post("/api/companions", new { name = broken }, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("name", out _).ShouldBeTrue();
        }
        var names = new[] { "=HYPERLINK(\"http://x\",\"Klik\")", "+45 Ledsager", "Linje et; med semikolon" };
        foreach (var (name, i) in names.Select((n, i) => (n, i)))
        {
            var (coordinator, companionId) = await factory.EmployedCompanion("ballerup", new { name });
            if (i == 2)
            {
                await factory.WithDb(db => db.Companions.Where(k => k.Id == companionId).ExecuteUpdateAsync(k => k.SetProperty(x => x.Name, "Linje et\r\nLinje to; med semikolon")));
            }
            await Assign(coordinator, grant, companionId);
            var companion = await factory.SignedIn("ballerup", Role.Companion, companionId: companionId);
            await Worked(companion, caseworker, grant, $"2026-03-0{i + 2}", "10:00", "11:00");
        }
        var finance = await factory.SignedIn("ballerup", Role.Finance);
        var csv = await (await finance.PostAsJsonAsync("/api/finance/payroll-exports", new { period = "2026-03" })).Content.ReadAsStringAsync();
        var rows = Ledsag.Web.Infrastructure.Exports.ReadCsv(csv);
        rows.ShouldAllBe(r => r.Length == 8); // a semicolon in a name does not make a new column (the eighth is the employer)
        csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(rows.Count); // nor a line break a new line: one record, one line
        var written = rows.Select(r => r[1]).ToList();
        written.ShouldContain("'=HYPERLINK(\"http://x\",\"Klik\")"); // shown as text, never run
        written.ShouldContain("'+45 Ledsager");
        written.ShouldContain("Linje et  Linje to; med semikolon");
        csv.Split("\r\n").ShouldNotContain(l => l.StartsWith('=') || l.Contains(";=", StringComparison.Ordinal));

        var xlsx = Path.Combine(Path.GetTempPath(), $"ledsag-payroll-{Guid.NewGuid():N}.xlsx");
        var connection = factory.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["ConnectionStrings:Ledsag"]!;
        var cli = CliRunner.Run("export", "payroll", "--municipality", "ballerup", "--period", "2026-03", "--format", "xlsx", "--out", xlsx,
            "--connection", connection, "--provider", Provider);
        cli.Exit.ShouldBe(0, cli.Err);
        using (var file = File.OpenRead(xlsx))
        {
            var sheet = new XlsxSheet(file, "payroll");
            sheet.Rows.ShouldBe(rows.Count);
            Enumerable.Range(2, sheet.Rows - 1).Select(r => sheet.Cell(r, 2)).ShouldContain("Linje et  Linje to; med semikolon");
            sheet.Value(2, 6).ShouldBeOfType<double>(); // hours are numbers
        }
        File.Delete(xlsx);
    }

    [Fact]
    public async Task TwentyParallelConfirmations_ConfirmOnce()
    {
        var (_, citizenId, grant) = await factory.Granted("gribskov");
        var (coordinator, companionId) = await factory.EmployedCompanion("gribskov", new { name = "Bekræft Ledsager" });
        await Assign(coordinator, grant, companionId);
        var companion = await factory.SignedIn("gribskov", Role.Companion, companionId: companionId);
        var id = (await companion.Post($"/api/grants/{grant}/sessions", new { date = "2026-06-08", start = "10:00", end = "11:00", activity = "sport" }, HttpStatusCode.Created))
            .GetProperty("session").Id();
        var citizen = await factory.SignedIn("gribskov", Role.Citizen, citizenId: citizenId);
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => citizen.PostAsJsonAsync($"/api/grants/{grant}/sessions/{id}/confirm", new { })));
        answers.Count(a => a.StatusCode == HttpStatusCode.OK).ShouldBe(1);
        answers.Count(a => a.StatusCode == HttpStatusCode.Conflict).ShouldBe(19);
        (await factory.WithDb(db => db.Audit.CountAsync(a => a.Action == "confirm" && a.EntityId == id.ToString()))).ShouldBe(1);
    }

    [Fact]
    public async Task Gribskov_AsksForAReceipt_BeforeTheSubsidyCanBeApproved()
    {
        var (caseworker, citizenId, _) = await factory.Granted("gribskov", start: "2024-01-01");
        var problem = await caseworker.Post("/api/subsidy-claims", new { citizenId, year = 2024, expenses = new[] { new { date = "2024-05-01", what = "Koncert", amount = 300m } } }, HttpStatusCode.BadRequest);
        problem.GetProperty("errors").GetProperty("expenses[0].receipt")[0].GetString()!.ShouldContain("dokumentere dine udgifter");
        var pdf = Convert.ToBase64String("%PDF-1.4 kvittering"u8.ToArray());
        var claim = (await caseworker.Post("/api/subsidy-claims", new
        {
            citizenId, year = 2024,
            expenses = new[] { new { date = "2024-05-01", what = "Koncert", amount = 300m, receipt = new { fileName = "koncert.pdf", contentType = "application/pdf", base64 = pdf } } },
        }, HttpStatusCode.Created)).Id();
        // A claim from before the rule, its receipt missing: it is not approved until documented.
        await factory.WithDb(db => db.SubsidyExpenses.Where(e => e.ClaimId == claim).ExecuteUpdateAsync(e => e.SetProperty(x => x.Receipt, (byte[]?)null)));
        (await caseworker.Post($"/api/subsidy-claims/{claim}/decide", new { approve = true }, HttpStatusCode.UnprocessableEntity)).Str("code").ShouldBe("RECEIPT_REQUIRED");
        await caseworker.Post($"/api/subsidy-claims/{claim}/decide", new { approve = false, note = "Udgiften er ikke dokumenteret; søg igen med kvittering." });
        // Elsewhere probable expenses are enough (BEK 235/2012 § 9).
        var (lejre, lejreCitizen, _) = await factory.Granted("lejre", start: "2024-01-01");
        await lejre.Post("/api/subsidy-claims", new { citizenId = lejreCitizen, year = 2024, expenses = new[] { new { date = "2024-05-01", what = "Koncert", amount = 300m } } }, HttpStatusCode.Created);
    }
}

[Collection("sqlite")]
public sealed class SqliteCompanionAndMoneyTests(SqliteFactory factory) : CompanionAndMoneyTests(factory), IClassFixture<SqliteFactory>;

[Collection("postgres")]
public sealed class PostgresCompanionAndMoneyTests(PostgresFactory factory) : CompanionAndMoneyTests(factory), IClassFixture<PostgresFactory>;
