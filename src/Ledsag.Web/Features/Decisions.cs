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
/// Decisions (afgørelser): load the case, ask the domain's <see cref="DecisionCheck"/> and <see cref="CaseLifecycle"/>,
/// then record the decision, its letter and deadlines, and replace a grant in force, in one transaction.
/// </summary>
public static class Decisions
{
    /// <summary>A decision: <paramref name="Start"/> is required for a grant; a refusal names its <paramref name="Reasons"/> (rule codes) or a justification.</summary>
    public sealed record DecisionRequest([property: Required] string? DecidedOn, [property: OneOf(typeof(CaseEndpoints), nameof(CaseEndpoints.Deliveries))] string? Delivery,
        [property: Required, OneOf(typeof(Decisions), nameof(Outcomes))] string? Outcome, decimal? HoursPerMonth, string? HoursReason,
        string? Start, string? End, IReadOnlyList<string>? Reasons, string? Justification, bool? InformationFromCitizenOnly);

    /// <summary>The citizen's answer to a draft; <paramref name="Text"/> is required for an answer (not for a waiver).</summary>
    public sealed record DraftAnswerRequest([property: Required] string? ReceivedOn, [property: OneOf(typeof(Decisions), nameof(Channels))] string? Channel,
        [property: OneOf(typeof(Decisions), nameof(AnswerKinds))] string? Kind, string? Text);

    public sealed record DefectView(string Code, string Severity, string? Field, string Message, string Source);

    public sealed record CheckView(bool CanSend, int Blocking, int Warnings, IReadOnlyList<DefectView> Defects);

