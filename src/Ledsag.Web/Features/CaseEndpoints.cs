using System.ComponentModel.DataAnnotations;
using Ledsag.Domain;
using Ledsag.Domain.Cases;
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
    public sealed record ApplicationRequest([property: Required] Guid? CitizenId, [property: Required] string? ReceivedOn,
        [property: Required, OneOf(typeof(CaseEndpoints), nameof(Channels))] string? Channel, Guid? CaseworkerId);
    public sealed record NoteRequest([property: Required] string? On, [property: Required] string? Note);
    public sealed record ActionPlanRequest([property: Required] string? OfferedOn, [property: Required, OneOf(typeof(CaseEndpoints), nameof(ActionPlanAnswers))] string? Answer, string? Note);
    public sealed record ConsentRequest([property: Required] string? On, [property: Required] string? What, [property: Required] string? From,
        [property: Required, OneOf(typeof(CaseEndpoints), nameof(ConsentStatuses))] string? Status);
    public sealed record ThemeLevel([property: Required, OneOf(typeof(CaseEndpoints), nameof(VumThemes))] string? Theme, [property: Required] int? Level, string? Note);
    public sealed record Facts(bool? SignificantLastingReducedFunction, bool? CannotMoveAlone, bool? CanExpressWish, bool? AwareOfActivity,
        bool? CanParticipateWithoutHelp, bool? NeedsSocialpedagogicalSupport, bool? PrimaryMentalIllnessOrSocial, bool? NeedsBehaviourRegulation,
        bool? NeedsHealthCare, bool? HasBpa96, bool? HasContactPerson98, bool? GrantedBeforePensionAge, bool? LivesInBotilbud,
        decimal? BotilbudCompanionHoursPerMonth, decimal? OwnHomeCompanionHoursPerMonth = null);
    public sealed record AssessmentRequest([property: Required] string? AssessedOn, IReadOnlyList<ThemeLevel>? Themes, int? FunctionalLevel, Facts? Facts, string? Note);
    public sealed record DraftRequest([property: Required] string? SentOn, [property: OneOf(typeof(CaseEndpoints), nameof(Deliveries))] string? Delivery,
        [property: Required, OneOf(typeof(CaseEndpoints), nameof(Outcomes))] string? Outcome, [property: Required] string? Summary, string? AnswerBy);
    public sealed record DelayLetterRequest([property: Required] string? SentOn, [property: Required] string? ExpectedBy, [property: Required] string? Reason);
    public sealed record ComplaintRequest([property: Required] string? ReceivedOn, [property: Required] string? Text,
        [property: OneOf(typeof(CaseEndpoints), nameof(LateDecisions))] string? LateDecision, string? LateReason);
    public sealed record ReassessmentRequest([property: Required] string? DecidedOn, [property: OneOf(typeof(CaseEndpoints), nameof(Deliveries))] string? Delivery,
        [property: Required, OneOf(typeof(CaseEndpoints), nameof(ComplaintOutcomes))] string? Outcome, [property: Required] string? Justification);
    public sealed record DateRequest([property: Required] string? On, string? Note);

    public static readonly IReadOnlyList<string> VumThemes =
        ["Praktiske opgaver i hjemmet", "Egenomsorg", "Mobilitet", "Kommunikation", "Samfundsliv", "Socialt liv", "Sundhed"];

    public static readonly Dictionary<string, string> Channels = new()
    {
        ["digital"] = "digital", ["borger.dk"] = "borger.dk", ["telefon"] = "telefon", ["brev"] = "brev", ["personligt"] = "personligt", ["samarbejdspartner"] = "samarbejdspartner",
    };
    /// <summary>How a letter goes out: Digital Post (received the same day) or paper (6 working days later).</summary>
    public static readonly IReadOnlyDictionary<string, string> Deliveries = new Dictionary<string, string> { ["digital"] = "digital", ["letter"] = "letter" };
    private static readonly Dictionary<string, string> Outcomes = new() { ["grant"] = "grant", ["refusal"] = "refusal", ["end"] = "end" };
    private static readonly Dictionary<string, string> LateDecisions = new() { ["dealt_with"] = "dealt_with", ["not_dealt_with"] = "not_dealt_with" };
    private static readonly Dictionary<string, string> ConsentStatuses = new() { ["given"] = "given", ["refused"] = "refused", ["withdrawn"] = "withdrawn" };
    private static readonly Dictionary<string, string> ComplaintOutcomes = new() { ["full"] = "full", ["partial"] = "partial", ["upheld"] = "upheld" };

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/cases").WithTags("Sager").RequireAuthorization();
        api.MapPost("/", Create).WithName("CreateCase").Produces<CaseView>(201).ProducesProblem(409);
        api.MapGet("/", List).WithName("ListCases").Produces<IReadOnlyList<CaseSummary>>();
        api.MapGet("/{id:guid}", Get).WithName("GetCase").Produces<CaseView>();
        // Every step on a case answers with the case as it now stands; 409 when the case's state does not allow the step.
        api.MapPost("/{id:guid}/conversation", Conversation).WithName("RecordConversation").Produces<CaseView>().ProducesProblem(409);
        api.MapPost("/{id:guid}/consents", Consent).WithName("RecordConsent").Produces<CaseView>().ProducesProblem(409);
        api.MapPost("/{id:guid}/assessment", Assess).WithName("RecordAssessment").Produces<CaseView>().ProducesProblem(409);
        api.MapPost("/{id:guid}/draft", Draft).WithName("SendDraft").Produces<CaseView>().ProducesProblem(409);
        api.MapPost("/{id:guid}/decision", Decide).WithName("Decide").Produces<CaseView>().ProducesProblem(409).ProducesProblem(422);
        api.MapPost("/{id:guid}/delay-letter", DelayLetter).WithName("SendDelayLetter").Produces<CaseView>().ProducesProblem(409);
        api.MapPost("/{id:guid}/complaint", Complaint).WithName("RecordComplaint").Produces<CaseView>().ProducesProblem(409);
        api.MapPost("/{id:guid}/complaint/reassessment", Reassess).WithName("ReassessComplaint").Produces<CaseView>().ProducesProblem(409);
        api.MapPost("/{id:guid}/complaint/maintained", Maintained).WithName("RecordComplaintMaintained").Produces<CaseView>().ProducesProblem(409);
        api.MapPost("/{id:guid}/complaint/forwarded", Forwarded).WithName("RecordComplaintForwarded").Produces<CaseView>().ProducesProblem(409);
        api.MapPost("/{id:guid}/follow-up", FollowUp).WithName("RecordFollowUp").Produces<CaseView>().ProducesProblem(409);
        api.MapPost("/{id:guid}/action-plan", ActionPlan).WithName("RecordActionPlanOffer").Produces<CaseView>().ProducesProblem(409);
        Decisions.Map(api);
        app.MapGet("/api/worklist", Worklist).WithTags("Sager").RequireAuthorization().WithName("GetWorklist").Produces<WorklistView>();
    }

    private static Actor Caseworker(HttpContext http)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator);
        return actor;
    }

    private static async Task<IResult> Create(ApplicationRequest? body, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        var c = await CreateAsync(Caseworker(http), body, flow, access, ct);
        return Results.Created($"/api/cases/{c.Id}", await CaseView.LoadAsync(flow, c, ct));
    }

    /// <summary>Records an application as a new case (any channel); the API and the new-case page both come here.</summary>
    public static async Task<Case> CreateAsync(Actor actor, ApplicationRequest? body, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator);
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
        var citizenId = citizen.Id;
        for (var attempt = 0; ; attempt++)
        {
            citizen = await flow.Db.Citizens.FirstAsync(z => z.Id == citizenId, ct);
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
            // Databeskyttelsesforordningen art. 13/14: the citizen is told at intake how their data will be processed.
            await flow.LetterAsync(c, "privacy_notice", Letters.LetterTexts.PrivacyNotice(standard, received.Value), ct);
            try
            {
                await flow.SaveAsync(ct);
                return c;
            }
            catch (DbUpdateException e) when (attempt < 50 && CaseWorkflow.IsUniqueViolation(e))
            {
                // A parallel application took this case number: number it again from what is saved now.
                flow.Db.ChangeTracker.Clear();
            }
        }
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
        return Results.Ok(rows.Select(x => new CaseSummary(x.c.Id, x.c.Number, x.c.State.ToString(), x.Name, CitizenEndpoints.Mask(x.Cpr),
            x.c.ReceivedOn.Iso(), x.c.CaseworkerId)));
    }

    private static async Task<IResult> Get(Guid id, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        var actor = Access.Require(http);
        var c = await access.CaseAsync(actor, id, ct);
        access.Read(actor, "case", id);
        await flow.SaveAsync(ct);
        var view = await CaseView.LoadAsync(flow, c, ct);
        if (actor.Role is Role.Coordinator or Role.Finance)
        {
            // Least privilege: the case's course and deadlines, not the assessment (VUM facts, functional levels) or the caseworker's notes.
            view = view with { Steps = view.Steps.Select(s => s with { Reason = null, Data = System.Text.Json.JsonDocument.Parse("{}").RootElement }).ToList() };
        }
        return Results.Ok(view);
    }

    internal static async Task<IResult> Conversation(Guid id, NoteRequest? body, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        var actor = Caseworker(http);
        var c = await access.CaseAsync(actor, id, ct);
        var v = new Validation();
        var on = NotFuture(v, flow, "on", body?.On);
        var note = v.Text("note", body?.Note);
        v.ThrowIfInvalid();
        CaseWorkflow.Require(c, CaseEvent.Conversation);
        c.State = CaseState.InAssessment;
        flow.Record(c, actor, "conversation", on!.Value, note);
        return await flow.SavedViewAsync(c, ct);
    }

    internal static async Task<IResult> Consent(Guid id, ConsentRequest? body, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        var actor = Caseworker(http);
        var c = await access.CaseAsync(actor, id, ct);
        var v = new Validation();
        var on = NotFuture(v, flow, "on", body?.On);
        var what = v.Text("what", body?.What, max: 400);
        var from = v.Text("from", body?.From, max: 400);
        var status = v.Enum("status", body?.Status, ConsentStatuses);
        v.ThrowIfInvalid();
        CaseWorkflow.Require(c, CaseEvent.Consent);
        var given = status switch { "given" => "givet", "refused" => "afvist", _ => "trukket tilbage" };
        flow.Record(c, actor, "consent", on!.Value, $"{given}: {what} fra {from}", new { what, from, status });
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
        if (on < c.ReceivedOn)
        {
            v.Add("assessedOn", "Udredningen kan ikke ligge før ansøgningen blev modtaget.");
        }
        if (body?.Facts?.LivesInBotilbud == true && body.Facts.BotilbudCompanionHoursPerMonth is null)
        {
            // The botilbud rule turns on N: without it the engine would count a resident as getting 15 (or Gribskov's 8) blindly.
            v.Add("facts.botilbudCompanionHoursPerMonth", "Angiv, hvor mange timers individuel ledsagelse til selvvalgte aktiviteter botilbuddets personale giver om måneden (0, hvis ingen).");
        }
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
        var ownHome = v.Hours("facts.ownHomeCompanionHoursPerMonth", body?.Facts?.OwnHomeCompanionHoursPerMonth, required: false, allowZero: true);
        v.ThrowIfInvalid();
        CaseWorkflow.Require(c, CaseEvent.Assessment);

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
            OwnHomeCompanionPerMonth = ownHome ?? Minutes.Zero,
            FunctionalLevel = body.FunctionalLevel,
        };
        var citizen = await flow.Db.Citizens.FirstAsync(z => z.Id == c.CitizenId, ct);
        var standard = flow.Standards.For(c.MunicipalityId);
        var r = EligibilityEngine.Recommend(standard, on!.Value, citizen.BirthDate, facts);
        c.State = CaseState.InAssessment;
        // The hours the law and the standard's botilbud / own-home rule give on these facts: the only figure a grant may carry.
        var lawful = EligibilityEngine.HoursPerMonth(standard, on.Value, facts);
        flow.Record(c, actor, "assessment", on.Value, body.Note, new { themes, functionalLevel = body.FunctionalLevel, facts, lawfulMinutes = lawful.Value });
        // The timeline reads in Danish («Afslag: Borgeren kan færdes alene»); the codes stay in the step's data.
        var verdict = r.Kind switch { RecommendationKind.Grant => "Bevilling", RecommendationKind.Deny => "Afslag", _ => "Nærmere vurdering" };
        var why = string.Join("; ", r.Reasons.Select(code => standard.National.Reasons.TryGetValue(code, out var reason) ? reason.Text : code));
        flow.Record(c, actor, "recommendation", on.Value, why.Length == 0 ? verdict : $"{verdict}: {why}", RecommendationView.From(r, standard.National));
        return await flow.SavedViewAsync(c, ct);
    }

    private static async Task<IResult> Draft(Guid id, DraftRequest? body, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct) =>
        await DraftAsync(Access.Require(http), id, body, flow, access, ct);

    /// <summary>Sends a draft decision in partshøring (forvaltningsloven § 19); the API and the case page both come here.</summary>
    public static async Task<IResult> DraftAsync(Actor actor, Guid id, DraftRequest? body, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator);
        var c = await access.CaseAsync(actor, id, ct);
        var v = new Validation();
        var sent = NotFuture(v, flow, "sentOn", body?.SentOn);
        var delivery = v.Enum("delivery", body?.Delivery ?? "digital", Deliveries);
        var outcome = v.Enum("outcome", body?.Outcome, Outcomes);
        var summary = v.Text("summary", body?.Summary);
        var answerBy = v.Date("answerBy", body?.AnswerBy, required: false);
        if (sent is not null && answerBy is not null && answerBy <= sent)
        {
            v.Add("answerBy", "Svarfristen skal ligge efter den dag, udkastet sendes.");
        }
        if (sent < c.ReceivedOn)
        {
            v.Add("sentOn", "Udkastet kan ikke være sendt, før ansøgningen blev modtaget.");
        }
        v.ThrowIfInvalid();
        CaseWorkflow.Require(c, CaseEvent.Draft);
        if (outcome == "end" ? c.State != CaseState.Granted : c.State == CaseState.Granted)
        {
            throw ProblemException.Invalid("outcome", outcome == "end" ? "Et udkast om ophør kræver en bevilling i kraft." : "Sagen har en bevilling: et udkast kan kun gælde ophør.");
        }
        if (outcome != "end")
        {
            await RequireRecommendationAsync(flow, c, ct);
        }
        if (c.State is CaseState.Received or CaseState.InAssessment)
        {
            c.State = CaseState.Consultation;
        }
        var received = flow.ReceivedOn(c.MunicipalityId, sent!.Value, delivery!);
        if (answerBy is { } by && by <= received)
        {
            throw ProblemException.Invalid("answerBy", $"Svarfristen skal ligge efter den dag, borgeren modtager udkastet ({Letters.Danish.Date(received)}).");
        }
        // Forvaltningsloven § 19: the answer period the standard sets, from the day the draft is received; where it sets
        // none, the caseworker's date or the default period.
        await flow.CloseAsync(c, sent.Value, "new_draft", ct, "consultation_due");
        var standard = flow.Standards.For(c.MunicipalityId);
        var opened = flow.Open(c, DeadlineEvent.DraftReceived, received);
        if (opened.Count == 0)
        {
            var period = standard.Get<Domain.Calendar.DeadlinePeriod>(Parameters.ConsultationDefaultPeriod, received);
            var calendar = standard.National.Calendar;
            var due = answerBy is { } a ? calendar.RollForward(a) : calendar.RollForward(calendar.Add(received, period.Value));
            opened = [flow.OpenDeadline(c, "consultation_due", due, answerBy is null ? period.Source : "Forvaltningsloven § 19: svarfristen fastsat af sagsbehandleren")];
        }
        if (answerBy is { } longer && opened[0].DueOn < longer)
        {
            // The caseworker may give longer than the standard's period, never shorter.
            opened[0].DueOn = standard.National.Calendar.RollForward(longer);
            opened[0].Source = "Forvaltningsloven § 19: længere svarfrist fastsat af sagsbehandleren";
        }
        else if (answerBy is { } shorter && standard.Get<Domain.Calendar.DeadlinePeriod?>(Parameters.ConsultationPeriod, received).Value is not null && shorter < opened[0].DueOn)
        {
            throw ProblemException.Invalid("answerBy", $"Svarfristen kan ikke være kortere end kvalitetsstandardens ({Letters.Danish.Date(opened[0].DueOn)}).");
        }
        var answerDue = opened[0].DueOn;
        flow.Record(c, actor, "draft", sent.Value, summary, new { outcome, delivery, receivedOn = received.Iso(), answerDue = answerDue.Iso() });
        await flow.LetterAsync(c, "consultation", Letters.LetterTexts.Consultation(summary!, answerDue), ct, dated: sent);
        return await flow.SavedViewAsync(c, ct);
    }

    private static async Task<IResult> Decide(Guid id, Decisions.DecisionRequest? body, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct) =>
        await Decisions.DecideAsync(Access.Require(http), id, body, flow, access, ct); // the core checks the role

    private static async Task<IResult> DelayLetter(Guid id, DelayLetterRequest? body, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct) =>
        await DelayLetterAsync(Access.Require(http), id, body, flow, access, ct);

    /// <summary>The § 3 stk. 2 letter: the citizen is told when to expect a decision; the API and the case page both come here.</summary>
    public static async Task<IResult> DelayLetterAsync(Actor actor, Guid id, DelayLetterRequest? body, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator);
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
        CaseWorkflow.Require(c, CaseEvent.DelayLetter);
        // The promised day is a working day: a date on a weekend or holiday moves to the next working day.
        var standard = flow.Standards.For(c.MunicipalityId);
        var promised = standard.National.Calendar.RollForward(expected!.Value);
        // Retssikkerhedsloven § 3 stk. 2: when the published processing time cannot be kept, tell the applicant when to expect a decision.
        flow.Record(c, actor, "delay_letter", sent!.Value, reason, new { expectedBy = promised.Iso(), legalBasis = "Retssikkerhedsloven § 3 stk. 2" });
        // The published deadline is not simply overdue any more: the citizen has been told (borger orienteret).
        await flow.CloseAsync(c, sent.Value, "citizen_informed", ct, "decision_due");
        await flow.CloseAsync(c, sent.Value, "new_promise", ct, "decision_promised");
        flow.OpenDeadline(c, "decision_promised", promised, "Retssikkerhedsloven § 3 stk. 2: brev om forventet afgørelsestidspunkt");
        var processing = standard.Get<Domain.Calendar.DeadlinePeriod?>(Parameters.ProcessingTime, c.ReceivedOn).Value;
        await flow.LetterAsync(c, "delay", Letters.LetterTexts.Delay(processing, promised, reason!), ct, dated: sent);
        return await flow.SavedViewAsync(c, ct);
    }

    private static async Task<IResult> Complaint(Guid id, ComplaintRequest? body, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct) =>
        await ComplaintAsync(Access.Require(http), id, body, flow, access, ct); // the core checks the role

    /// <summary>The API and the case page both come here.</summary>
    public static async Task<IResult> ComplaintAsync(Actor actor, Guid id, ComplaintRequest? body, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator, Role.Citizen);
        var c = await access.CaseAsync(actor, id, ct);
        var v = new Validation();
        // A citizen complains in their own pages: received the day it is sent, never another day.
        var received = actor.Role == Role.Citizen ? flow.Today.Date : NotFuture(v, flow, "receivedOn", body?.ReceivedOn);
        var text = v.Text("text", body?.Text);
        v.ThrowIfInvalid();
        CaseWorkflow.Require(c, CaseEvent.Complaint);
        // Retssikkerhedsloven § 67: 4 weeks from receiving the decision. A late complaint is flagged; the caseworker records
        // whether it is dealt with anyway (a good reason, or a klagevejledning that was missing) and why.
        var due = await flow.Db.Deadlines.Where(d => d.CaseId == c.Id && d.Kind == "complaint_due").OrderByDescending(d => d.DueOn)
            .Select(d => (LocalDate?)d.DueOn).FirstOrDefaultAsync(ct);
        var late = due is { } dd && received > dd;
        if (late && actor.Role == Role.Citizen)
        {
            // Whether a late complaint is dealt with anyway is the caseworker's call (retssikkerhedsloven § 67), with the citizen's reason.
            throw ProblemException.Invalid("text", $"Klagefristen udløb {Letters.Danish.Date(due!.Value)}. Kontakt din sagsbehandler og fortæl, hvorfor du klager nu; kommunen kan behandle klagen alligevel, fx hvis du ikke fik klagevejledning.");
        }
        if (late)
        {
            var lv = new Validation();
            var decision = lv.Enum("lateDecision", body?.LateDecision, LateDecisions);
            var why = lv.Text("lateReason", body?.LateReason);
            if (decision is null || why is null)
            {
                lv.Add("receivedOn", $"Klagen er modtaget efter klagefristen ({Letters.Danish.Date(due!.Value)}). Angiv, om den behandles alligevel, og hvorfor.");
            }
            lv.ThrowIfInvalid();
            if (decision == "not_dealt_with")
            {
                flow.Record(c, actor, "complaint_late_rejected", received!.Value, why, new { text, complaintDue = due!.Value.Iso(), lateReason = why, legalBasis = "Retssikkerhedsloven § 67" });
                await flow.LetterAsync(c, "complaint_late", Letters.LetterTexts.LateComplaint(due!.Value, why!), ct);
                return await flow.SavedViewAsync(c, ct);
            }
        }
        c.State = CaseState.ComplaintReceived;
        flow.Record(c, actor, "complaint_received", received!.Value, text, new { late, complaintDue = due?.Iso(), lateReason = late ? body!.LateReason : null });
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
        CaseWorkflow.Require(c, CaseEvent.Reassessment);
        var complaint = await flow.Db.CaseSteps.Where(s => s.CaseId == c.Id && s.Kind == "complaint_received").OrderByDescending(s => s.RecordedAt).FirstAsync(ct);
        if (decided < complaint.OccurredOn)
        {
            throw ProblemException.Invalid("decidedOn", $"Genvurderingen kan ikke ligge før klagen blev modtaget ({Letters.Danish.Date(complaint.OccurredOn)}).");
        }
        var standard = flow.Standards.For(c.MunicipalityId);
        flow.Record(c, actor, "reassessment", decided!.Value, justification, new { outcome, delivery });
        await flow.CloseAsync(c, decided.Value, "reassessed", ct, "reassessment_due");
        c.State = CaseLifecycle.AfterReassessment(outcome!);
        LocalDate? maintainDue = null;
        var today = flow.Today.Date;
        switch (outcome)
        {
            case "full":
                // Full medhold: no forwarding; a new decision follows within the standard's period.
                await flow.CloseAsync(c, decided.Value, "full_outcome", ct, "forward_due");
                foreach (var d in DeadlineEngine.For(standard, DeadlineEvent.ComplaintUpheld, today).Where(d => d.Due is not null))
                {
                    flow.OpenDeadline(c, d.Name, d.Due!.Value, d.Trace[0].Source);
                }
                break;
            case "partial":
                // Where the standard has the step (Brønderslev), the citizen has 4 weeks from receiving the answer to say whether
                // the complaint is maintained; elsewhere the part not upheld is forwarded within 4 weeks of the complaint (§ 66).
                var opened = flow.Open(c, DeadlineEvent.PartialDecisionReceived, flow.ReceivedOn(c.MunicipalityId, today, delivery!));
                if (opened.Count > 0)
                {
                    await flow.CloseAsync(c, decided.Value, "awaiting_maintain", ct, "forward_due");
                    maintainDue = opened[0].DueOn;
                }
                break;
        }
        await flow.LetterAsync(c, "reassessment", Letters.LetterTexts.Reassessment(standard, outcome!, decided.Value, justification!, maintainDue), ct, decided.Value);
        return await flow.SavedViewAsync(c, ct);
    }

    private static async Task<IResult> Maintained(Guid id, DateRequest? body, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct) =>
        await MaintainedAsync(Access.Require(http), id, body, flow, access, ct);

    /// <summary>The citizen maintains a partly upheld complaint (only where the standard has that step); the API and the case page both come here.</summary>
    public static async Task<IResult> MaintainedAsync(Actor actor, Guid id, DateRequest? body, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator);
        var c = await access.CaseAsync(actor, id, ct);
        var v = new Validation();
        var on = NotFuture(v, flow, "on", body?.On);
        v.ThrowIfInvalid();
        CaseWorkflow.Require(c, CaseEvent.ComplaintMaintained);
        if (await flow.CloseAsync(c, on!.Value, "maintained", ct, "maintain_due") == 0)
        {
            throw ProblemException.Conflict("Der er ikke givet delvist medhold med frist for at fastholde klagen, så der er intet at fastholde.", "NOT_PARTIAL");
        }
        flow.Record(c, actor, "complaint_maintained", on.Value, body!.Note);
        var opened = flow.Open(c, DeadlineEvent.ComplaintMaintained, on.Value);
        if (opened.Count == 0)
        {
            // Where the standard sets no period of its own, § 66's 4 weeks from the complaint's receipt apply, but a
            // deadline never opens already overdue: at the earliest the next working day from today.
            var complaint = await flow.Db.CaseSteps.Where(s => s.CaseId == c.Id && s.Kind == "complaint_received").OrderByDescending(s => s.RecordedAt).FirstAsync(ct);
            var standard = flow.Standards.For(c.MunicipalityId);
            var due = DeadlineEngine.For(standard, DeadlineEvent.ComplaintReceived, complaint.OccurredOn).Single(d => d.Name == "forward_due");
            var today = standard.National.Calendar.RollForward(flow.Today.Date);
            flow.OpenDeadline(c, "forward_due", due.Due!.Value < today ? today : due.Due.Value, due.Trace[0].Source);
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
        CaseWorkflow.Require(c, CaseEvent.Forwarded);
        if (await flow.Db.Deadlines.AnyAsync(d => d.CaseId == c.Id && d.ClosedOn == null && d.Kind == "maintain_due", ct))
        {
            throw ProblemException.Conflict("Borgeren har endnu ikke meddelt, om klagen fastholdes.", "AWAITING_MAINTAIN");
        }
        if (!await flow.Db.CaseSteps.AnyAsync(s => s.CaseId == c.Id && s.Kind == "reassessment", ct))
        {
            throw ProblemException.Conflict("Klagen skal genvurderes, før den sendes til Ankestyrelsen (retssikkerhedsloven § 66).", "NOT_REASSESSED");
        }
        var documents = await flow.Db.CaseSteps.Where(s => s.CaseId == c.Id && s.Kind != "decision_check").OrderBy(s => s.RecordedAt)
            .Select(s => new { kind = s.Kind, on = s.OccurredOn }).ToListAsync(ct);
        c.State = CaseState.ComplaintForwarded;
        flow.Record(c, actor, "forwarded", on!.Value, body!.Note, new
        {
            to = "Ankestyrelsen", documents = documents.Select(d => $"{Letters.Danish.Date(d.on)}: {StepTitle(d.kind)}").ToList(),
        });
        await flow.CloseAsync(c, on.Value, "forwarded", ct, "forward_due", "new_decision_due");
        await flow.LetterAsync(c, "forwarded", Letters.LetterTexts.Forwarded(on.Value, documents.Select(d => $"{Letters.Danish.Date(d.on)}: {StepTitle(d.kind)}")), ct);
        return await flow.SavedViewAsync(c, ct);
    }

    internal static async Task<IResult> FollowUp(Guid id, NoteRequest? body, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct)
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

    /// <summary>The action plan (handleplan, SEL § 141) offered to the citizen and their answer, recorded on the case (Gribskov's standard offers it).</summary>
    internal static async Task<IResult> ActionPlan(Guid id, ActionPlanRequest? body, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        var actor = Caseworker(http);
        var c = await access.CaseAsync(actor, id, ct);
        var v = new Validation();
        var on = NotFuture(v, flow, "offeredOn", body?.OfferedOn);
        var answer = v.Enum("answer", body?.Answer, ActionPlanAnswers.Keys.ToDictionary(k => k));
        var note = v.Text("note", body?.Note, required: false);
        if (on is { } o && o < c.ReceivedOn)
        {
            v.Add("offeredOn", "Tilbuddet kan ikke være givet, før ansøgningen blev modtaget.");
        }
        v.ThrowIfInvalid();
        flow.Record(c, actor, "action_plan", on!.Value, note, new { answer, answerText = ActionPlanAnswers[answer!] });
        return await flow.SavedViewAsync(c, ct);
    }

    /// <summary>The citizen's answers to the offer of an action plan.</summary>
    public static readonly IReadOnlyDictionary<string, string> ActionPlanAnswers = new Dictionary<string, string>
    {
        ["accepted"] = "Borgeren ønsker en handleplan",
        ["declined"] = "Borgeren ønsker ikke en handleplan",
        ["undecided"] = "Borgeren vil tænke over tilbuddet",
    };

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
                x.d.DueOn < now, x.c.CaseworkerId, Period.Between(x.c.ReceivedOn, now, PeriodUnits.Days).Days, x.d.Kind == "decision_promised")).ToList();
        if (kind is null or "awaiting_decision")
        {
            // Applications where the standard publishes no processing time (Gribskov) still reach the worklist, oldest first.
            var waiting = AwaitingDecision(db, actor.MunicipalityId);
            if ((scope is null or "mine") && actor.Role == Role.Caseworker)
            {
                waiting = waiting.Where(c => c.CaseworkerId == actor.UserId);
            }
            var aged = await waiting.Join(db.Citizens, c => c.CitizenId, z => z.Id, (c, z) => new { c, z.Name }).OrderBy(x => x.c.ReceivedOn).Take(500).ToListAsync(ct);
            items.AddRange(aged.Select(x => new WorklistItem(x.c.Id, x.c.Number, x.Name, "awaiting_decision", DeadlineTitle("awaiting_decision"), "kommune",
                x.c.ReceivedOn.Iso(), 0, 0, false, x.c.CaseworkerId, Period.Between(x.c.ReceivedOn, now, PeriodUnits.Days).Days, false)));
        }
        return Results.Ok(new WorklistView(now.Iso(), items.Count(i => i.Overdue), items));
    }

    /// <summary>The deadlines by which a decision is due: the published time, a § 3 stk. 2 promise, a new decision after medhold.</summary>
    public static readonly string[] DecisionDeadlines = ["decision_due", "decision_promised", "new_decision_due"];

    /// <summary>Open applications with no decision deadline running (no published processing time, as in Gribskov): the worklist lists them by age.</summary>
    public static IQueryable<Case> AwaitingDecision(LedsagDb db, string municipalityId)
    {
        var open = new[] { CaseState.Received, CaseState.InAssessment, CaseState.Consultation };
        return db.Cases.Where(c => c.MunicipalityId == municipalityId && open.Contains(c.State) &&
            !db.Deadlines.Any(d => d.CaseId == c.Id && d.ClosedOn == null && DecisionDeadlines.Contains(d.Kind)));
    }

    /// <summary>Deadlines the citizen has (to complain, to answer a partshøring, to maintain a complaint); the rest are the municipality's.</summary>
    public static bool IsCitizensDeadline(string kind) => kind is "complaint_due" or "consultation_due" or "maintain_due";

    public sealed record CaseSummary(Guid Id, string Number, string State, string Citizen, string Cpr, string ReceivedOn, Guid? CaseworkerId);

    public sealed record WorklistView(string Today, int Overdue, IReadOnlyList<WorklistItem> Items);

    public sealed record WorklistItem(Guid CaseId, string CaseNumber, string Citizen, string Kind, string Title, string Party, string DueOn,
        int DaysOverdue, int DaysLeft, bool Overdue, Guid? CaseworkerId, int AgeDays, bool CitizenInformed);

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
            ?? throw ProblemException.Conflict("Sagen skal være udredt (med Ledsags vurdering efter reglerne), før der kan sendes udkast eller træffes afgørelse.", "NOT_ASSESSED");
        return CaseWorkflow.Data<RecommendationView>(step)!;
    }

    public static string StepTitle(string kind) => kind switch
    {
        "application_received" => "Ansøgning modtaget",
        "routed" => "Sendt til rette enhed",
        "conversation" => "Samtale",
        "consent" => "Samtykke",
        "assessment" => "Udredning (VUM)",
        "recommendation" => "Ledsags vurdering efter reglerne",
        "draft" => "Udkast til afgørelse (partshøring)",
        "decision" => "Afgørelse",
        "delay_letter" => "Brev om forsinket afgørelse",
        "complaint_received" => "Klage modtaget",
        "reassessment" => "Genvurdering",
        "complaint_maintained" => "Klagen fastholdt",
        "forwarded" => "Sendt til Ankestyrelsen",
        "follow_up" => "Opfølgning",
        "grant_ended" => "Bevilling ophørt",
        "draft_answer" => "Borgerens svar på partshøring",
        "decision_check" => "Tjek af afgørelse",
        "help_started" => "Hjælpen iværksat",
        "complaint_late_rejected" => "Klage modtaget efter fristen — ikke behandlet",
        "action_plan" => "Tilbud om handleplan (serviceloven § 141)",
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
        "new_decision_due" => "Ny afgørelse efter medhold i klagen",
        "awaiting_decision" => "Afventer afgørelse (ingen offentliggjort frist)",
        _ => kind,
    };
}
