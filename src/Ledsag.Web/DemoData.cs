using Ledsag.Domain;
using Ledsag.Domain.Cases;
using Ledsag.Domain.Deadlines;
using Ledsag.Domain.Eligibility;
using Ledsag.Domain.Hours;
using Ledsag.Web.Data;
using Ledsag.Web.Features;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Ledsag.Web;

/// <summary>
/// Demo data for the five municipalities: staff, companions, citizens and cases in every state, built
/// with the same engine, workflow records and companion handlers as real ones, so it passes the rules it
/// demonstrates (DemoDataTests checks them). Seeded once; a second start adds nothing; <see cref="ResetAsync"/>
/// starts again.
/// </summary>
public static class DemoData
{
    public const string Password = "ledsag-demo";
    public static readonly string[] Municipalities = ["haderslev", "bronderslev", "lejre", "gribskov", "ballerup"];
    public static readonly string[] Roles = ["admin", "sagsbehandler", "koordinator", "okonomi", "ledsager", "borger"];

    private static readonly (string Name, int Year, int Month, int Day)[] People =
    [
        ("Anna Holm", 1985, 4, 12), ("Bent Lund", 1970, 9, 3), ("Camilla Friis", 1992, 1, 27), ("Dorthe Kjær", 1979, 6, 30),
        ("Erik Bach", 1960, 11, 8), ("Freja Skov", 1988, 2, 14), ("Gustav Møller", 1975, 7, 21), ("Hanne Østergaard", 1990, 12, 1),
    ];

    /// <summary>
    /// Who accompanies the citizens whose case reached a grant: two companions, each with two citizens at most and a
    /// time of day per citizen, so no companion is ever with two citizens at once (one citizen at a time, C-25-00).
    /// The first companion, who signs in as «ledsager», accompanies the demo citizen.
    /// </summary>
    private static readonly Dictionary<CaseState, (int Companion, LocalTime Start)> Accompanied = new()
    {
        [CaseState.Granted] = (0, new LocalTime(14, 0)),
        [CaseState.ComplaintReceived] = (0, new LocalTime(10, 0)),
        [CaseState.ComplaintForwarded] = (1, new LocalTime(14, 0)),
        [CaseState.Closed] = (1, new LocalTime(10, 0)),
    };

    /// <summary>What a reset says when it is done, on the command line and when the server starts.</summary>
    public static string ResetDone =>
        $"Demodata er nulstillet: databasen er slettet og oprettet igen med frisk demodata for {string.Join(", ", Municipalities)} (adgangskode for alle: {Password}).";

    /// <summary>
    /// Deletes the database for fresh demo data (<see cref="Database.DropAsync"/>); the caller migrates and seeds again. Only a
    /// database that holds the demo data, or nothing, is deleted: otherwise nothing is touched and the reason is returned.
    /// </summary>
    public static async Task<string?> ResetAsync(LedsagDb db)
    {
        var holdsData = await db.Database.CanConnectAsync() && (await db.Database.GetAppliedMigrationsAsync()).Any()
            && (await db.Users.AnyAsync() || await db.Citizens.AnyAsync());
        if (holdsData && !await db.Users.AnyAsync(u => u.UserName == $"admin.{Municipalities[0]}"))
        {
            return "databasen indeholder andre data end demodata og bliver ikke nulstillet (kun en database med demodata, eller en tom, kan nulstilles)";
        }
        await Database.DropAsync(db);
        return null;
    }

