using Ledsag.Domain;
using Ledsag.Domain.Deadlines;
using Ledsag.Domain.Eligibility;
using Ledsag.Domain.Standards;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Ledsag.Web.Features;

/// <summary>
/// The case workflow of the standards: application → routing → conversation → consent → assessment
/// with the engine's recommendation → draft and partshøring → decision (grant or refusal, always with
/// klagevejledning) → complaint, reassessment and forwarding to Ankestyrelsen → follow-ups.
/// </summary>
public static class CaseEndpoints
{
    public sealed record ApplicationRequest(Guid? CitizenId, string? ReceivedOn, string? Channel, Guid? CaseworkerId);
    public sealed record NoteRequest(string? On, string? Note);
    public sealed record ConsentRequest(string? On, string? What, string? From, string? Status);
    public sealed record ThemeLevel(string? Theme, int? Level, string? Note);
    public sealed record Facts(bool? SignificantLastingReducedFunction, bool? CannotMoveAlone, bool? CanExpressWish, bool? AwareOfActivity,
        bool? CanParticipateWithoutHelp, bool? NeedsSocialpedagogicalSupport, bool? PrimaryMentalIllnessOrSocial, bool? NeedsBehaviourRegulation,
        bool? NeedsHealthCare, bool? HasBpa96, bool? HasContactPerson98, bool? GrantedBeforePensionAge, bool? LivesInBotilbud,
        decimal? BotilbudCompanionHoursPerMonth);
    public sealed record AssessmentRequest(string? AssessedOn, IReadOnlyList<ThemeLevel>? Themes, int? FunctionalLevel, Facts? Facts, string? Note);
    public sealed record DraftRequest(string? SentOn, string? Delivery, string? Outcome, string? Summary);
    public sealed record DecisionRequest(string? DecidedOn, string? Delivery, string? Outcome, decimal? HoursPerMonth, string? HoursReason,
        string? Start, string? End, IReadOnlyList<string>? Reasons, string? Justification);
    public sealed record DelayLetterRequest(string? SentOn, string? ExpectedBy, string? Reason);
    public sealed record ComplaintRequest(string? ReceivedOn, string? Text);
    public sealed record ReassessmentRequest(string? DecidedOn, string? Delivery, string? Outcome, string? Justification);
    public sealed record DateRequest(string? On, string? Note);

    public static readonly IReadOnlyList<string> VumThemes =
        ["Praktiske opgaver i hjemmet", "Egenomsorg", "Mobilitet", "Kommunikation", "Samfundsliv", "Socialt liv", "Sundhed"];

