using System.ComponentModel.DataAnnotations;
using Ledsag.Domain;
using Ledsag.Domain.Cases;
using Ledsag.Domain.Hours;
using Ledsag.Domain.Standards;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using DomainGrant = Ledsag.Domain.Hours.Grant;
using Grant = Ledsag.Web.Data.Grant;

namespace Ledsag.Web.Features;

/// <summary>Grants and their hours: savings agreements, sessions through the engine, balance and lapse forecast, end of a grant.</summary>
public static class GrantEndpoints
{
    public sealed record AgreementRequest([property: Required] string? From, [property: Required] string? To, [property: Required] string? Purpose, string? AgreedOn = null, Guid? CompanionId = null, string? CompanionExpenses = null,
        string? AgreedDocumentation = null);
    public sealed record EndRequest([property: Required] string? EndOn, [property: Required, OneOf(typeof(GrantEndpoints), nameof(EndReasons))] string? Reason, string? Note,
        string? DecidedOn = null, IReadOnlyList<string>? Reasons = null, string? Justification = null, bool? InformationFromCitizenOnly = null,
        [property: OneOf(typeof(CaseEndpoints), nameof(CaseEndpoints.Deliveries))] string? Delivery = null);
    public sealed record AssignRequest([property: Required] Guid? CompanionId, string? From);

    public sealed record SavingsAgreementView(Guid Id, string From, string To, string AgreedOn, string Purpose, Guid? CompanionId, string? CompanionExpenses);
    public sealed record GrantView(Guid Id, Guid CaseId, Guid CitizenId, string Start, string? End, decimal HoursPerMonth, string? HoursReason, string? EndReason,
        IReadOnlyList<SavingsAgreementView> SavingsAgreements, Guid? ReplacesGrantId, bool InForce);
    public sealed record GrantEnded(Guid Id, string? End, string? EndReason);
    public sealed record AssignmentView(Guid Id, Guid CompanionId, Guid CitizenId, string From);

    public sealed record LapseView(string Date, decimal Hours);
    public sealed record BalanceView(Guid GrantId, string Date, decimal Available, decimal CurrentMonth, decimal Saved, decimal UsedTotal,
        decimal LapsedTotal, LapseView? NextLapse, IReadOnlyList<LapseView> Forecast, string? LapseText);