    public static async Task SeedAsync(IServiceProvider services)
    {
        var db = services.GetRequiredService<LedsagDb>();
        if (await db.Users.AnyAsync(u => u.UserName == $"admin.{Municipalities[0]}"))
        {
            return;
        }
        var passwords = services.GetRequiredService<Passwords>();
        var flow = services.GetRequiredService<CaseWorkflow>();
        var access = services.GetRequiredService<Access>();
        var today = flow.Today.Date;
        foreach (var (m, index) in Municipalities.Select((m, i) => (m, i)))
        {
            var users = new Dictionary<string, User>();
            User AddUser(string role, Role r, string name)
            {
                var u = new User { MunicipalityId = m, UserName = $"{role}.{m}", DisplayName = name, Role = r };
                u.PasswordHash = passwords.Hash(u, Password);
                db.Users.Add(u);
                users[role] = u;
                return u;
            }
            AddUser("admin", Role.Administrator, $"Administrator ({m})");
            var caseworker = AddUser("sagsbehandler", Role.Caseworker, "Sara Sagsbehandler");
            caseworker.Phone = "70 10 20 30";
            caseworker.Email = $"sagsbehandler@{m}.demo.ledsag.dk";
            var coordinator = AddUser("koordinator", Role.Coordinator, "Kim Koordinator");
            AddUser("okonomi", Role.Finance, "Ole Økonomi");
            await db.SaveChangesAsync();

            // The companions go through the coordinator's own steps, so they pass the standard's rules as any companion must.
            var coordinating = new Actor(coordinator.Id, m, Role.Coordinator, null, null);
            Companion[] companions =
            [
                await CompanionAsync(services, coordinating, "Lise Ledsager", "Centrum", [1, 3, 5, 6], today.PlusMonths(-13)),
                await CompanionAsync(services, coordinating, "Jonas Kragh", "Nord", [2, 4, 6, 7], today.PlusMonths(-9)),
            ];
            AddUser("ledsager", Role.Companion, companions[0].Name).CompanionId = companions[0].Id;

            var actor = new Actor(caseworker.Id, m, Role.Caseworker, null, null);
            var citizens = People.Select((p, i) =>
            {
                var birth = new LocalDate(p.Year, p.Month, p.Day);
                var c = new Citizen
                {
                    MunicipalityId = m, Name = p.Name, BirthDate = birth,
                    Cpr = $"{birth:ddMMyy}{(p.Year < 2000 ? 1 : 4)}{index}{i}{(i % 2 == 0 ? 2 : 3)}",
                    Address = $"Demovej {i + 1}, {m}", Phone = $"2{index}{i}0 00{i}{index}",
                    EarlyRetirementPension = i == 5,
                };
                db.Citizens.Add(c);
                return c;
            }).ToList();
            AddUser("borger", Role.Citizen, citizens[3].Name).CitizenId = citizens[3].Id;
            await db.SaveChangesAsync();

            var states = new[] { CaseState.Received, CaseState.InAssessment, CaseState.Consultation, CaseState.Granted,
                CaseState.Refused, CaseState.ComplaintReceived, CaseState.ComplaintForwarded, CaseState.Closed };
            var booked = new List<SessionRow>();
            for (var i = 0; i < states.Length; i++)
            {
                var companion = Accompanied.TryGetValue(states[i], out var a) ? (companions[a.Companion], a.Start) : default((Companion, LocalTime)?);
                await BuildCaseAsync(flow, access, actor, citizens[i], states[i], today, i, companion, booked);
            }
            await flow.SaveAsync(CancellationToken.None);
            await ClaimsAsync(db, m, [citizens[5], citizens[6]], today);
        }
    }

    /// <summary>
    /// A companion created, given a clean criminal record dated <paramref name="recordOn"/>, approved and employed through
    /// the coordinator's handlers — where the standard lets a provider employ (Lejre), by the municipality's demo provider.
    /// </summary>
    private static async Task<Companion> CompanionAsync(IServiceProvider services, Actor coordinator, string name, string area, int[] days, LocalDate recordOn)
    {
        var db = services.GetRequiredService<LedsagDb>();
        var audit = services.GetRequiredService<AuditLog>();
        var standards = services.GetRequiredService<Standards>();
        var today = services.GetRequiredService<Today>();
        var ct = CancellationToken.None;
        var k = await CompanionEndpoints.CreateAsync(coordinator,
            new CompanionEndpoints.CompanionRequest(name, null, null, null, area, null, days, true, false, null, null), db, audit, standards, today, ct);
        await CompanionEndpoints.CriminalRecordAsync(coordinator, k.Id, new CompanionEndpoints.CriminalRecordRequest(recordOn.Iso(), true), db, audit, today, ct);
        await CompanionEndpoints.ApproveAsync(coordinator, k.Id, db, audit, standards, today, ct);
        Guid? providerId = null;
        if (k.Employer == "provider")
        {
            var provider = await db.Providers.FirstOrDefaultAsync(p => p.MunicipalityId == coordinator.MunicipalityId, ct)
                ?? await CompanionEndpoints.CreateProviderAsync(coordinator,
                    new CompanionEndpoints.ProviderRequest("Ledsagerservice Demo ApS", "12345674", "Pia Personale", "70 20 30 40", null), db, audit, today, ct);
            providerId = provider.Id;
        }
        return await CompanionEndpoints.EmployAsync(coordinator, k.Id, new CompanionEndpoints.EmployRequest(null, providerId, null), db, audit, standards, today, ct);
    }

