using Ledsag.Domain;
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
    public sealed record AgreementRequest(string? From, string? To, string? Purpose);
    public sealed record EndRequest(string? EndOn, string? Reason, string? Note);
    public sealed record AssignRequest(Guid? CompanionId, string? From);

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
        api.MapGet("/{id:guid}", Get);
        api.MapGet("/{id:guid}/balance", Balance);
        api.MapGet("/{id:guid}/history", HistoryEndpoint);
        api.MapPost("/{id:guid}/savings-agreements", Agreement);
        api.MapPost("/{id:guid}/end", End);
        api.MapPost("/{id:guid}/companions", Assign);
    }

    private static async Task<IResult> Get(Guid id, HttpContext http, Access access, LedsagDb db, AuditLog audit, CancellationToken ct)
    {
        var actor = Access.Require(http);
        var g = await access.GrantAsync(actor, id, ct);
        access.Read(actor, "grant", id);
        await audit.SaveAsync(db, ct);
        var agreements = await db.SavingsAgreements.Where(a => a.GrantId == id).OrderBy(a => a.From).ToListAsync(ct);
        return Results.Ok(new
        {
            id = g.Id, caseId = g.CaseId, citizenId = g.CitizenId, start = g.Start.Iso(), end = g.End?.Iso(), hoursPerMonth = g.MinutesPerMonth / 60m,
            hoursReason = g.HoursReason, endReason = g.EndReason,
            savingsAgreements = agreements.Select(a => new { id = a.Id, from = a.From.Iso(), to = a.To.Iso(), purpose = a.Purpose }),
        });
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
        db.SavingsAgreements.Where(a => a.GrantId == grantId).Select(a => new SavingsAgreement(a.From, a.To)).ToListAsync(ct);

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

    private static DomainGrant ToDomain(Grant g, IReadOnlyList<SavingsAgreement> agreements) =>
        new(g.Start, g.End, new Minutes(g.MinutesPerMonth), agreements);

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

    private static async Task<IResult> Agreement(Guid id, AgreementRequest? body, HttpContext http, Access access, LedsagDb db, AuditLog audit, CancellationToken ct)
    {
        var row = await AgreementAsync(Access.Require(http), id, body, access, db, audit, ct);
        return Results.Created($"/api/grants/{id}", new { id = row.Id, from = row.From.Iso(), to = row.To.Iso(), purpose = row.Purpose });
    }

    /// <summary>Records a savings agreement; the API and the case page both come here.</summary>
    public static async Task<SavingsAgreementRow> AgreementAsync(Actor actor, Guid id, AgreementRequest? body, Access access, LedsagDb db, AuditLog audit, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator);
        var g = await access.GrantAsync(actor, id, ct);
        var v = new Validation();
        var from = v.Date("from", body?.From);
        var to = v.Date("to", body?.To);
        var purpose = v.Text("purpose", body?.Purpose, max: 400);
        if (from is not null && to is not null && to < from)
        {
            v.Add("to", "Slutdatoen ligger før startdatoen.");
        }
        if (from < g.Start || (g.End is { } end && to > end))
        {
            v.Add("from", "Aftalen skal ligge inden for bevillingens periode.");
        }
        v.ThrowIfInvalid();
        var row = new SavingsAgreementRow { GrantId = g.Id, From = from!.Value, To = to!.Value, Purpose = purpose! };
        db.SavingsAgreements.Add(row);
        g.Version++;
        audit.Add(db, actor, "create", "savings_agreement", row.Id.ToString(), $"grant {g.Id} {from.Value.Iso()}–{to.Value.Iso()}: {purpose}");
        await audit.SaveAsync(db, ct);
        return row;
    }

    private static async Task<IResult> End(Guid id, EndRequest? body, HttpContext http, Access access, CaseWorkflow flow, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator);
        var g = await access.GrantAsync(actor, id, ct);
        var v = new Validation();
        var endOn = v.Date("endOn", body?.EndOn);
        var reason = v.Enum("reason", body?.Reason, EndReasons.ToDictionary(kv => kv.Key, kv => kv.Key));
        if (endOn < g.Start)
        {
            v.Add("endOn", "Bevillingen kan ikke ophøre før den startede.");
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
        g.End = g.End is { } e && e < endOn!.Value ? e : endOn!.Value;
        g.EndReason = reason;
        g.Version++;
        var c = await flow.Db.Cases.FirstAsync(x => x.Id == g.CaseId, ct);
        c.State = CaseState.Closed;
        flow.Record(c, actor, "grant_ended", endOn.Value, $"{EndReasons[reason!]}{(body!.Note is { } n ? $": {n}" : "")}", new { grantId = g.Id, reason });
        await flow.CloseAsync(c, endOn.Value, "grant_ended", ct, "first_follow_up_due", "follow_up_due", "start_due");
        await flow.SaveAsync(ct);
        return Results.Ok(new { id = g.Id, end = g.End?.Iso(), endReason = g.EndReason });
    }

    private static async Task<IResult> Assign(Guid id, AssignRequest? body, HttpContext http, Access access, LedsagDb db, AuditLog audit, Today today, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Coordinator, Role.Caseworker, Role.Administrator);
        var g = await access.GrantAsync(actor, id, ct);
        var v = new Validation();
        var from = v.Date("from", body?.From, required: false) ?? today.Date;
        var companionId = body?.CompanionId ?? Guid.Empty;
        if (companionId == Guid.Empty)
        {
            v.Add("companionId", "Skal udfyldes.");
        }
        v.ThrowIfInvalid();
        if (!await db.Companions.AnyAsync(k => k.Id == companionId && k.MunicipalityId == actor.MunicipalityId, ct))
        {
            throw ProblemException.Invalid("companionId", "Ledsageren findes ikke i kommunen.");
        }
        var row = new Assignment { CompanionId = companionId, CitizenId = g.CitizenId, From = from };
        db.Assignments.Add(row);
        audit.Add(db, actor, "assign", "companion", companionId.ToString(), $"citizen {g.CitizenId}");
        await audit.SaveAsync(db, ct);
        return Results.Created($"/api/grants/{g.Id}", new { id = row.Id, companionId, citizenId = g.CitizenId, from = from.Iso() });
    }
}