    private static readonly Dictionary<string, string> EndReasons = new()
    {
        ["moved"] = "fraflyttet kommunen", ["bpa_granted"] = "bevilget BPA efter § 96", ["died"] = "død",
        ["no_longer_in_target_group"] = "ikke længere i målgruppen", ["declined"] = "borgeren ønsker ikke ordningen",
    };

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/grants").WithTags("Bevillinger og timer").RequireAuthorization();
        api.MapGet("/{id:guid}", Get).WithName("GetGrant").Produces<GrantView>();
        api.MapGet("/{id:guid}/balance", Balance).WithName("GetBalance").Produces<BalanceView>().ProducesProblem(409);
        api.MapGet("/{id:guid}/history", HistoryEndpoint).WithName("GetHoursHistory").Produces<IReadOnlyList<MonthView>>().ProducesProblem(409);
        api.MapPost("/{id:guid}/savings-agreements", Agreement).WithName("CreateSavingsAgreement").Produces<SavingsAgreementView>(201).ProducesProblem(409);
        api.MapPost("/{id:guid}/end", End).WithName("EndGrant").Produces<GrantEnded>().ProducesProblem(409).ProducesProblem(422);
        api.MapPost("/{id:guid}/companions", Assign).WithName("AssignCompanion").Produces<AssignmentView>(201).ProducesProblem(409);
    }

    private static async Task<IResult> Get(Guid id, HttpContext http, Access access, LedsagDb db, AuditLog audit, CancellationToken ct)
    {
        var actor = Access.Require(http);
        var g = await access.GrantAsync(actor, id, ct);
        access.Read(actor, "grant", id);
        await audit.SaveAsync(db, ct);
        var agreements = await db.SavingsAgreements.Where(a => a.GrantId == id).OrderBy(a => a.From).ToListAsync(ct);
        return Results.Ok(new GrantView(g.Id, g.CaseId, g.CitizenId, g.Start.Iso(), g.End?.Iso(), g.MinutesPerMonth / 60m, g.HoursReason, g.EndReason,
            agreements.Select(AgreementView).ToList(), g.ReplacesGrantId, g.InForceCitizenId is not null));
    }

    /// <summary>The ledger of a grant, replayed from its posted sessions, with the standing rows whole (for pages that list them).</summary>
    internal static async Task<(HoursLedger Ledger, List<SessionRow> Sessions, List<SavingsAgreement> Agreements)> LedgerAsync(
        LedsagDb db, Grant g, MunicipalStandard standard, CancellationToken ct)
    {
        var agreements = await AgreementsAsync(db, g.Id, ct);
        var sessions = Standing(await db.Sessions.AsNoTracking().Where(s => s.GrantId == g.Id).OrderBy(s => s.Date).ThenBy(s => s.Sequence).ToListAsync(ct));
        var ledger = new HoursLedger(ToDomain(g, agreements), LedgerRules.Timeline(standard));
        foreach (var s in sessions)
        {
            ledger.Use(s.Date, new Minutes(s.Minutes));
        }
        return (ledger, sessions, agreements);
    }

    /// <summary>
    /// The ledger of a grant, replayed from its posted sessions (the entries are the truth): only the columns
    /// the ledger reads. With <paramref name="cache"/>, a copy of the kept replay while the grant's version holds.
    /// </summary>
    internal static async Task<HoursLedger> ReplayAsync(LedsagDb db, Grant g, MunicipalStandard standard, CancellationToken ct, LedgerCache? cache = null)
    {
        if (cache?.Get(g) is { } kept)
        {
            return kept.Ledger.Clone();
        }
        using var span = Telemetry.Source.StartActivity("ledsag.ledger.replay")?.SetTag(Telemetry.MunicipalityTag, g.MunicipalityId);
        var (all, agreements) = await RowsAsync(db, g.Id, ct);
        var ledger = new HoursLedger(ToDomain(g, agreements), LedgerRules.Timeline(standard));
        var standing = Standing(all);
        foreach (var s in standing)
        {
            ledger.Use(s.Date, new Minutes(s.Minutes));
        }
        if (cache is null)
        {
            return ledger;
        }
        cache.Put(g, ledger, standing.Count == 0 ? null : standing[^1].Date, all.Count == 0 ? 0 : all.Max(s => s.Sequence));
        return ledger.Clone();
    }

    /// <summary>What the ledger needs of a posted session.</summary>
    internal readonly record struct LedgerRow(Guid Id, LocalDate Date, int Minutes, Guid? ReversalOf, long Sequence);

    /// <summary>Every session of a grant in booking order (reversals included) and its savings agreements.</summary>
    internal static async Task<(List<LedgerRow> All, List<SavingsAgreement> Agreements)> RowsAsync(LedsagDb db, Guid grantId, CancellationToken ct)
    {
        var agreements = await AgreementsAsync(db, grantId, ct);
        var all = await db.Sessions.Where(s => s.GrantId == grantId).OrderBy(s => s.Date).ThenBy(s => s.Sequence)
            .Select(s => new LedgerRow(s.Id, s.Date, s.Minutes, s.ReversalOf, s.Sequence)).ToListAsync(ct);
        return (all, agreements);
    }

    private static Task<List<SavingsAgreement>> AgreementsAsync(LedsagDb db, Guid grantId, CancellationToken ct) =>
        db.SavingsAgreements.Where(a => a.GrantId == grantId).Select(a => new SavingsAgreement(a.From, a.To, a.AgreedOn)).ToListAsync(ct);

    /// <summary>The sessions that stand (see <see cref="Standing(IReadOnlyList{SessionRow})"/>), of the ledger's rows.</summary>
    internal static List<LedgerRow> Standing(IReadOnlyList<LedgerRow> rows)
    {
        HashSet<Guid>? reversed = null;
        foreach (var r in rows)
        {
            if (r.ReversalOf is { } id)
            {
                (reversed ??= []).Add(id);
            }
        }
        if (reversed is null)
        {
            return rows as List<LedgerRow> ?? [.. rows];
        }
        return rows.Where(r => r.ReversalOf is null && !reversed.Contains(r.Id)).ToList();
    }

    /// <summary>The sessions that stand: not reversed, and not themselves reversing entries (a pair nets to nothing).</summary>
    public static List<SessionRow> Standing(IReadOnlyList<SessionRow> rows)
    {
        var reversed = rows.Where(r => r.ReversalOf is not null).Select(r => r.ReversalOf!.Value).ToHashSet();
        return rows.Where(r => r.ReversalOf is null && !reversed.Contains(r.Id)).ToList();
    }

    /// <summary>
    /// A replaced grant's sessions, plans and agreements moved to the grant that replaced it: nothing new is booked on it,
    /// or the same months could be spent twice.
    /// </summary>
    public static void RequireNotReplaced(Grant g)
    {
        if (g.EndReason == "replaced")
        {
            throw ProblemException.Conflict("Bevillingen er erstattet af en nyere afgørelse. Registrér på den gældende bevilling.", "GRANT_REPLACED");
        }
    }

    /// <summary>
    /// The grant as the ledger sees it: a grant that replaced others runs its ledger over the whole chain, from the first
    /// one's start, with their monthly figures for their months (see <see cref="Grant.EarlierHours"/>).
    /// </summary>
    public static DomainGrant ToDomain(Grant g, IReadOnlyList<SavingsAgreement> agreements)
    {
        if (g.EarlierHours is null && g.LedgerStart is null)
        {
            return new(g.Start, g.End, new Minutes(g.MinutesPerMonth), agreements);
        }
        var earlier = (g.EarlierHours ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split(':'))
            .Select(p => new HoursPeriod(NodaTime.Text.LocalDatePattern.Iso.Parse(p[0]).Value, new Minutes(int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture))))
            .ToList();
        var start = g.LedgerStart ?? g.Start;
        return earlier.Count == 0
            ? new(start, g.End, new Minutes(g.MinutesPerMonth), agreements)
            : new(start, g.End, new Minutes(g.MinutesPerMonth), agreements, earlier, g.Start);
    }

    private static async Task<IResult> Balance(Guid id, string? date, HttpContext http, Access access, LedsagDb db, AuditLog audit, Standards standards, Today today,
        LedgerCache ledgers, CancellationToken ct)
    {
        var actor = Access.Require(http);
        var g = await access.GrantAsync(actor, id, ct);
        var v = new Validation();
        var on = v.Date("date", date, required: false) ?? today.Date;
        v.ThrowIfInvalid();
        access.Read(actor, "balance", id);
        await audit.SaveAsync(db, ct);
        var ledger = await ReplayAsync(db, g, standards.For(g.MunicipalityId), ct, ledgers);
        return Results.Ok(View(g.Id, ledger, on));
    }

    private static async Task<IResult> HistoryEndpoint(Guid id, HttpContext http, Access access, LedsagDb db, AuditLog audit, Standards standards, Today today,
        LedgerCache ledgers, CancellationToken ct)
    {
        var actor = Access.Require(http);
        var g = await access.GrantAsync(actor, id, ct);
        access.Read(actor, "history", id);
        await audit.SaveAsync(db, ct);
        var ledger = await ReplayAsync(db, g, standards.For(g.MunicipalityId), ct, ledgers);
        return Results.Ok(History(ledger, today.Date));
    }

    internal static BalanceView View(Guid grantId, HoursLedger ledger, LocalDate on)
    {
        var b = ledger.BalanceAt(on);
        var forecast = ledger.Forecast(on).Select(l => new LapseView(l.Date.Iso(), l.Hours.Hours)).ToList();
        var text = b.NextLapse is { } n ? $"{Letters.Danish.Hours(n.Hours.Hours)} bortfalder {Letters.Danish.Date(n.Date)}" : null;
        return new BalanceView(grantId, on.Iso(), b.Available.Hours, b.CurrentMonth.Hours, b.Saved.Hours, b.UsedTotal.Hours, b.LapsedTotal.Hours,
            b.NextLapse is { } l ? new LapseView(l.Date.Iso(), l.Hours.Hours) : null, forecast, text);
    }

    /// <summary>One month of a grant's history: hours used and lapsed in the month, and hours saved at its end.</summary>
    public sealed record MonthView(string Month, string Label, decimal Used, decimal Saved, decimal Lapsed);

    /// <summary>The last <paramref name="months"/> months up to <paramref name="today"/>, for the citizen's chart.</summary>
    public static IReadOnlyList<MonthView> History(HoursLedger ledger, LocalDate today, int months = 12)
    {
        var list = new List<MonthView>();
        for (var i = months - 1; i >= 0; i--)
        {
            var m = today.ToYearMonth().PlusMonths(-i);
            var first = m.OnDayOfMonth(1);
            var last = m.OnDayOfMonth(m.Calendar.GetDaysInMonth(m.Year, m.Month));
            var end = last < today ? last : today;
            var before = ledger.BalanceAt(first.PlusDays(-1));
            var after = ledger.BalanceAt(end);
            // Hours lapse at the end of their last day: a lapse on 31 May belongs to May, so count lapses
            // before the first day of the next month (or before today, in the current month).
            var lapsedBefore = ledger.BalanceAt(first).LapsedTotal;
            var lapsedAfter = ledger.BalanceAt(last < today ? last.PlusDays(1) : today).LapsedTotal;
            list.Add(new MonthView($"{m.Year:0000}-{m.Month:00}", $"{Letters.Danish.Month(m.Month)[..3]} {m.Year % 100:00}",
                (after.UsedTotal - before.UsedTotal).Hours, after.Saved.Hours, (lapsedAfter - lapsedBefore).Hours));
        }
        return list;
    }

    /// <summary>
    /// Whether a session can be booked: replay the posted sessions with the new one in date order; it is
    /// accepted only if it and every session after it still fit (a backdated session may not overspend later ones).
    /// When accepted, <paramref name="after"/> is the ledger with the new session booked among the others.
    /// </summary>
    internal static SessionOutcome Check(Grant g, IReadOnlyList<SavingsAgreement> agreements, MunicipalStandard standard,
        IReadOnlyList<LedgerRow> existing, LocalDate date, Minutes minutes, out HoursLedger after)
    {
        var ledger = after = new HoursLedger(ToDomain(g, agreements), LedgerRules.Timeline(standard));
        SessionOutcome? mine = null;
        foreach (var s in existing)
        {
            if (mine is null && s.Date > date)
            {
                mine = ledger.Use(date, minutes);
                if (!mine.Value.Accepted)
                {
                    return mine.Value;
                }
            }
            if (!ledger.Use(s.Date, new Minutes(s.Minutes)).Accepted && mine is not null)
            {
                return SessionOutcome.Rejected(ReasonCodes.ExceedsBalance);
            }
        }
        return mine ?? ledger.Use(date, minutes);
    }

    /// <summary>Hours still available on a day, from the sessions booked so far (for messages that say what is left).</summary>
    internal static Minutes AvailableOn(Grant g, IReadOnlyList<SavingsAgreement> agreements, MunicipalStandard standard, IReadOnlyList<LedgerRow> existing, LocalDate date)
    {
        var ledger = new HoursLedger(ToDomain(g, agreements), LedgerRules.Timeline(standard));
        foreach (var s in existing.Where(s => s.Date <= date))
        {
            ledger.Use(s.Date, new Minutes(s.Minutes));
        }
        return ledger.BalanceAt(date).Available;
    }

    private static async Task<IResult> Agreement(Guid id, AgreementRequest? body, HttpContext http, Access access, LedsagDb db, AuditLog audit, Standards standards,
        Today today, CancellationToken ct)
    {
        var row = await AgreementAsync(Access.Require(http), id, body, access, db, audit, standards, today, ct);
        return Results.Created($"/api/grants/{id}", AgreementView(row));
    }

    private static SavingsAgreementView AgreementView(SavingsAgreementRow a) =>
        new(a.Id, a.From.Iso(), a.To.Iso(), a.AgreedOn.Iso(), a.Purpose, a.CompanionId, a.CompanionExpenses);

    /// <summary>Records a savings agreement; the API and the case page both come here.</summary>
    public static async Task<SavingsAgreementRow> AgreementAsync(Actor actor, Guid id, AgreementRequest? body, Access access, LedsagDb db, AuditLog audit,
        Standards standards, Today clock, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator);
        var g = await access.GrantAsync(actor, id, ct);
        RequireNotReplaced(g);
        var today = clock.Date;
        var v = new Validation();
        var from = v.Date("from", body?.From);
        var to = v.Date("to", body?.To);
        var purpose = v.Text("purpose", body?.Purpose, max: 400);
        // BEK 235/2012 § 6 stk. 1: saving is by prior agreement; the agreement carries the day it was made and covers only
        // months ending from then on, so a back-dated «from» never revives hours that have lapsed.
        var agreed = v.Date("agreedOn", body?.AgreedOn, required: false) ?? today;
        if (agreed > today)
        {
            v.Add("agreedOn", "En aftale kan ikke være indgået i fremtiden.");
        }
        // An agreement made earlier (on paper, by phone) and recorded now names where it is documented, and the entry is audited:
        // a back-dated day cannot be typed in to bring hours back.
        var documented = agreed < today ? v.Text("agreedDocumentation", body?.AgreedDocumentation, max: 400) : null;
        if (agreed < today && agreed < g.Start.PlusMonths(-1))
        {
            v.Add("agreedOn", "Aftalen kan ikke være indgået mere end en måned før bevillingen startede.");
        }
        if (from is not null && to is not null && to < from)
        {
            v.Add("to", "Slutdatoen ligger før startdatoen.");
        }
        if (from < (g.LedgerStart ?? g.Start) || (g.End is { } end && to > end))
        {
            v.Add("from", "Aftalen skal ligge inden for bevillingens periode.");
        }
        // The terms the standard names (Brønderslev: «aftale med ledsageren og kommunen om aktivitetens indhold, herunder
        // opgavens art, betaling for ledsageudgifter»).
        var terms = standards.For(g.MunicipalityId).Get<string>(Parameters.SavingsAgreementTerms, agreed);
        string? expenses = null;
        if (terms.Value == "purpose_companion_expenses")
        {
            expenses = v.Text("companionExpenses", body?.CompanionExpenses, max: 400);
            if (body?.CompanionId is null)
            {
                v.Add("companionId", $"Aftalen skal angive ledsageren ({terms.Source}).");
            }
        }
        v.ThrowIfInvalid();
        if (body!.CompanionId is { } k && !await db.Companions.AnyAsync(x => x.Id == k && x.MunicipalityId == g.MunicipalityId, ct))
        {
            throw ProblemException.Invalid("companionId", "Ledsageren findes ikke i kommunen.");
        }
        var row = new SavingsAgreementRow
        {
            GrantId = g.Id, From = from!.Value, To = to!.Value, Purpose = purpose!, AgreedOn = agreed, CompanionId = body.CompanionId,
            CompanionExpenses = expenses ?? body.CompanionExpenses,
        };
        db.SavingsAgreements.Add(row);
        g.Version++;
        audit.Add(db, actor, "create", "savings_agreement", row.Id.ToString(), $"grant {g.Id} {from.Value.Iso()}–{to.Value.Iso()}, aftalt {agreed.Iso()}{(documented is null ? "" : $" (dokumenteret: {documented})")}: {purpose}");
        try
        {
            await audit.SaveAsync(db, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw ProblemException.Conflict("Bevillingen blev ændret af en anden i mellemtiden. Prøv igen.", "CONCURRENT_CHANGE");
        }
        return row;
    }

    private static async Task<IResult> End(Guid id, EndRequest? body, HttpContext http, Access access, CaseWorkflow flow, CancellationToken ct) =>
        await EndAsync(Access.Require(http), id, body, access, flow, ct);

    /// <summary>
    /// Ends a grant. Because the citizen is no longer in the target group it is a decision (begrundelse, partshøring,
    /// klagevejledning, letter) and passes the decision check; moving away, death, BPA and the citizen's own wish end it
    /// without a refusal letter.
    /// </summary>
    public static async Task<IResult> EndAsync(Actor actor, Guid id, EndRequest? body, Access access, CaseWorkflow flow, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator);
        var g = await access.GrantAsync(actor, id, ct);
        var v = new Validation();
        var endOn = v.Date("endOn", body?.EndOn);
        var reason = v.Enum("reason", body?.Reason, EndReasons.ToDictionary(kv => kv.Key, kv => kv.Key));
        var isDecision = reason == "no_longer_in_target_group";
        var decidedOn = v.Date("decidedOn", body?.DecidedOn, required: false) ?? flow.Today.Date;
        var delivery = v.Enum("delivery", body?.Delivery ?? "digital", CaseEndpoints.Deliveries);
        if (endOn < g.Start)
        {
            v.Add("endOn", "Bevillingen kan ikke ophøre før den startede.");
        }
        if (isDecision && endOn < decidedOn)
        {
            v.Add("endOn", "En afgørelse om ophør virker fremad: ophørsdatoen kan ikke ligge før afgørelsen.");
        }
        v.ThrowIfInvalid();
        if (g.EndReason is not null)
        {
            throw ProblemException.Conflict("Bevillingen er allerede ophørt.", "ALREADY_ENDED");
        }
        var sessionsAfter = Standing(await flow.Db.Sessions.Where(s => s.GrantId == g.Id).ToListAsync(ct)).Any(s => s.Date > endOn!.Value);
        if (sessionsAfter)
        {
            throw ProblemException.Invalid("endOn", "Der er registreret ledsagelse efter denne dato; de skal tilbageføres først.");
        }
        var c = await flow.Db.Cases.FirstAsync(x => x.Id == g.CaseId, ct);
        CaseWorkflow.Require(c, Domain.Cases.CaseEvent.GrantEnded);
        var standard = flow.Standards.For(g.MunicipalityId);
        var reasons = body!.Reasons ?? [];
        List<object>? warnings = null;
        if (isDecision)
        {
            var snapshot = await Decisions.SnapshotAsync(flow, c, ct);
            var draft = new Domain.Cases.DraftDecision("end", decidedOn, null, reasons, body.Justification, body.InformationFromCitizenOnly ?? false, null);
            var defects = Domain.Cases.DecisionCheck.Run(standard, snapshot, draft, flow.Today.Date);
            Decisions.ThrowIfBlocking(defects, "Ophøret kan ikke sendes: tjekket fandt fejl, der skal rettes først.");
            warnings = [.. Decisions.ToView(defects).Defects];
        }
        g.End = g.End is { } e && e < endOn!.Value ? e : endOn!.Value;
        g.EndReason = reason;
        g.InForceCitizenId = null;
        g.Version++;
        // A complaint still on its way keeps the case open (its reassessment and forwarding deadlines must still close).
        if (c.State is CaseState.Granted or CaseState.Refused)
        {
            c.State = CaseState.Closed;
        }
        flow.Record(c, actor, "grant_ended", isDecision ? decidedOn : endOn.Value, $"{EndReasons[reason!]}{(body.Note is { } n ? $": {n}" : "")}", new
        {
            grantId = g.Id, reason, endOn = endOn.Value.Iso(), justification = body.Justification, reasons,
            klagevejledning = isDecision ? Letters.LetterTexts.Klagevejledning(standard, decidedOn) : null, warnings,
        });
        await flow.CloseAsync(c, endOn.Value, "grant_ended", ct, "first_follow_up_due", "follow_up_due", "start_due");
        if (isDecision)
        {
            await flow.LetterAsync(c, "grant_end", Letters.LetterTexts.End(standard, decidedOn, endOn.Value,
                reasons.Select(r => standard.National.Reasons[r]), body.Justification!), ct, decidedOn);
            // Retssikkerhedsloven § 67: the complaint period runs from the day the letter sent today is received.
            var received = flow.ReceivedOn(c.MunicipalityId, flow.Today.Date, delivery!);
            await flow.CloseAsync(c, endOn.Value, "new_decision", ct, "complaint_due");
            flow.Open(c, Domain.Deadlines.DeadlineEvent.DecisionReceived, received);
        }
        await flow.SaveAsync(ct);
        return Results.Ok(new GrantEnded(g.Id, g.End?.Iso(), g.EndReason));
    }

    internal static async Task<IResult> Assign(Guid id, AssignRequest? body, HttpContext http, Access access, LedsagDb db, AuditLog audit, Standards standards, Today today, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Coordinator, Role.Caseworker, Role.Administrator);
        var g = await access.GrantAsync(actor, id, ct);
        var v = new Validation();
        var from = v.Date("from", body?.From, required: false) ?? today.Date;
        if (from < g.Start)
        {
            v.Add("from", $"Ledsageren kan tidligst tilknyttes fra bevillingens start, {Letters.Danish.Date(g.Start)}.");
        }
        else if (from > today.Date.PlusYears(1))
        {
            v.Add("from", "Ledsageren kan højst tilknyttes et år frem.");
        }
        var companionId = body?.CompanionId ?? Guid.Empty;
        if (companionId == Guid.Empty)
        {
            v.Add("companionId", "Skal udfyldes.");
        }
        v.ThrowIfInvalid();
        var companion = await db.Companions.FirstOrDefaultAsync(k => k.Id == companionId && k.MunicipalityId == actor.MunicipalityId, ct)
            ?? throw ProblemException.Invalid("companionId", "Ledsageren findes ikke i kommunen.");
        await CompanionRules.RequireAssignableAsync(db, standards.For(g.MunicipalityId), companion, g.CitizenId, from, ct);
        if (g.Form == "cash" && companion.Employer != "cash_grant")
        {
            throw ProblemException.Invalid("companionId", $"Borgeren har kontant tilskud og ansætter selv sin ledsager; {companion.Name} er ansat af {CompanionRules.Employers[companion.Employer].ToLowerInvariant()}.");
        }
        var already = ProblemException.Conflict($"{companion.Name} er allerede tilknyttet borgeren.", "ALREADY_ASSIGNED");
        if (await db.Assignments.AnyAsync(a => a.CompanionId == companionId && a.CitizenId == g.CitizenId && a.EndedOn == null, ct))
        {
            throw already;
        }
        var row = new Assignment { CompanionId = companionId, CitizenId = g.CitizenId, From = from };
        db.Assignments.Add(row);
        audit.Add(db, actor, "assign", "companion", companionId.ToString(), $"citizen {g.CitizenId}");
        try
        {
            await audit.SaveAsync(db, ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear(); // a parallel assignment went first: the running assignment is unique
            throw already;
        }
        return Results.Created($"/api/grants/{g.Id}", new AssignmentView(row.Id, companionId, g.CitizenId, from.Iso()));
    }
}