    private static readonly Dictionary<string, string> Outcomes = new() { ["grant"] = "grant", ["refusal"] = "refusal" };
    private static readonly Dictionary<string, string> AnswerKinds = new() { ["answer"] = "answer", ["waiver"] = "waiver" };
    private static readonly Dictionary<string, string> Channels = new()
    {
        ["digital"] = "digital", ["brev"] = "brev", ["telefon"] = "telefon", ["personligt"] = "personligt", ["mail"] = "mail",
    };

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/{id:guid}/decision/check", Check).WithName("CheckDecision").Produces<CheckView>().ProducesProblem(409);
        api.MapPost("/{id:guid}/draft/answer", (Guid id, DraftAnswerRequest? body, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct) =>
            DraftAnswerAsync(Access.Require(http), id, body, flow, access, ct)).WithName("RecordDraftAnswer").Produces<CaseView>().ProducesProblem(409);
        api.MapPost("/{id:guid}/started", (Guid id, CaseEndpoints.DateRequest? body, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct) =>
            HelpStartedAsync(Access.Require(http), id, body, flow, access, ct)).WithName("RecordHelpStarted").Produces<CaseView>().ProducesProblem(409);
    }

    private static async Task<IResult> Check(Guid id, DecisionRequest? body, HttpContext http, CaseWorkflow flow, Access access, CancellationToken ct) =>
        Results.Ok(ToView(await CheckAsync(Access.Require(http), id, body, flow, access, ct)));

    /// <summary>The check's answer as the API and the case page show it.</summary>
    public static CheckView ToView(IReadOnlyList<Defect> defects) => new(
        defects.All(d => d.Severity != DefectSeverity.Blocking),
        defects.Count(d => d.Severity == DefectSeverity.Blocking),
        defects.Count(d => d.Severity == DefectSeverity.Warning),
        defects.Select(View).ToList());

    /// <summary>Stops a decision with blocking defects: 422 naming each field and listing every defect; nothing is saved.</summary>
    public static void ThrowIfBlocking(IReadOnlyList<Defect> defects, string title)
    {
        var blocking = defects.Where(d => d.Severity == DefectSeverity.Blocking).ToList();
        if (blocking.Count > 0)
        {
            throw new ProblemException(StatusCodes.Status422UnprocessableEntity, title,
                blocking.Where(d => d.Field is not null).GroupBy(d => d.Field!).ToDictionary(g => g.Key, g => g.Select(d => d.Message).ToArray()), "DECISION_CHECK_FAILED")
            {
                Extensions = { ["defects"] = defects.Select(View).ToList() },
            };
        }
    }

    private static DefectView View(Defect d) =>
        new(d.Code, d.Severity == DefectSeverity.Blocking ? "blocking" : "warning", d.Field, d.Message, d.Source);

    /// <summary>Runs the check of a request on a case and records what it found (for the statistics: found, fixed, overridden).</summary>
    public static async Task<IReadOnlyList<Defect>> CheckAsync(Actor actor, Guid id, DecisionRequest? body, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator);
        var c = await access.CaseAsync(actor, id, ct);
        var defects = await EvaluateAsync(flow, c, body, ct);
        flow.Record(c, actor, "decision_check", flow.Today.Date, $"{defects.Count} fejl", new { outcome = body?.Outcome, defects = defects.Select(View) });
        await flow.SaveAsync(ct);
        return defects;
    }

    /// <summary>The check of a request on a case, recording nothing (the case page shows it beside the form).</summary>
    public static async Task<IReadOnlyList<Defect>> EvaluateAsync(CaseWorkflow flow, Case c, DecisionRequest? body, CancellationToken ct)
    {
        var (parsed, rest) = Parse(body, flow, requireAll: false);
        var standard = flow.Standards.For(c.MunicipalityId);
        var snapshot = await SnapshotAsync(flow, c, ct);
        var (draft, _, _, _) = Complete(standard, c, snapshot, parsed, rest);
        return DecisionCheck.Run(standard, snapshot, draft, flow.Today.Date);
    }

    /// <summary>
    /// The draft as it would be sent: a grant's hours default to the lawful figure of the assessment, and the letter the
    /// citizen would receive is written, so the check reads the guidance it carries.
    /// </summary>
    private static (DraftDecision Draft, Minutes Hours, Minutes Full, (string Subject, string Body) Letter) Complete(MunicipalStandard standard, Case c,
        CaseSnapshot snapshot, DraftDecision parsed, Parsed rest)
    {
        var full = standard.Get<Minutes>(Parameters.HoursPerMonth, parsed.DecidedOn).Value;
        var hours = parsed.Hours ?? snapshot.LawfulHours ?? snapshot.Recommendation?.HoursPerMonth ?? full;
        var draft = parsed with { Hours = parsed.Outcome == "grant" ? hours : null };
        var letter = draft.Outcome == "grant"
            ? Letters.LetterTexts.Grant(standard, draft.DecidedOn, c.ReceivedOn, hours.Hours, rest.Start ?? draft.DecidedOn, rest.End, draft.Justification,
                PartialReasons(standard, draft, hours < full), c.State == CaseState.ComplaintForwarded)
            : default;
        return (draft with { LetterBody = letter.Body }, hours, full, letter);
    }

    /// <summary>Why a grant is fewer than 15 hours: the reasons given, or the standard's botilbud rule.</summary>
    private static IEnumerable<ReasonInfo> PartialReasons(MunicipalStandard standard, DraftDecision draft, bool partial)
    {
        if (!partial)
        {
            return [];
        }
        var given = draft.Reasons.Select(r => standard.National.Reasons.GetValueOrDefault(r)).OfType<ReasonInfo>().ToList();
        if (given.Count > 0)
        {
            return given;
        }
        var rule = standard.Get<string>(Parameters.BotilbudRule, draft.DecidedOn);
        return [new ReasonInfo(Parameters.BotilbudRule, "Ledsagelse, du allerede får i dit botilbud eller hjem, trækkes fra de 15 timer.", rule.Source)];
    }

    private sealed record Parsed(string Delivery, LocalDate? Start, LocalDate? End, string? HoursReason);

    /// <summary>Reads a request into the domain's draft decision; field errors are thrown as 400 when <paramref name="requireAll"/>.</summary>
    private static (DraftDecision Draft, Parsed Extra) Parse(DecisionRequest? body, CaseWorkflow flow, bool requireAll)
    {
        var v = new Validation();
        var decided = v.Date("decidedOn", body?.DecidedOn, required: requireAll) ?? flow.Today.Date;
        var delivery = v.Enum("delivery", body?.Delivery ?? "digital", CaseEndpoints.Deliveries);
        var outcome = v.Enum("outcome", body?.Outcome, Outcomes);
        var justification = v.Text("justification", body?.Justification, required: false);
        var hours = v.Hours("hoursPerMonth", body?.HoursPerMonth, required: false, allowZero: false);
        var start = v.Date("start", body?.Start, required: requireAll && outcome == "grant");
        var end = v.Date("end", body?.End, required: false);
        var hoursReason = v.Text("hoursReason", body?.HoursReason, required: false);
        if (end is not null && outcome == "grant")
        {
            // FACTS: a grant is not time-limited; it ends only by a decision (or the citizen moving away or dying).
            v.Add("end", "En bevilling efter serviceloven § 97 er ikke tidsbegrænset. Udelad slutdatoen; ophør er en særskilt afgørelse.");
        }
        var reasons = body?.Reasons ?? [];
        for (var i = 0; i < reasons.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(reasons[i]))
            {
                v.Add($"reasons[{i}]", "Skal udfyldes.");
            }
        }
        v.ThrowIfInvalid();
        var draft = new DraftDecision(outcome!, decided, hours, reasons, justification, body?.InformationFromCitizenOnly ?? false, null);
        return (draft, new Parsed(delivery!, start, end, hoursReason));
    }

    /// <summary>The snapshot of a case the check needs, loaded from its steps and deadlines.</summary>
    public static async Task<CaseSnapshot> SnapshotAsync(CaseWorkflow flow, Case c, CancellationToken ct)
    {
        var db = flow.Db;
        // In recording order: the instant, then the case's version (steps of one request share the instant).
        var steps = (await db.CaseSteps.AsNoTracking().Where(s => s.CaseId == c.Id).ToListAsync(ct))
            .OrderBy(s => s.RecordedAt).ThenBy(s => s.CaseVersion).ToList();
        var lastDecision = steps.FindLastIndex(s => s.Kind is "decision" or "reassessment" or "grant_ended");
        var recommendationStep = steps.LastOrDefault(s => s.Kind == "recommendation");
        var assessment = steps.LastOrDefault(s => s.Kind == "assessment");
        Recommendation? recommendation = null;
        if (recommendationStep is not null && CaseWorkflow.Data<RecommendationView>(recommendationStep) is { } r)
        {
            var kind = r.Kind switch { "grant" => RecommendationKind.Grant, "deny" => RecommendationKind.Deny, _ => RecommendationKind.Assess };
            recommendation = new Recommendation(kind, r.Reasons.Select(x => x.Code).ToList(), r.HoursPerMonth is { } h ? Minutes.FromHours(h) : null, []);
        }
        Minutes? lawful = null;
        if (assessment is not null && System.Text.Json.JsonDocument.Parse(assessment.DataJson).RootElement.TryGetProperty("lawfulMinutes", out var lm) &&
            lm.ValueKind == System.Text.Json.JsonValueKind.Number)
        {
            lawful = new Minutes(lm.GetInt32());
        }
        // The partshøring that counts is the latest draft since the last decision, with any answer recorded after it.
        var draftAt = steps.FindLastIndex(s => s.Kind == "draft");
        var draft = draftAt > lastDecision ? steps[draftAt] : null;
        Consultation? consultation = null;
        if (draft is not null)
        {
            var data = System.Text.Json.JsonDocument.Parse(draft.DataJson).RootElement;
            LocalDate? due = data.TryGetProperty("answerDue", out var ad) && ad.ValueKind == System.Text.Json.JsonValueKind.String
                ? NodaTime.Text.LocalDatePattern.Iso.Parse(ad.GetString()!).GetValueOrThrow() : null;
            var answer = steps.Skip(draftAt + 1).LastOrDefault(s => s.Kind == "draft_answer");
            consultation = new Consultation(draft.OccurredOn, data.TryGetProperty("outcome", out var o) ? o.GetString() ?? "" : "", due, answer?.OccurredOn);
        }
        var open = await db.Deadlines.AsNoTracking().Where(d => d.CaseId == c.Id && d.ClosedOn == null && CaseEndpoints.DecisionDeadlines.Contains(d.Kind))
            .OrderBy(d => d.DueOn).Select(d => (LocalDate?)d.DueOn).FirstOrDefaultAsync(ct);
        var companions = await db.Companions.AsNoTracking()
            .Where(k => k.NominatedByCitizenId == c.CitizenId || db.Assignments.Any(a => a.CompanionId == k.Id && a.CitizenId == c.CitizenId && a.EndedOn == null))
            .Select(k => new CompanionRelation(k.Name, db.RelationDeclarations.Any(r => r.CompanionId == k.Id && r.CitizenId == c.CitizenId))).ToListAsync(ct);
        var actionPlan = steps.Any(s => s.Kind == "action_plan");
        return new CaseSnapshot(c.ReceivedOn, c.State, recommendation, lawful, assessment?.OccurredOn, consultation, open, companions, actionPlan);
    }

    /// <summary>Records a decision (grant or refusal, always with klagevejledning and a letter); the API and the pages both come here.</summary>
    public static async Task<IResult> DecideAsync(Actor actor, Guid id, DecisionRequest? body, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator);
        var c = await access.CaseAsync(actor, id, ct);
        var (parsed, rest) = Parse(body, flow, requireAll: true);
        CaseWorkflow.Require(c, CaseEvent.Decision);
        await RequireOneDecisionAfterComplaintStepAsync(flow, c, ct);
        var standard = flow.Standards.For(c.MunicipalityId);
        var snapshot = await SnapshotAsync(flow, c, ct);
        if (snapshot.Recommendation is null)
        {
            throw ProblemException.Conflict("Sagen skal være udredt (med motorens anbefaling), før der kan sendes udkast eller træffes afgørelse.", "NOT_ASSESSED");
        }
        var (draft, hours, full, body0) = Complete(standard, c, snapshot, parsed, rest);

        // Field checks that are not the law's: the grant's start.
        var v = new Validation();
        var today = flow.Today.Date;
        if (draft.Outcome == "grant")
        {
            if (rest.Start < c.ReceivedOn)
            {
                v.Add("start", "Bevillingen kan ikke starte før ansøgningen er modtaget.");
            }
            var startDue = DeadlineEngine.For(standard, DeadlineEvent.GrantDecided, draft.DecidedOn).Single(d => d.Name == "start_due");
            if (startDue.Due is { } latest && rest.Start > latest)
            {
                v.Add("start", $"Skal ligge senest {latest.Iso()} ({startDue.Trace[0].Source}).");
            }
        }
        v.ThrowIfInvalid();

        // The decision check: blocking defects stop the decision (422, all of them); warnings go with it.
        var defects = DecisionCheck.Run(standard, snapshot, draft, today);
        ThrowIfBlocking(defects, "Afgørelsen kan ikke sendes: tjekket fandt fejl, der skal rettes først.");

        var before = c.State;
        var forwarded = before == CaseState.ComplaintForwarded;
        var warnings = defects.Select(View).ToList();
        // The letter goes out today; the complaint period runs from the day the citizen receives it (retssikkerhedsloven § 67).
        var receivedByCitizen = flow.ReceivedOn(c.MunicipalityId, today, rest.Delivery);
        var klagevejledning = forwarded ? Letters.LetterTexts.AfterForwarding : Letters.LetterTexts.Klagevejledning(standard, draft.DecidedOn);
        if (draft.Outcome == "refusal")
        {
            c.State = CaseLifecycle.AfterDecision(before, granted: false);
            flow.Record(c, actor, "decision", draft.DecidedOn, draft.Justification, new
            {
                outcome = draft.Outcome, delivery = rest.Delivery, reasons = draft.Reasons, justification = draft.Justification, klagevejledning,
                informationFromCitizenOnly = draft.InformationFromCitizenOnly,
                reasonTexts = draft.Reasons.Select(r => new { code = r, text = standard.National.Reasons[r].Text, source = standard.National.Reasons[r].Source }),
                sentOn = today.Iso(), receivedOn = receivedByCitizen.Iso(), warnings,
            });
            await flow.LetterAsync(c, "refusal", Letters.LetterTexts.Refusal(standard, draft.DecidedOn, c.ReceivedOn,
                draft.Reasons.Select(r => standard.National.Reasons[r]), draft.Justification!, forwarded), ct, draft.DecidedOn);
        }
        else
        {
            var citizen = await flow.Db.Citizens.FirstAsync(z => z.Id == c.CitizenId, ct);
            var grant = new Grant
            {
                CaseId = c.Id, CitizenId = c.CitizenId, MunicipalityId = c.MunicipalityId, Start = rest.Start!.Value, End = rest.End,
                MinutesPerMonth = hours.Value, HoursReason = rest.HoursReason, InForceCitizenId = c.CitizenId,
            };
            var replaced = await ReplaceGrantInForceAsync(flow, actor, grant, ct);
            flow.Db.Grants.Add(grant);
            c.State = CaseLifecycle.AfterDecision(before, granted: true);
            flow.Record(c, actor, "decision", draft.DecidedOn, draft.Justification, new
            {
                outcome = draft.Outcome, delivery = rest.Delivery, grantId = grant.Id, hoursPerMonth = hours.Hours, partialRefusal = hours < full,
                reasons = draft.Reasons, hoursReason = rest.HoursReason, start = grant.Start.Iso(), end = grant.End?.Iso(), justification = draft.Justification,
                klagevejledning, replacesGrantId = replaced, informationFromCitizenOnly = draft.InformationFromCitizenOnly,
                continuesPastAgeLimit = "En bevilling givet før folkepensionsalderen fortsætter efter den (SEL § 97 stk. 2).",
                citizenBirthDate = citizen.BirthDate.Iso(), sentOn = today.Iso(), receivedOn = receivedByCitizen.Iso(), warnings,
            });
            // A replacement continues help already running: no new start deadline, and the old case's follow-ups move here.
            foreach (var d in DeadlineEngine.For(standard, DeadlineEvent.GrantDecided, draft.DecidedOn).Where(d => d.Due is not null && (replaced is null || d.Name != "start_due")))
            {
                flow.OpenDeadline(c, d.Name, d.Due!.Value, d.Trace[0].Source);
            }
            if (replaced is { } oldId && await flow.Db.Grants.Where(g => g.Id == oldId).Select(g => g.CaseId).FirstAsync(ct) is var oldCase && oldCase != c.Id)
            {
                foreach (var open in await flow.Db.Deadlines.Where(d => d.CaseId == oldCase && d.ClosedOn == null &&
                             (d.Kind == "first_follow_up_due" || d.Kind == "follow_up_due" || d.Kind == "start_due")).ToListAsync(ct))
                {
                    open.ClosedOn = draft.DecidedOn;
                    open.ClosedHow = "replaced";
                }
            }
            await flow.LetterAsync(c, "grant", body0, ct, draft.DecidedOn);
        }
        // The decision reaches the citizen with today's letter: its deadlines close today, not on a back-dated decision day.
        await flow.CloseAsync(c, today, "decided", ct, [.. CaseEndpoints.DecisionDeadlines, "consultation_due"]);
        if (!forwarded)
        {
            // Retssikkerhedsloven § 67: 4 weeks to complain from the day the decision is received.
            foreach (var d in DeadlineEngine.For(standard, DeadlineEvent.DecisionReceived, receivedByCitizen).Where(d => d.Due is not null))
            {
                flow.OpenDeadline(c, d.Name, d.Due!.Value, d.Trace[0].Source);
            }
        }
        // One SaveChanges, one transaction: the old grant ends (guarded by its version), the new one is in force (the
        // unique index refuses a second), and sessions, plans and agreements move — or nothing is saved (409).
        await flow.SaveAsync(ct);
        return Results.Ok(await CaseView.LoadAsync(flow, c, ct));
    }

    /// <summary>
    /// After partial medhold, or after forwarding, one new decision follows (the upheld part, or Ankestyrelsen's ruling):
    /// a second is refused, so a double submit cannot send two letters.
    /// </summary>
    private static async Task RequireOneDecisionAfterComplaintStepAsync(CaseWorkflow flow, Case c, CancellationToken ct)
    {
        if (c.State is not (CaseState.ComplaintPartlyUpheld or CaseState.ComplaintForwarded))
        {
            return;
        }
        var steps = (await flow.Db.CaseSteps.AsNoTracking().Where(s => s.CaseId == c.Id && (s.Kind == "reassessment" || s.Kind == "forwarded" || s.Kind == "decision"))
            .Select(s => new { s.Kind, s.RecordedAt, s.CaseVersion }).ToListAsync(ct)).OrderBy(s => s.RecordedAt).ThenBy(s => s.CaseVersion).ToList();
        if (steps.Count > 0 && steps[^1].Kind == "decision")
        {
            throw ProblemException.Conflict("Der er allerede truffet en ny afgørelse efter klagen.", "ALREADY_DECIDED");
        }
    }

    /// <summary>
    /// One grant in force per citizen: a new decision on the same matter replaces the grant in force from the new
    /// grant's start. The ledger runs on over the chain (earlier figures kept), so saved hours and sessions stay whole:
    /// the old grant's sessions, planned sessions and savings agreements move to the new one. All of it is saved with
    /// the decision in one SaveChanges; the old grant's version guards against a session or a decision racing it.
    /// </summary>
    private static async Task<Guid?> ReplaceGrantInForceAsync(CaseWorkflow flow, Actor actor, Grant grant, CancellationToken ct)
    {
        var db = flow.Db;
        // A grant ended by a decision (moving away, no longer in the target group) still runs to its last day: a new one starts after it.
        var running = await db.Grants.Where(g => g.CitizenId == grant.CitizenId && g.InForceCitizenId == null && g.EndReason != "replaced" && g.End >= grant.Start)
            .OrderByDescending(g => g.End).Select(g => g.End).FirstOrDefaultAsync(ct);
        if (running is { } lastDay)
        {
            throw ProblemException.Invalid("start", $"Borgerens bevilling løber til og med {Letters.Danish.Date(lastDay)}; en ny bevilling kan tidligst starte {Letters.Danish.Date(lastDay.PlusDays(1))}.");
        }
        var old = await db.Grants.FirstOrDefaultAsync(g => g.InForceCitizenId == grant.CitizenId, ct);
        if (old is null)
        {
            return null;
        }
        var ledgerStart = old.LedgerStart ?? old.Start;
        var earlier = old.EarlierHours ?? "";
        if (grant.Start > old.Start)
        {
            earlier = (earlier.Length > 0 ? earlier + ";" : "") + $"{old.Start.Iso()}:{old.MinutesPerMonth}";
        }
        grant.LedgerStart = grant.Start < ledgerStart ? grant.Start : ledgerStart;
        grant.EarlierHours = earlier.Length == 0 ? null : earlier;
        grant.ReplacesGrantId = old.Id;
        var endOn = grant.Start > old.Start ? grant.Start.PlusDays(-1) : old.Start;
        old.End = old.End is { } e && e < endOn ? e : endOn;
        old.EndReason = "replaced";
        old.InForceCitizenId = null;
        old.Version++;
        foreach (var s in await db.Sessions.Where(s => s.GrantId == old.Id).ToListAsync(ct))
        {
            s.GrantId = grant.Id;
        }
        foreach (var p in await db.PlannedSessions.Where(p => p.GrantId == old.Id).ToListAsync(ct))
        {
            p.GrantId = grant.Id;
        }
        foreach (var a in await db.SavingsAgreements.Where(a => a.GrantId == old.Id).ToListAsync(ct))
        {
            a.GrantId = grant.Id;
        }
        flow.Audit.Add(db, actor, "replace", "grant", old.Id.ToString(), $"erstattet af {grant.Id} fra {grant.Start.Iso()}");
        return old.Id;
    }

    /// <summary>The citizen's answer to a partshøring, or a waiver, by any channel (forvaltningsloven § 19).</summary>
    public static async Task<IResult> DraftAnswerAsync(Actor actor, Guid id, DraftAnswerRequest? body, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator);
        var c = await access.CaseAsync(actor, id, ct);
        var v = new Validation();
        var on = v.Date("receivedOn", body?.ReceivedOn);
        if (on > flow.Today.Date)
        {
            v.Add("receivedOn", "Datoen kan ikke ligge i fremtiden.");
        }
        var channel = v.Enum("channel", body?.Channel ?? "digital", Channels);
        var kind = v.Enum("kind", body?.Kind ?? "answer", AnswerKinds);
        var text = v.Text("text", body?.Text, required: kind == "answer");
        v.ThrowIfInvalid();
        CaseWorkflow.Require(c, CaseEvent.DraftAnswer);
        var snapshot = await SnapshotAsync(flow, c, ct);
        if (snapshot.Consultation is not { } k)
        {
            throw ProblemException.Conflict("Der er ikke sendt et udkast i partshøring, som borgeren kan svare på.", "NO_DRAFT");
        }
        if (on < k.SentOn)
        {
            throw ProblemException.Invalid("receivedOn", "Svaret kan ikke være modtaget, før udkastet blev sendt.");
        }
        flow.Record(c, actor, "draft_answer", on!.Value, kind == "waiver" ? "Borgeren giver afkald på at svare." : text, new { kind, channel, text });
        await flow.CloseAsync(c, on.Value, kind == "waiver" ? "waived" : "answered", ct, "consultation_due");
        return await flow.SavedViewAsync(c, ct);
    }

    /// <summary>The help has started (iværksat): closes the start deadline (Brønderslev: 14 days).</summary>
    public static async Task<IResult> HelpStartedAsync(Actor actor, Guid id, CaseEndpoints.DateRequest? body, CaseWorkflow flow, Access access, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator);
        var c = await access.CaseAsync(actor, id, ct);
        var v = new Validation();
        var on = v.Date("on", body?.On);
        if (on > flow.Today.Date)
        {
            v.Add("on", "Datoen kan ikke ligge i fremtiden.");
        }
        v.ThrowIfInvalid();
        CaseWorkflow.Require(c, CaseEvent.HelpStarted);
        var decided = await flow.Db.CaseSteps.Where(s => s.CaseId == c.Id && s.Kind == "decision").OrderByDescending(s => s.OccurredOn)
            .Select(s => (LocalDate?)s.OccurredOn).FirstOrDefaultAsync(ct);
        if (on < decided)
        {
            throw ProblemException.Invalid("on", $"Hjælpen kan ikke være iværksat før bevillingen ({Letters.Danish.Date(decided!.Value)}).");
        }
        if (!await flow.Db.Deadlines.AnyAsync(d => d.CaseId == c.Id && d.Kind == "start_due" && d.ClosedOn == null, ct))
        {
            throw ProblemException.Conflict("Der er ingen åben frist for iværksættelse på sagen.", "NO_START_DEADLINE");
        }
        flow.Record(c, actor, "help_started", on!.Value, body?.Note);
        await flow.CloseAsync(c, on.Value, "started", ct, "start_due");
        return await flow.SavedViewAsync(c, ct);
    }

    /// <summary>The first session on a grant shows the help has started: its start deadline closes (one statement, no read).</summary>
    public static Task<int> CloseStartOnFirstSessionAsync(LedsagDb db, Guid caseId, LocalDate on, CancellationToken ct) =>
        db.Deadlines.Where(d => d.CaseId == caseId && d.Kind == "start_due" && d.ClosedOn == null)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.ClosedOn, on).SetProperty(d => d.ClosedHow, "first_session"), ct);
}