    private static readonly Dictionary<string, string> Channels = new()
    {
        ["digital"] = "digital", ["borger.dk"] = "borger.dk", ["telefon"] = "telefon", ["brev"] = "brev", ["personligt"] = "personligt", ["samarbejdspartner"] = "samarbejdspartner",
    };
    private static readonly Dictionary<string, string> Deliveries = new() { ["digital"] = "digital", ["letter"] = "letter" };
    private static readonly Dictionary<string, string> Outcomes = new() { ["grant"] = "grant", ["refusal"] = "refusal" };
    private static readonly Dictionary<string, string> ConsentStatuses = new() { ["given"] = "given", ["refused"] = "refused", ["withdrawn"] = "withdrawn" };
    private static readonly Dictionary<string, string> ComplaintOutcomes = new() { ["full"] = "full", ["partial"] = "partial", ["upheld"] = "upheld" };

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/cases").WithTags("Sager").RequireAuthorization();
        api.MapPost("/", Create);
        api.MapGet("/", List);
        api.MapGet("/{id:guid}", Get);
        api.MapPost("/{id:guid}/conversation", Conversation);
        api.MapPost("/{id:guid}/consents", Consent);
        api.MapPost("/{id:guid}/assessment", Assess);
        api.MapPost("/{id:guid}/draft", Draft);
        api.MapPost("/{id:guid}/decision", Decide);
        api.MapPost("/{id:guid}/delay-letter", DelayLetter);
        api.MapPost("/{id:guid}/complaint", Complaint);
        api.MapPost("/{id:guid}/complaint/reassessment", Reassess);
        api.MapPost("/{id:guid}/complaint/maintained", Maintained);
        api.MapPost("/{id:guid}/complaint/forwarded", Forwarded);
        api.MapPost("/{id:guid}/follow-up", FollowUp);
        app.MapGet("/api/worklist", Worklist).WithTags("Sager").RequireAuthorization();
    }

    private static Actor Caseworker(HttpContext http)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator);
        return actor;
    }

    private static async Task<IResult> Create(ApplicationRequest? body, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        var actor = Caseworker(http);
        var v = new Validation();
        var received = v.Date("receivedOn", body?.ReceivedOn);
        var channel = v.Enum("channel", body?.Channel, Channels);
        if (body?.CitizenId is null)
        {
            v.Add("citizenId", "Skal udfyldes.");
        }
        if (received > flow.Today.Date)
        {
            v.Add("receivedOn", "En ansøgning kan ikke være modtaget i fremtiden.");
        }
        v.ThrowIfInvalid();
        var citizen = await access.CitizenAsync(actor, body!.CitizenId!.Value, ct);
        if (body.CaseworkerId is { } cw && !await flow.Db.Users.AnyAsync(u => u.Id == cw && u.MunicipalityId == actor.MunicipalityId && u.Role == Role.Caseworker, ct))
        {
            throw ProblemException.Invalid("caseworkerId", "Sagsbehandleren findes ikke i kommunen.");
        }

        var standard = flow.Standards.For(actor.MunicipalityId);
        var c = new Case
        {
            MunicipalityId = actor.MunicipalityId,
            CitizenId = citizen.Id,
            Number = await NextNumberAsync(flow.Db, actor.MunicipalityId, received!.Value, ct),
            State = CaseState.Received,
            CaseworkerId = body.CaseworkerId ?? (actor.Role == Role.Caseworker ? actor.UserId : null),
            ReceivedOn = received.Value,
            Channel = channel!,
        };
        flow.Db.Cases.Add(c);
        flow.Record(c, actor, "application_received", received.Value, null, new { channel });

        // Routing per the standard (Brønderslev: 30+ or førtidspension → Visitationen, otherwise UngeCenter).
        var age = Period.Between(citizen.BirthDate, received.Value, PeriodUnits.Years).Years;
        var routes = standard.Get<IReadOnlyList<IntakeRoute>>(Parameters.IntakeRoutes, received.Value);
        var route = routes.Value.First(r => r.Matches(age, citizen.EarlyRetirementPension));
        c.RoutedTo = route.Unit;
        flow.Record(c, actor, "routed", received.Value, $"{route.Unit} (alder {age}{(citizen.EarlyRetirementPension ? ", førtidspension" : "")})",
            new { unit = route.Unit, phone = route.Phone, source = routes.Source });
        flow.Open(c, DeadlineEvent.ApplicationReceived, received.Value);
        await flow.SaveAsync(ct);
        return Results.Created($"/api/cases/{c.Id}", await CaseView.LoadAsync(flow, c, ct));
    }

    private static async Task<string> NextNumberAsync(LedsagDb db, string municipality, LocalDate received, CancellationToken ct)
    {
        var prefix = $"{municipality[..3].ToUpperInvariant()}-{received.Year}-";
        var count = await db.Cases.CountAsync(c => c.Number.StartsWith(prefix), ct);
        return $"{prefix}{count + 1:0000}";
    }

    private static async Task<IResult> List(HttpContext http, LedsagDb db, AuditLog audit, string? state, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator, Role.Coordinator);
        var q = db.Cases.Where(c => c.MunicipalityId == actor.MunicipalityId);
        if (state is not null)
        {
            if (!Enum.TryParse<CaseState>(state, ignoreCase: true, out var s))
            {
                throw ProblemException.Invalid("state", $"'{state}' er ikke en sagsstatus.");
            }
            q = q.Where(c => c.State == s);
        }
        var rows = await q.Join(db.Citizens, c => c.CitizenId, z => z.Id, (c, z) => new { c, z.Name, z.Cpr })
            .OrderByDescending(x => x.c.ReceivedOn).Take(500).ToListAsync(ct);
        audit.Add(db, actor, "list", "case", null, $"{rows.Count} sager");
        await audit.SaveAsync(db, ct);
        return Results.Ok(rows.Select(x => new
        {
            id = x.c.Id, number = x.c.Number, state = x.c.State.ToString(), citizen = x.Name, cpr = CitizenEndpoints.Mask(x.Cpr),
            receivedOn = x.c.ReceivedOn.Iso(), caseworkerId = x.c.CaseworkerId,
        }));
    }

    private static async Task<IResult> Get(Guid id, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        var actor = Access.Require(http);
        var c = await access.CaseAsync(actor, id, ct);
        access.Read(actor, "case", id);
        return await flow.SavedViewAsync(c, ct);
    }

    private static async Task<IResult> Conversation(Guid id, NoteRequest? body, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        var actor = Caseworker(http);
        var c = await access.CaseAsync(actor, id, ct);
        var v = new Validation();
        var on = NotFuture(v, flow, "on", body?.On);
        var note = v.Text("note", body?.Note);
        v.ThrowIfInvalid();
        CaseWorkflow.RequireState(c, "En samtale", CaseState.Received, CaseState.InAssessment);
        c.State = CaseState.InAssessment;
        flow.Record(c, actor, "conversation", on!.Value, note);
        return await flow.SavedViewAsync(c, ct);
    }

    private static async Task<IResult> Consent(Guid id, ConsentRequest? body, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        var actor = Caseworker(http);
        var c = await access.CaseAsync(actor, id, ct);
        var v = new Validation();
        var on = NotFuture(v, flow, "on", body?.On);
        var what = v.Text("what", body?.What, max: 400);
        var from = v.Text("from", body?.From, max: 400);
        var status = v.Enum("status", body?.Status, ConsentStatuses);
        v.ThrowIfInvalid();
        CaseWorkflow.RequireState(c, "Samtykke", CaseState.Received, CaseState.InAssessment, CaseState.Consultation);
        flow.Record(c, actor, "consent", on!.Value, $"{status}: {what} fra {from}", new { what, from, status });
        return await flow.SavedViewAsync(c, ct);
    }

    private static async Task<IResult> Assess(Guid id, AssessmentRequest? body, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct) =>
        await AssessAsync(Access.Require(http), id, body, flow, access, ct); // the core checks the role

    /// <summary>Records a VUM assessment and the engine's recommendation; the API and the case page both come here.</summary>
    public static async Task<IResult> AssessAsync(Actor actor, Guid id, AssessmentRequest? body, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator);
        var c = await access.CaseAsync(actor, id, ct);
        var v = new Validation();
        var on = NotFuture(v, flow, "assessedOn", body?.AssessedOn);
        var themes = new List<object>();
        for (var i = 0; i < (body?.Themes?.Count ?? 0); i++)
        {
            var t = body!.Themes![i];
            if (t is null || t.Theme is null || !VumThemes.Contains(t.Theme))
            {
                v.Add($"themes[{i}].theme", $"Skal være et af VUM-temaerne: {string.Join(", ", VumThemes)}.");
            }
            if (t?.Level is not (>= 0 and <= 4))
            {
                v.Add($"themes[{i}].level", "Funktionsniveau skal være 0–4.");
            }
            themes.Add(new { theme = t?.Theme, level = t?.Level, note = t?.Note });
        }
        if (body?.FunctionalLevel is { } level && level is < 0 or > 4)
        {
            v.Add("functionalLevel", "Funktionsniveau skal være 0–4.");
        }
        var botilbud = v.Hours("facts.botilbudCompanionHoursPerMonth", body?.Facts?.BotilbudCompanionHoursPerMonth, required: false, allowZero: true);
        v.ThrowIfInvalid();
        CaseWorkflow.RequireState(c, "En udredning", CaseState.Received, CaseState.InAssessment, CaseState.Consultation);

        var f = body!.Facts;
        var facts = new EligibilityFacts
        {
            SignificantLastingReducedFunction = f?.SignificantLastingReducedFunction ?? true,
            CannotMoveAlone = f?.CannotMoveAlone ?? true,
            CanExpressWish = f?.CanExpressWish ?? true,
            AwareOfActivity = f?.AwareOfActivity ?? true,
            CanParticipateWithoutHelp = f?.CanParticipateWithoutHelp ?? true,
            NeedsSocialpedagogicalSupport = f?.NeedsSocialpedagogicalSupport ?? false,
            PrimaryMentalIllnessOrSocial = f?.PrimaryMentalIllnessOrSocial ?? false,
            NeedsBehaviourRegulation = f?.NeedsBehaviourRegulation ?? false,
            NeedsHealthCare = f?.NeedsHealthCare ?? false,
            HasBpa96 = f?.HasBpa96 ?? false,
            HasContactPerson98 = f?.HasContactPerson98 ?? false,
            GrantedBeforePensionAge = f?.GrantedBeforePensionAge ?? false,
            LivesInBotilbud = f?.LivesInBotilbud ?? false,
            BotilbudCompanionPerMonth = botilbud ?? Minutes.Zero,
            FunctionalLevel = body.FunctionalLevel,
        };
        var citizen = await flow.Db.Citizens.FirstAsync(z => z.Id == c.CitizenId, ct);
        var standard = flow.Standards.For(c.MunicipalityId);
        var r = EligibilityEngine.Recommend(standard, on!.Value, citizen.BirthDate, facts);
        c.State = CaseState.InAssessment;
        flow.Record(c, actor, "assessment", on.Value, body.Note, new { themes, functionalLevel = body.FunctionalLevel, facts });
        flow.Record(c, actor, "recommendation", on.Value, $"{r.Kind.ToString().ToLowerInvariant()}: {string.Join(", ", r.Reasons)}", RecommendationView.From(r, standard.National));
        return await flow.SavedViewAsync(c, ct);
    }

    private static async Task<IResult> Draft(Guid id, DraftRequest? body, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        var actor = Caseworker(http);
        var c = await access.CaseAsync(actor, id, ct);
        var v = new Validation();
        var sent = NotFuture(v, flow, "sentOn", body?.SentOn);
        var delivery = v.Enum("delivery", body?.Delivery ?? "digital", Deliveries);
        var outcome = v.Enum("outcome", body?.Outcome, Outcomes);
        var summary = v.Text("summary", body?.Summary);
        v.ThrowIfInvalid();
        CaseWorkflow.RequireState(c, "Et udkast til afgørelse", CaseState.InAssessment, CaseState.Consultation);
        await RequireRecommendationAsync(flow, c, ct);
        c.State = CaseState.Consultation;
        var received = flow.ReceivedOn(c.MunicipalityId, sent!.Value, delivery!);
        flow.Record(c, actor, "draft", sent.Value, summary, new { outcome, delivery, receivedOn = received.Iso() });
        // Forvaltningsloven § 19: the answer period the standard sets, from the day the draft is received.
        await flow.CloseAsync(c, sent.Value, "new_draft", ct, "consultation_due");
        var consultation = flow.Open(c, DeadlineEvent.DraftReceived, received);
        await flow.LetterAsync(c, "consultation", Letters.LetterTexts.Consultation(summary!, consultation.FirstOrDefault()?.DueOn), ct);
        return await flow.SavedViewAsync(c, ct);
    }

    private static async Task<IResult> Decide(Guid id, DecisionRequest? body, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct) =>
        await DecideAsync(Access.Require(http), id, body, flow, access, ct); // the core checks the role

    /// <summary>Records a decision (grant or refusal, always with klagevejledning and a letter); the API and the pages both come here.</summary>
    public static async Task<IResult> DecideAsync(Actor actor, Guid id, DecisionRequest? body, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator);
        var c = await access.CaseAsync(actor, id, ct);
        var v = new Validation();
        var decided = NotFuture(v, flow, "decidedOn", body?.DecidedOn);
        var delivery = v.Enum("delivery", body?.Delivery ?? "digital", Deliveries);
        var outcome = v.Enum("outcome", body?.Outcome, Outcomes);
        var justification = v.Text("justification", body?.Justification, required: outcome == "refusal");
        var hours = v.Hours("hoursPerMonth", body?.HoursPerMonth, required: false, allowZero: false);
        var start = v.Date("start", body?.Start, required: outcome == "grant");
        var end = v.Date("end", body?.End, required: false);
        v.ThrowIfInvalid();
        CaseWorkflow.RequireState(c, "En afgørelse", CaseState.InAssessment, CaseState.Consultation);
        var recommendation = await RequireRecommendationAsync(flow, c, ct);
        var standard = flow.Standards.For(c.MunicipalityId);
        var klagevejledning = Letters.LetterTexts.Klagevejledning(standard, decided!.Value);

        if (outcome == "refusal")
        {
            var reasons = body!.Reasons ?? [];
            if (reasons.Count == 0)
            {
                v.Add("reasons", "Et afslag skal have mindst én begrundelseskode.");
            }
            foreach (var (code, i) in reasons.Select((r, i) => (r, i)))
            {
                if (code is null || !standard.National.Reasons.ContainsKey(code) ||
                    (!EligibilityCriteria.IsCriterion(code) && code is not (ReasonCodes.AgeUnder18 or ReasonCodes.AgePension)))
                {
                    v.Add($"reasons[{i}]", $"'{code}' er ikke en kendt begrundelseskode for et afslag.");
                }
            }
            v.ThrowIfInvalid();
            c.State = CaseState.Refused;
            flow.Record(c, actor, "decision", decided.Value, justification, new
            {
                outcome, delivery, reasons, justification, klagevejledning,
                reasonTexts = reasons.Select(r => new { code = r, text = standard.National.Reasons[r].Text, source = standard.National.Reasons[r].Source }),
            });
            await flow.LetterAsync(c, "refusal", Letters.LetterTexts.Refusal(standard, decided.Value, c.ReceivedOn,
                reasons.Select(r => standard.National.Reasons[r]), justification!), ct);
        }
        else
        {
            var engineHours = recommendation.HoursPerMonth is { } h ? Minutes.FromHours(h) : (Minutes?)null;
            var chosen = hours ?? engineHours;
            if (chosen is null)
            {
                v.Add("hoursPerMonth", "Motoren anbefaler afslag; angiv timetal og begrundelse, hvis der alligevel bevilges.");
            }
            var hoursReason = v.Text("hoursReason", body!.HoursReason, required: chosen != engineHours);
            if (start < c.ReceivedOn)
            {
                v.Add("start", "Bevillingen kan ikke starte før ansøgningen er modtaget.");
            }
            var startDue = DeadlineEngine.For(standard, DeadlineEvent.GrantDecided, decided.Value).Single(d => d.Name == "start_due");
            if (startDue.Due is { } latest && start > latest)
            {
                v.Add("start", $"Skal ligge senest {latest.Iso()} ({startDue.Trace[0].Source}).");
            }
            if (end is not null && end < start)
            {
                v.Add("end", "Slutdatoen ligger før startdatoen.");
            }
            if (recommendation.Kind == "deny" && string.IsNullOrWhiteSpace(justification))
            {
                v.Add("justification", "Motoren anbefaler afslag; en bevilling skal begrundes.");
            }
            v.ThrowIfInvalid();
            var citizen = await flow.Db.Citizens.FirstAsync(z => z.Id == c.CitizenId, ct);
            var grant = new Grant
            {
                CaseId = c.Id, CitizenId = c.CitizenId, MunicipalityId = c.MunicipalityId,
                Start = start!.Value, End = end, MinutesPerMonth = chosen!.Value.Value, HoursReason = hoursReason,
            };
            flow.Db.Grants.Add(grant);
            c.State = CaseState.Granted;
            flow.Record(c, actor, "decision", decided.Value, justification ?? hoursReason, new
            {
                outcome, delivery, grantId = grant.Id, hoursPerMonth = chosen.Value.Hours, engineHoursPerMonth = engineHours?.Hours, hoursReason,
                start = start.Value.Iso(), end = end?.Iso(), justification, klagevejledning,
                continuesPastAgeLimit = "En bevilling givet før folkepensionsalderen fortsætter efter den (SEL § 97 stk. 2).",
                citizenBirthDate = citizen.BirthDate.Iso(),
            });
            foreach (var d in DeadlineEngine.For(standard, DeadlineEvent.GrantDecided, decided.Value).Where(d => d.Due is not null))
            {
                flow.OpenDeadline(c, d.Name, d.Due!.Value, d.Trace[0].Source);
            }
            await flow.LetterAsync(c, "grant", Letters.LetterTexts.Grant(standard, decided.Value, c.ReceivedOn, chosen.Value.Hours, start.Value, end,
                justification, hoursReason), ct);
        }
        await flow.CloseAsync(c, decided.Value, "decided", ct, "decision_due", "decision_promised", "consultation_due");
        // Retssikkerhedsloven § 67: 4 weeks to complain from the day the decision is received.
        flow.Open(c, DeadlineEvent.DecisionReceived, flow.ReceivedOn(c.MunicipalityId, decided.Value, delivery!));
        return await flow.SavedViewAsync(c, ct);
    }

    private static async Task<IResult> DelayLetter(Guid id, DelayLetterRequest? body, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        var actor = Caseworker(http);
        var c = await access.CaseAsync(actor, id, ct);
        var v = new Validation();
        var sent = NotFuture(v, flow, "sentOn", body?.SentOn);
        var expected = v.Date("expectedBy", body?.ExpectedBy);
        var reason = v.Text("reason", body?.Reason);
        if (expected is not null && sent is not null && expected <= sent)
        {
            v.Add("expectedBy", "Skal ligge efter datoen for brevet.");
        }
        v.ThrowIfInvalid();
        CaseWorkflow.RequireState(c, "Et brev om forsinkelse", CaseState.Received, CaseState.InAssessment, CaseState.Consultation);
        // Retssikkerhedsloven § 3 stk. 2: when the published processing time cannot be kept, tell the applicant when to expect a decision.
        flow.Record(c, actor, "delay_letter", sent!.Value, reason, new { expectedBy = expected!.Value.Iso(), legalBasis = "Retssikkerhedsloven § 3 stk. 2" });
        await flow.CloseAsync(c, sent.Value, "new_promise", ct, "decision_promised");
        flow.OpenDeadline(c, "decision_promised", expected.Value, "Retssikkerhedsloven § 3 stk. 2: brev om forventet afgørelsestidspunkt");
        var processing = flow.Standards.For(c.MunicipalityId).Get<Domain.Calendar.DeadlinePeriod?>(Parameters.ProcessingTime, c.ReceivedOn).Value;
        await flow.LetterAsync(c, "delay", Letters.LetterTexts.Delay(processing, expected.Value, reason!), ct);
        return await flow.SavedViewAsync(c, ct);
    }

    private static async Task<IResult> Complaint(Guid id, ComplaintRequest? body, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct) =>
        await ComplaintAsync(Access.Require(http), id, body, flow, access, ct); // the core checks the role

    /// <summary>The API and the case page both come here.</summary>
    public static async Task<IResult> ComplaintAsync(Actor actor, Guid id, ComplaintRequest? body, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator);
        var c = await access.CaseAsync(actor, id, ct);
        var v = new Validation();
        var received = NotFuture(v, flow, "receivedOn", body?.ReceivedOn);
        var text = v.Text("text", body?.Text);
        v.ThrowIfInvalid();
        CaseWorkflow.RequireState(c, "En klage", CaseState.Granted, CaseState.Refused);
        c.State = CaseState.ComplaintReceived;
        flow.Record(c, actor, "complaint_received", received!.Value, text);
        await flow.CloseAsync(c, received.Value, "complaint_received", ct, "complaint_due");
        flow.Open(c, DeadlineEvent.ComplaintReceived, received.Value);
        return await flow.SavedViewAsync(c, ct);
    }

    private static async Task<IResult> Reassess(Guid id, ReassessmentRequest? body, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct) =>
        await ReassessAsync(Access.Require(http), id, body, flow, access, ct); // the core checks the role

    /// <summary>The API and the case page both come here.</summary>
    public static async Task<IResult> ReassessAsync(Actor actor, Guid id, ReassessmentRequest? body, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator);
        var c = await access.CaseAsync(actor, id, ct);
        var v = new Validation();
        var decided = NotFuture(v, flow, "decidedOn", body?.DecidedOn);
        var delivery = v.Enum("delivery", body?.Delivery ?? "digital", Deliveries);
        var outcome = v.Enum("outcome", body?.Outcome, ComplaintOutcomes);
        var justification = v.Text("justification", body?.Justification);
        v.ThrowIfInvalid();
        CaseWorkflow.RequireState(c, "En genvurdering", CaseState.ComplaintReceived);
        flow.Record(c, actor, "reassessment", decided!.Value, justification, new { outcome, delivery });
        await flow.CloseAsync(c, decided.Value, "reassessed", ct, "reassessment_due");
        LocalDate? maintainDue = null;
        switch (outcome)
        {
            case "full":
                // Full medhold: no forwarding; a new decision follows.
                await flow.CloseAsync(c, decided.Value, "full_outcome", ct, "forward_due");
                c.State = CaseState.InAssessment;
                break;
            case "partial":
                // Partial medhold: the citizen has 4 weeks from receiving it to say whether the complaint is maintained.
                await flow.CloseAsync(c, decided.Value, "awaiting_maintain", ct, "forward_due");
                maintainDue = flow.Open(c, DeadlineEvent.PartialDecisionReceived, flow.ReceivedOn(c.MunicipalityId, decided.Value, delivery!)).FirstOrDefault()?.DueOn;
                break;
        }
        await flow.LetterAsync(c, "reassessment", Letters.LetterTexts.Reassessment(flow.Standards.For(c.MunicipalityId), outcome!, decided.Value, justification!, maintainDue), ct);
        return await flow.SavedViewAsync(c, ct);
    }

    private static async Task<IResult> Maintained(Guid id, DateRequest? body, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        var actor = Caseworker(http);
        var c = await access.CaseAsync(actor, id, ct);
        var v = new Validation();
        var on = NotFuture(v, flow, "on", body?.On);
        v.ThrowIfInvalid();
        CaseWorkflow.RequireState(c, "At klagen fastholdes", CaseState.ComplaintReceived);
        if (await flow.CloseAsync(c, on!.Value, "maintained", ct, "maintain_due") == 0)
        {
            throw ProblemException.Conflict("Der er ikke givet delvist medhold, så der er intet at fastholde.", "NOT_PARTIAL");
        }
        flow.Record(c, actor, "complaint_maintained", on.Value, body!.Note);
        var opened = flow.Open(c, DeadlineEvent.ComplaintMaintained, on.Value);
        if (opened.Count == 0)
        {
            // Where the standard sets no period of its own, § 66's 4 weeks from the complaint's receipt apply.
            var complaint = await flow.Db.CaseSteps.Where(s => s.CaseId == c.Id && s.Kind == "complaint_received").OrderByDescending(s => s.RecordedAt).FirstAsync(ct);
            var due = DeadlineEngine.For(flow.Standards.For(c.MunicipalityId), DeadlineEvent.ComplaintReceived, complaint.OccurredOn).Single(d => d.Name == "forward_due");
            flow.OpenDeadline(c, "forward_due", due.Due!.Value, due.Trace[0].Source);
        }
        return await flow.SavedViewAsync(c, ct);
    }

    private static async Task<IResult> Forwarded(Guid id, DateRequest? body, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct) =>
        await ForwardedAsync(Access.Require(http), id, body, flow, access, ct); // the core checks the role

    /// <summary>The API and the case page both come here.</summary>
    public static async Task<IResult> ForwardedAsync(Actor actor, Guid id, DateRequest? body, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator);
        var c = await access.CaseAsync(actor, id, ct);
        var v = new Validation();
        var on = NotFuture(v, flow, "on", body?.On);
        v.ThrowIfInvalid();
        CaseWorkflow.RequireState(c, "Videresendelse til Ankestyrelsen", CaseState.ComplaintReceived);
        if (await flow.Db.Deadlines.AnyAsync(d => d.CaseId == c.Id && d.ClosedOn == null && d.Kind == "maintain_due", ct))
        {
            throw ProblemException.Conflict("Borgeren har endnu ikke meddelt, om klagen fastholdes.", "AWAITING_MAINTAIN");
        }
        var documents = await flow.Db.CaseSteps.Where(s => s.CaseId == c.Id).OrderBy(s => s.RecordedAt)
            .Select(s => new { kind = s.Kind, on = s.OccurredOn }).ToListAsync(ct);
        c.State = CaseState.ComplaintForwarded;
        flow.Record(c, actor, "forwarded", on!.Value, body!.Note, new
        {
            to = "Ankestyrelsen", documents = documents.Select(d => $"{d.on.Iso()} {StepTitle(d.kind)}").ToList(),
        });
        await flow.CloseAsync(c, on.Value, "forwarded", ct, "forward_due");
        await flow.LetterAsync(c, "forwarded", Letters.LetterTexts.Forwarded(on.Value, documents.Select(d => $"{d.on.Iso()} {StepTitle(d.kind)}")), ct);
        return await flow.SavedViewAsync(c, ct);
    }

    private static async Task<IResult> FollowUp(Guid id, NoteRequest? body, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        var actor = Caseworker(http);
        var c = await access.CaseAsync(actor, id, ct);
        var v = new Validation();
        var on = NotFuture(v, flow, "on", body?.On);
        var note = v.Text("note", body?.Note);
        v.ThrowIfInvalid();
        if (!await flow.Db.Grants.AnyAsync(g => g.CaseId == c.Id && g.EndReason == null, ct))
        {
            throw ProblemException.Conflict("Der er ingen løbende bevilling at følge op på.", "NO_GRANT");
        }
        flow.Record(c, actor, "follow_up", on!.Value, note);
        await flow.CloseAsync(c, on.Value, "held", ct, "first_follow_up_due", "follow_up_due");
        var next = DeadlineEngine.NextFollowUp(flow.Standards.For(c.MunicipalityId), on.Value);
        if (next.Due is { } due)
        {
            flow.OpenDeadline(c, "follow_up_due", due, next.Trace[0].Source);
        }
        return await flow.SavedViewAsync(c, ct);
    }

    private static async Task<IResult> Worklist(HttpContext http, LedsagDb db, Today today, string? scope, string? kind, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator);
        var q = db.Deadlines.Where(d => d.MunicipalityId == actor.MunicipalityId && d.ClosedOn == null)
            .Join(db.Cases, d => d.CaseId, c => c.Id, (d, c) => new { d, c });
        if (scope is null or "mine")
        {
            q = actor.Role == Role.Caseworker ? q.Where(x => x.c.CaseworkerId == actor.UserId) : q;
        }
        else if (scope != "municipality")
        {
            throw ProblemException.Invalid("scope", "Skal være 'mine' eller 'municipality'.");
        }
        if (kind is not null)
        {
            q = q.Where(x => x.d.Kind == kind);
        }
        var rows = await q.Join(db.Citizens, x => x.c.CitizenId, z => z.Id, (x, z) => new { x.d, x.c, z.Name })
            .OrderBy(x => x.d.DueOn).Take(2000).ToListAsync(ct);
        var now = today.Date;
        // A citizen's deadline that has run out is not the caseworker's overdue work: the case may simply go on.
        var items = rows.Where(x => !IsCitizensDeadline(x.d.Kind) || x.d.DueOn >= now)
            .Select(x => new WorklistItem(x.c.Id, x.c.Number, x.Name, x.d.Kind, DeadlineTitle(x.d.Kind), IsCitizensDeadline(x.d.Kind) ? "borger" : "kommune",
                x.d.DueOn.Iso(), Math.Max(0, Period.Between(x.d.DueOn, now, PeriodUnits.Days).Days), Math.Max(0, Period.Between(now, x.d.DueOn, PeriodUnits.Days).Days),
                x.d.DueOn < now, x.c.CaseworkerId)).ToList();
        return Results.Ok(new { today = now.Iso(), overdue = items.Count(i => i.Overdue), items });
    }

    /// <summary>Deadlines the citizen has (to complain, to answer a partshøring, to maintain a complaint); the rest are the municipality's.</summary>
    public static bool IsCitizensDeadline(string kind) => kind is "complaint_due" or "consultation_due" or "maintain_due";

    public sealed record WorklistItem(Guid CaseId, string CaseNumber, string Citizen, string Kind, string Title, string Party, string DueOn,
        int DaysOverdue, int DaysLeft, bool Overdue, Guid? CaseworkerId);

    private static LocalDate? NotFuture(Validation v, CaseWorkflow flow, string field, string? text)
    {
        var d = v.Date(field, text);
        if (d > flow.Today.Date)
        {
            v.Add(field, "Datoen kan ikke ligge i fremtiden.");
        }
        return d;
    }

    private static async Task<RecommendationView> RequireRecommendationAsync(CaseWorkflow flow, Case c, CancellationToken ct)
    {
        var step = await flow.Db.CaseSteps.Where(s => s.CaseId == c.Id && s.Kind == "recommendation")
            .OrderByDescending(s => s.RecordedAt).FirstOrDefaultAsync(ct)
            ?? throw ProblemException.Conflict("Sagen skal være udredt (med motorens anbefaling), før der kan sendes udkast eller træffes afgørelse.", "NOT_ASSESSED");
        return CaseWorkflow.Data<RecommendationView>(step)!;
    }

    public static string StepTitle(string kind) => kind switch
    {
        "application_received" => "Ansøgning modtaget",
        "routed" => "Sendt til rette enhed",
        "conversation" => "Samtale",
        "consent" => "Samtykke",
        "assessment" => "Udredning (VUM)",
        "recommendation" => "Motorens anbefaling",
        "draft" => "Udkast til afgørelse (partshøring)",
        "decision" => "Afgørelse",
        "delay_letter" => "Brev om forsinket afgørelse",
        "complaint_received" => "Klage modtaget",
        "reassessment" => "Genvurdering",
        "complaint_maintained" => "Klagen fastholdt",
        "forwarded" => "Sendt til Ankestyrelsen",
        "follow_up" => "Opfølgning",
        "grant_ended" => "Bevilling ophørt",
        _ => kind,
    };

    public static string DeadlineTitle(string kind) => kind switch
    {
        "decision_due" => "Afgørelse (sagsbehandlingsfrist)",
        "decision_promised" => "Afgørelse (lovet i brev)",
        "consultation_due" => "Svarfrist for partshøring",
        "start_due" => "Iværksættelse",
        "first_follow_up_due" or "follow_up_due" => "Opfølgning",
        "complaint_due" => "Klagefrist",
        "reassessment_due" => "Genvurdering af klage",
        "forward_due" => "Videresendelse til Ankestyrelsen",
        "maintain_due" => "Borgerens svar: fastholdes klagen?",
        _ => kind,
    };
}