    /// <summary>
    /// Two pending claims for the yearly subsidy (§ 97 stk. 7), from citizens with a grant in force (not the demo citizen, who
    /// claims on their own page), each expense with a receipt (Gribskov requires one) and the total below any year's amount.
    /// </summary>
    private static async Task ClaimsAsync(LedsagDb db, string m, Citizen[] citizens, LocalDate today)
    {
        var first = new LocalDate(today.Year, 1, 1);
        LocalDate Day(int daysAgo) => today.PlusDays(-daysAgo) < first ? first : today.PlusDays(-daysAgo);
        (string What, decimal Amount, int DaysAgo)[][] expenses =
        [
            [("Busbilletter til ledsageren", 96m, 40), ("Biografbillet til ledsageren", 120m, 12)],
            [("Koncertbillet til ledsageren", 450m, 25)],
        ];
        foreach (var (citizen, i) in citizens.Select((c, i) => (c, i)))
        {
            if (await db.SubsidyClaims.AnyAsync(c => c.CitizenId == citizen.Id && c.Year == today.Year))
            {
                continue;
            }
            var claim = new SubsidyClaim
            {
                MunicipalityId = m, CitizenId = citizen.Id, Year = today.Year, SubmittedOn = today.PlusDays(-5), Status = "submitted",
                ClaimedAmount = expenses[i].Sum(e => e.Amount),
            };
            db.SubsidyClaims.Add(claim);
            foreach (var (what, amount, daysAgo) in expenses[i])
            {
                db.SubsidyExpenses.Add(new SubsidyExpense
                {
                    ClaimId = claim.Id, Date = Day(daysAgo), What = what, Amount = amount,
                    ReceiptFileName = "kvittering.pdf", ReceiptContentType = "application/pdf", Receipt = ReceiptPdf($"Kvittering: {what}"),
                });
            }
        }
        await db.SaveChangesAsync();
    }

    /// <summary>A one-page PDF with one line of text (ASCII only), standing in for a scanned receipt.</summary>
    private static byte[] ReceiptPdf(string text)
    {
        var line = new string(text.Select(ch => ch is >= ' ' and <= '~' and not ('(' or ')' or '\\') ? ch : ' ').ToArray());
        var stream = $"BT /F1 14 Tf 40 780 Td ({line}) Tj ET";
        string[] objects =
        [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            $"<< /Length {stream.Length} >>\nstream\n{stream}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ];
        var pdf = new System.Text.StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(pdf.Length);
            pdf.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }
        var xref = pdf.Length;
        pdf.Append(System.Globalization.CultureInfo.InvariantCulture, $"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            pdf.Append(System.Globalization.CultureInfo.InvariantCulture, $"{offset:0000000000} 00000 n \n");
        }
        pdf.Append(System.Globalization.CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return System.Text.Encoding.ASCII.GetBytes(pdf.ToString());
    }

    private static async Task BuildCaseAsync(CaseWorkflow flow, Access access, Actor actor, Citizen citizen, CaseState target, LocalDate today, int i,
        (Companion Companion, LocalTime Start)? accompanied, List<SessionRow> booked)
    {
        var db = flow.Db;
        var standard = flow.Standards.For(actor.MunicipalityId);
        var long_ = target is CaseState.Granted or CaseState.Closed or CaseState.ComplaintForwarded;
        var received = today.PlusDays(long_ ? -240 : target == CaseState.Received ? -3 : -45 - i);
        var c = new Case
        {
            MunicipalityId = actor.MunicipalityId, CitizenId = citizen.Id, Number = $"{actor.MunicipalityId[..3].ToUpperInvariant()}-DEMO-{i + 1:00}",
            State = CaseState.Received, CaseworkerId = actor.UserId, ReceivedOn = received, Channel = "borger.dk",
        };
        db.Cases.Add(c);
        flow.Record(c, actor, "application_received", received, null, new { channel = c.Channel });
        var age = Period.Between(citizen.BirthDate, received, PeriodUnits.Years).Years;
        var route = standard.Get<IReadOnlyList<Domain.Standards.IntakeRoute>>(Domain.Standards.Parameters.IntakeRoutes, received).Value
            .First(r => r.Matches(age, citizen.EarlyRetirementPension));
        c.RoutedTo = route.Unit;
        flow.Record(c, actor, "routed", received, route.Unit, new { unit = route.Unit });
        flow.Open(c, DeadlineEvent.ApplicationReceived, received);
        if (target == CaseState.Received)
        {
            return;
        }

        var talk = received.PlusDays(5);
        c.State = CaseState.InAssessment;
        flow.Record(c, actor, "conversation", talk, "Samtale i borgerens hjem om behov og ønsker.");
        flow.Record(c, actor, "consent", talk, "given: lægelige oplysninger fra egen læge", new { what = "lægelige oplysninger", from = "egen læge", status = "given" });
        var facts = target == CaseState.Refused ? new EligibilityFacts { HasBpa96 = true } : new EligibilityFacts { FunctionalLevel = 3 };
        var assessed = received.PlusDays(12);
        var r = EligibilityEngine.Recommend(standard, assessed, citizen.BirthDate, facts);
        flow.Record(c, actor, "assessment", assessed, "VUM-udredning", new { functionalLevel = facts.FunctionalLevel, facts });
        flow.Record(c, actor, "recommendation", assessed, r.Kind.ToString().ToLowerInvariant(), RecommendationView.From(r, standard.National));
        if (target == CaseState.InAssessment)
        {
            return;
        }

        var drafted = received.PlusDays(20);
        c.State = CaseState.Consultation;
        var answerDue = flow.Open(c, DeadlineEvent.DraftReceived, drafted).FirstOrDefault()?.DueOn
            ?? flow.OpenDeadline(c, "consultation_due", standard.National.Calendar.RollForward(drafted.PlusDays(14)), "Forvaltningsloven § 19: svarfrist på 14 dage").DueOn;
        flow.Record(c, actor, "draft", drafted, "Udkast til afgørelse sendt til partshøring.", new { outcome = r.Kind == RecommendationKind.Deny ? "refusal" : "grant", answerDue = answerDue.Iso() });
        if (target == CaseState.Consultation)
        {
            return;
        }

        var decided = received.PlusDays(30);
        await flow.CloseAsync(c, decided, "decided", CancellationToken.None, "decision_due", "consultation_due");
        var klage = Letters.LetterTexts.Klagevejledning(standard, decided);
        if (target == CaseState.Refused)
        {
            c.State = CaseState.Refused;
            flow.Record(c, actor, "decision", decided, "Borgeren har BPA efter § 96.", new { outcome = "refusal", reasons = r.Reasons, klagevejledning = klage });
            flow.Open(c, DeadlineEvent.DecisionReceived, decided);
            return;
        }
        var grant = new Data.Grant
        {
            CaseId = c.Id, CitizenId = citizen.Id, MunicipalityId = actor.MunicipalityId, Start = decided.PlusDays(1),
            MinutesPerMonth = r.HoursPerMonth!.Value.Value, InForceCitizenId = citizen.Id,
        };
        db.Grants.Add(grant);
        c.State = CaseState.Granted;
        flow.Record(c, actor, "decision", decided, null, new { outcome = "grant", grantId = grant.Id, hoursPerMonth = r.HoursPerMonth.Value.Hours, klagevejledning = klage });
        flow.Open(c, DeadlineEvent.DecisionReceived, decided);
        foreach (var d in DeadlineEngine.For(standard, DeadlineEvent.GrantDecided, decided).Where(d => d.Due is not null && d.Name != "start_due"))
        {
            flow.OpenDeadline(c, d.Name, d.Due!.Value, d.Trace[0].Source);
        }
        // A citizen who moved away (the closed case) was last accompanied on the day the grant ended.
        LocalDate? end = target == CaseState.Closed ? today.PlusDays(-10) : null;
        var (companion, start) = accompanied ?? throw new InvalidOperationException($"No companion planned for a case that reaches {target}.");
        // The declaration and the assignment under the rules a coordinator's match meets (SEL § 97 stk. 4; approved companion; clean record where required).
        await CompanionEndpoints.DeclareAsync(actor, companion.Id, new CompanionEndpoints.DeclarationRequest(citizen.Id, "none", null, grant.Start.Iso()),
            db, flow.Audit, access, flow.Today, CancellationToken.None);
        await CompanionRules.RequireAssignableAsync(db, standard, companion, citizen.Id, grant.Start, CancellationToken.None);
        db.Assignments.Add(new Assignment { CompanionId = companion.Id, CitizenId = citizen.Id, From = grant.Start, EndedOn = end });
        var agreement = new SavingsAgreementRow { GrantId = grant.Id, From = grant.Start, To = today.PlusMonths(6), Purpose = "Opsparing til sommerrejse",
            AgreedOn = grant.Start, CompanionId = companion.Id, CompanionExpenses = "Borgeren betaler ledsagerens udgifter til billetter og transport" };
        db.SavingsAgreements.Add(agreement);
        // Sessions through the ledger the registration uses: hours that are not there are not spent.
        var ledger = new HoursLedger(GrantEndpoints.ToDomain(grant, [new SavingsAgreement(agreement.From, agreement.To, agreement.AgreedOn)]), LedgerRules.Timeline(standard));
        var activities = new[] { "cinema", "shopping", "family_visit", "sport", "culture" };
        var seq = 0;
        for (var day = grant.Start.PlusDays(3); day <= (end ?? today.PlusDays(-1)); day = day.PlusDays(9))
        {
            var minutes = new Minutes(120 + (seq * 45 % 120));
            var sameDay = booked.Where(s => s.CompanionId == companion.Id && s.Date == day).ToList();
            if (SessionEndpoints.Overlapping(sameDay, start, start.PlusMinutes(minutes.Value)) is null && ledger.Use(day, minutes).Accepted)
            {
                var session = new SessionRow
                {
                    GrantId = grant.Id, Date = day, Minutes = minutes.Value, Activity = activities[seq % activities.Length],
                    CompanionId = companion.Id, Km = seq % 3 == 0 ? 12 : 0, RegisteredBy = actor.UserId, RegisteredByRole = nameof(Role.Caseworker), RegisteredAt = flow.Today.Now, Sequence = ++seq,
                    StartTime = start, EndTime = start.PlusMinutes(minutes.Value), ConfirmedAt = flow.Today.Now, ConfirmedBy = actor.UserId,
                };
                db.Sessions.Add(session);
                booked.Add(session);
            }
        }
        if (target == CaseState.Granted)
        {
            return;
        }
        if (end is { } ended)
        {
            grant.End = ended;
            grant.EndReason = "moved";
            grant.InForceCitizenId = null;
            c.State = CaseState.Closed;
            flow.Record(c, actor, "grant_ended", ended, "fraflyttet kommunen", new { grantId = grant.Id, reason = "moved" });
            await flow.CloseAsync(c, ended, "grant_ended", CancellationToken.None, "first_follow_up_due", "follow_up_due");
            return;
        }

        var complained = target == CaseState.ComplaintReceived ? today.PlusDays(-7) : decided.PlusDays(14);
        c.State = CaseState.ComplaintReceived;
        flow.Record(c, actor, "complaint_received", complained, "Borgeren ønsker flere timer.");
        await flow.CloseAsync(c, complained, "complaint_received", CancellationToken.None, "complaint_due");
        flow.Open(c, DeadlineEvent.ComplaintReceived, complained);
        if (target == CaseState.ComplaintReceived)
        {
            return;
        }
        var reassessed = complained.PlusDays(10);
        flow.Record(c, actor, "reassessment", reassessed, "Afgørelsen fastholdes: loven giver 15 timer om måneden.", new { outcome = "upheld" });
        await flow.CloseAsync(c, reassessed, "reassessed", CancellationToken.None, "reassessment_due");
        c.State = CaseState.ComplaintForwarded;
        flow.Record(c, actor, "forwarded", reassessed.PlusDays(2), null, new { to = "Ankestyrelsen" });
        await flow.CloseAsync(c, reassessed.PlusDays(2), "forwarded", CancellationToken.None, "forward_due");
    }
}
