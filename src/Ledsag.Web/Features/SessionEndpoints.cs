using System.ComponentModel.DataAnnotations;
using Ledsag.Domain;
using Ledsag.Domain.Standards;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Ledsag.Web.Features;

/// <summary>
/// Sessions (ledsagelse): registered by the companion, the citizen or a caseworker through the engine,
/// confirmed by the other party (or by a caseworker on the citizen's behalf), corrected by reversing
/// entries, never edited. Planned sessions form the calendar; the monthly statement shows mileage.
/// </summary>
public static class SessionEndpoints
{
    /// <summary>A completed session: give <paramref name="Hours"/>, or <paramref name="Start"/> and <paramref name="End"/> (TT:MM).</summary>
    public sealed record SessionRequest([property: Required] string? Date, string? Start, string? End, decimal? Hours,
        [property: Required, OneOf(typeof(SessionEndpoints), nameof(NationalActivities), Description = ActivityNote)] string? Activity, Guid? CompanionId, decimal? Km,
        decimal? TripHours, decimal? TravelHoursBetweenTasks, string? IdempotencyKey, Guid? PlannedSessionId, bool? Abroad = null, bool? LongSessionConfirmed = null);
    public sealed record ConfirmRequest(bool? OnBehalf, string? Note);
    public sealed record ReverseRequest([property: Required] string? Reason);
    public sealed record ObjectionRequest([property: Required] string? Reason);
    public sealed record ObjectionDecisionRequest(bool? Upheld, [property: Required] string? Note);

    private const string ActivityNote = "Aktiviteten fra den nationale liste. Kommunens kvalitetsstandard kan udelukke nogle af dem; så afvises registreringen med 422 og koden EXCLUDED_ACTIVITY.";

    /// <summary>The activities every standard knows (the national list); a municipality's standard may exclude some.</summary>
    internal static IEnumerable<string> NationalActivities(IServiceProvider services) => services.GetRequiredService<Standards>().Set.National.Activities.Keys;

    public sealed record SessionRegistered(SessionView Session, GrantEndpoints.BalanceView? Balance);
    public sealed record StatementLine(string Date, string? Start, string? End, decimal Hours, string ActivityLabel, string? Companion, decimal Km, decimal? MileageAmount);
    public sealed record StatementView(string Month, IReadOnlyList<StatementLine> Sessions, decimal TotalHours, decimal TotalKm, decimal MileageToSettle,
        string MileageNote, GrantEndpoints.BalanceView Balance);
    public sealed record PlannedView(Guid Id, Guid GrantId, string Date, string Start, string End, string Activity, Guid? CompanionId, string? Note);

    /// <summary>The reason on a session booked again after an objection that was not upheld (it cannot be objected to again).</summary>
    internal const string ObjectionNotUpheld = "Indsigelse ikke imødekommet";

    /// <summary>Whether the session was booked again after an objection that was not upheld.</summary>
    internal static bool BookedAfterObjection(SessionRow s) => s.Reason?.StartsWith(ObjectionNotUpheld, StringComparison.Ordinal) == true;
    public sealed record PlanRequest([property: Required] string? Date, [property: Required] string? Start, [property: Required] string? End,
        [property: Required, OneOf(typeof(SessionEndpoints), nameof(NationalActivities), Description = ActivityNote)] string? Activity, Guid? CompanionId, string? Note);

    public sealed record SessionView(Guid Id, string Date, string? Start, string? End, decimal Hours, decimal TripHours, decimal TravelHoursNotCounted,
        string Activity, string ActivityLabel, Guid? CompanionId, decimal Km, decimal? MileageAmount, string RegisteredByRole, string RegisteredAt,
        bool Confirmed, bool ConfirmedOnBehalf, Guid? ReversalOf, string? Reason, bool Exported, bool Abroad);

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/grants/{grantId:guid}").WithTags("Ledsagelser").RequireAuthorization();
        api.MapGet("/sessions", List).WithName("ListSessions").Produces<IReadOnlyList<SessionView>>().ProducesProblem(422);
        // 201 for a new registration; 200 with the earlier one when the same Idempotency-Key is sent again.
        api.MapPost("/sessions", Register).WithName("RegisterSession").Produces<SessionRegistered>(201).Produces<SessionRegistered>()
            .ProducesProblem(409).ProducesProblem(422);
        api.MapPost("/sessions/{id:guid}/confirm", Confirm).WithName("ConfirmSession").Produces<SessionView>().ProducesProblem(409);
        api.MapPost("/sessions/{id:guid}/reverse", Reverse).WithName("ReverseSession").Produces<SessionView>(201).ProducesProblem(409);
        api.MapPost("/sessions/{id:guid}/objection", Object).WithName("ObjectToSession").Produces<SessionView>(201).ProducesProblem(409);
        api.MapPost("/sessions/{id:guid}/objection/decision", DecideObjection).WithName("DecideObjection").Produces<SessionView>().ProducesProblem(409).ProducesProblem(422);
        api.MapGet("/statement", Statement).WithName("GetStatement").Produces<StatementView>().ProducesProblem(409);
        api.MapGet("/planned", Planned).WithName("ListPlannedSessions").Produces<IReadOnlyList<PlannedView>>();
        api.MapPost("/planned", Plan).WithName("PlanSession").Produces<PlannedView>(201).ProducesProblem(409).ProducesProblem(422);
        api.MapPost("/planned/{id:guid}/cancel", CancelPlan).WithName("CancelPlannedSession").Produces(204);
    }

    internal static SessionView ToView(SessionRow s, NationalRules national) => new(s.Id, s.Date.Iso(), s.StartTime?.ToString("HH:mm", null),
        s.EndTime?.ToString("HH:mm", null), s.Minutes / 60m, s.TripMinutes / 60m, s.TravelMinutesNotCounted / 60m, s.Activity,
        national.Activities.TryGetValue(s.Activity, out var a) ? a.Label : s.Activity, s.CompanionId, s.Km, Mileage(s, national), s.RegisteredByRole,
        s.RegisteredAt.ToString(), s.ConfirmedAt is not null, s.ConfirmedOnBehalf, s.ReversalOf, s.Reason, s.PayrollExportId is not null, s.StayAbroadId is not null);

    /// <summary>Kilometres in the companion's car at the state's low rate in force that day; null where no rate is known.</summary>
    private static decimal? Mileage(SessionRow s, NationalRules national) =>
        s.Km != 0 && national.KmRateOn(s.Date) is not null ? national.MileageAmount(s.Km, s.Date) : null;

    private static async Task<IResult> List(Guid grantId, HttpContext http, Access access, LedsagDb db, AuditLog audit, Standards standards, CancellationToken ct)
    {
        var actor = Access.Require(http);
        var g = await access.GrantAsync(actor, grantId, ct);
        access.Read(actor, "sessions", grantId);
        await audit.SaveAsync(db, ct);
        var rows = await db.Sessions.Where(s => s.GrantId == grantId).OrderBy(s => s.Date).ThenBy(s => s.Sequence).ToListAsync(ct);
        var national = standards.For(g.MunicipalityId).National;
        return Results.Ok(rows.Where(s => actor.Role != Role.Companion || s.CompanionId == actor.CompanionId).Select(s => ToView(s, national)));
    }

    /// <summary>Checks an activity against the standard: known, and not one the standard excludes (with its reason).</summary>
    internal static void RequireAllowedActivity(MunicipalStandard standard, string activity, LocalDate date)
    {
        var key = Parameters.ExcludedActivityPrefix + activity;
        if ((standard.Parameters.ContainsKey(key) || standard.National.Parameters.ContainsKey(key)) && standard.Get<bool>(key, date) is { Value: true } excluded)
        {
            throw new ProblemException(StatusCodes.Status422UnprocessableEntity,
                $"Ledsageordningen dækker ikke {standard.National.Activities[activity].Label.ToLowerInvariant()}.",
                new Dictionary<string, string[]> { ["activity"] = [excluded.Source] }, "EXCLUDED_ACTIVITY");
        }
    }

    private static string? Activity(Validation v, string? text, MunicipalStandard standard)
    {
        var activity = v.Text("activity", text, max: 60);
        if (activity is not null && !standard.National.Activities.ContainsKey(activity))
        {
            v.Add("activity", $"Ukendt aktivitet '{activity}' (kendte: {string.Join(", ", standard.National.Activities.Keys)}).");
            return null;
        }
        return activity;
    }

    /// <summary>The outcome of a registration: the session, the balance after it, and whether it was new (false for a repeated idempotency key).</summary>
    public sealed record Registered(SessionView Session, GrantEndpoints.BalanceView? Balance, bool Created);

    private static async Task<IResult> Register(Guid grantId, SessionRequest? body, HttpContext http, Access access, LedsagDb db, AuditLog audit,
        Standards standards, Today today, KeyedLocks locks, LedgerCache ledgers, CancellationToken ct)
    {
        var result = await RegisterAsync(Access.Require(http), grantId, body, http.Request.Headers["Idempotency-Key"].FirstOrDefault(),
            access, db, audit, standards, today, locks, ledgers, ct);
        return result.Created
            ? Results.Created($"/api/grants/{grantId}/sessions/{result.Session.Id}", new SessionRegistered(result.Session, result.Balance))
            : Results.Ok(new SessionRegistered(result.Session, null));
    }

    /// <summary>Registers a completed session: the API and the pages both come here, so every rule is applied once.</summary>
    public static async Task<Registered> RegisterAsync(Actor actor, Guid grantId, SessionRequest? body, string? headerKey, Access access, LedsagDb db,
        AuditLog audit, Standards standards, Today today, KeyedLocks locks, LedgerCache ledgers, CancellationToken ct)
    {
        // Counted here, around every rule, so a refusal is counted by its code wherever it was raised.
        using var span = Telemetry.Source.StartActivity("ledsag.session.register")?.SetTag(Telemetry.MunicipalityTag, actor.MunicipalityId);
        try
        {
            var registered = await RegisterCheckedAsync(actor, grantId, body, headerKey, access, db, audit, standards, today, locks, ledgers, ct);
            if (registered.Created)
            {
                Telemetry.SessionRegistered(span, actor.MunicipalityId);
            }
            return registered;
        }
        catch (ProblemException problem)
        {
            Telemetry.RegistrationRefused(span, actor.MunicipalityId, problem);
            throw;
        }
    }

    private static async Task<Registered> RegisterCheckedAsync(Actor actor, Guid grantId, SessionRequest? body, string? headerKey, Access access, LedsagDb db,
        AuditLog audit, Standards standards, Today today, KeyedLocks locks, LedgerCache ledgers, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator, Role.Companion, Role.Citizen);
        // One registration at a time per grant and per companion: in this process by locks, across
        // processes by the grant's and the companion's version numbers (a stale read fails on saving and
        // starts over below). The grant's lock comes first, so the grant read next is current.
        using var grantLock = await locks.AcquireAsync(grantId, ct);
        var g = await access.GrantAsync(actor, grantId, ct);
        GrantEndpoints.RequireNotReplaced(g);
        var standard = standards.For(g.MunicipalityId);
        var v = new Validation();
        var date = v.Date("date", body?.Date);
        var start = v.Time("start", body?.Start);
        var end = v.Time("end", body?.End);
        // BEK § 6 stk. 5: a trip's return journey, waiting and overnight stay count; § 6 stk. 4: travel between tasks does not.
        var trip = v.Hours("tripHours", body?.TripHours, required: false, allowZero: true) ?? Minutes.Zero;
        var hours = body?.Hours is null ? null : v.Hours("hours", body.Hours);
        Minutes? task = null;
        if (start is not null && end is not null)
        {
            // The times are the whole time the companion was there, the return journey and waiting included:
            // the hours billed are exactly the time between them, never more (no padding beyond the times).
            var window = end > start ? (int)Period.Between(start.Value, end.Value, PeriodUnits.Minutes).Minutes : 0;
            if (window == 0)
            {
                v.Add("end", "Sluttidspunktet skal ligge efter starttidspunktet.");
            }
            else if (hours is { } h && h.Value + trip.Value != window)
            {
                v.Add("hours", $"Timerne passer ikke med tidspunkterne: {start:HH:mm}–{end:HH:mm} er {Letters.Danish.Hours(window / 60m)} i alt, også med hjemrejse og ventetid.");
            }
            else if (trip.Value >= window)
            {
                v.Add("tripHours", $"Hjemrejse og ventetid skal ligge inden for {start:HH:mm}–{end:HH:mm}.");
            }
            else
            {
                task = new Minutes(window - trip.Value);
            }
        }
        else if (hours is not null)
        {
            task = hours;
        }
        else if (body?.Hours is null)
        {
            v.Add("hours", "Angiv varighed i timer, eller start og slut.");
        }
        var travel = v.Hours("travelHoursBetweenTasks", body?.TravelHoursBetweenTasks, required: false, allowZero: true) ?? Minutes.Zero;
        var activity = Activity(v, body?.Activity, standard);
        var km = body?.Km ?? 0;
        if (km is < 0 or > 5000)
        {
            v.Add("km", "Kilometer skal være mellem 0 og 5000.");
        }
        if (date > today.Date)
        {
            v.Add("date", "En gennemført ledsagelse kan ikke ligge i fremtiden.");
        }
        var companionId = actor.Role == Role.Companion ? actor.CompanionId : body?.CompanionId;
        if (actor.Role == Role.Citizen && companionId is null)
        {
            v.Add("companionId", "Angiv hvilken ledsager, der var med; ledsageren bekræfter derefter.");
        }
        var oneAtATime = date is { } d0 && standard.Get<bool>(Parameters.CompanionOneCitizenAtATime, d0).Value;
        if (companionId is not null && oneAtATime && (start is null || end is null))
        {
            v.Add("start", "Angiv start og slut, når en ledsager var med (en ledsager kan kun være hos én borger ad gangen).");
        }
        var key = v.Text("idempotencyKey", body?.IdempotencyKey ?? headerKey, required: false, max: 100);
        v.ThrowIfInvalid();
        RequireAllowedActivity(standard, activity!, date!.Value);
        var minutes = task!.Value + trip;
        // 00:00–23:59 is more often a slip than a day out: above the standard's longest plausible session the
        // registration is asked to be confirmed once more (a trip with an overnight stay may well last longer).
        var plausible = standard.Get<Minutes>(Parameters.SessionPlausibleMax, date.Value);
        // Asked where the length comes from a clock range (where the slip happens); a number of hours given outright is meant.
        if (start is not null && end is not null && minutes.Value > plausible.Value.Value && body?.LongSessionConfirmed != true)
        {
            throw new ProblemException(StatusCodes.Status422UnprocessableEntity,
                $"Ledsagelsen varer {Letters.Danish.Hours(minutes.Hours)}. Det er mere end {Letters.Danish.Hours(plausible.Value.Hours)}, så tjek tidspunkterne, eller bekræft at den varede så længe.",
                new Dictionary<string, string[]> { ["longSessionConfirmed"] = [$"Bekræft, at ledsagelsen varede {Letters.Danish.Hours(minutes.Hours)} (fx en tur med overnatning), eller ret tidspunkterne."] },
                "LONG_SESSION_UNCONFIRMED");
        }
        var stay = await StayAbroadEndpoints.CheckSessionAsync(db, g.Id, date.Value, body?.Abroad, ct);

        Companion? companion = null;
        if (companionId is { } cid)
        {
            companion = await db.Companions.FirstOrDefaultAsync(k => k.Id == cid && k.MunicipalityId == g.MunicipalityId, ct);
            if (companion is null || companion.Status != CompanionStatus.Employed)
            {
                throw ProblemException.Invalid("companionId", "Ledsageren findes ikke eller er ikke ansat.");
            }
            if (actor.Role != Role.Companion && !await db.Assignments.AnyAsync(a => a.CompanionId == cid && a.CitizenId == g.CitizenId && a.EndedOn == null, ct))
            {
                throw ProblemException.Invalid("companionId", "Ledsageren er ikke tilknyttet borgeren.");
            }
            if (g.Form == "cash" && companion.Employer != "cash_grant" && date >= (g.CashChosenOn ?? g.Start))
            {
                // Under a cash grant the citizen employs and pays the companion: hours with the municipality's companion would be paid twice.
                throw new ProblemException(StatusCodes.Status422UnprocessableEntity,
                    $"Borgeren har kontant tilskud og ansætter selv sin ledsager; {companion.Name} er ansat af {CompanionRules.Employers[companion.Employer].ToLowerInvariant()}.",
                    new Dictionary<string, string[]> { ["companionId"] = ["Serviceloven § 97 stk. 5: kontant tilskud til en ledsager, som borgeren selv ansætter."] }, "CASH_GRANT_COMPANION");
            }
        }

        using var companionLock = companion is null ? null : await locks.AcquireAsync(companion.Id, ct);
        for (var attempt = 0; ; attempt++)
        {
            if (key is not null && await db.Sessions.AsNoTracking().FirstOrDefaultAsync(s => s.GrantId == g.Id && s.IdempotencyKey == key, ct) is { } earlier)
            {
                // The same request again gets the same answer; a key is one user's, for one registration.
                if (earlier.RegisteredBy != actor.UserId || earlier.Date != date.Value || earlier.Minutes != minutes.Value || earlier.Activity != activity ||
                    earlier.CompanionId != companion?.Id || earlier.Km != km || earlier.StartTime != start || earlier.EndTime != end || earlier.TripMinutes != trip.Value)
                {
                    throw new ProblemException(StatusCodes.Status422UnprocessableEntity, "Idempotency-Key er allerede brugt til en anden registrering.",
                        new Dictionary<string, string[]> { ["idempotencyKey"] = ["Brug en ny nøgle til en ny registrering."] }, "IDEMPOTENCY_KEY_REUSED");
                }
                return new Registered(ToView(earlier, standard.National), null, false);
            }
            if (companion is not null)
            {
                // Another registration with this companion may have gone first while this one waited for its lock.
                if (await db.Companions.Where(x => x.Id == companion.Id).Select(x => x.Version).FirstAsync(ct) != companion.Version)
                {
                    await db.Entry(companion).ReloadAsync(ct);
                }
                if (oneAtATime && await OverlapsAsync(db, companion.Id, date.Value, start!.Value, end!.Value, ct) is { } clash)
                {
                    throw new ProblemException(StatusCodes.Status409Conflict,
                        $"Ledsageren er allerede registreret hos en borger {clash.Date.Iso()} {clash.StartTime:HH:mm}–{clash.EndTime:HH:mm}. En ledsager kan kun være hos én borger ad gangen.",
                        new Dictionary<string, string[]> { ["start"] = [standard.Get<bool>(Parameters.CompanionOneCitizenAtATime, date.Value).Source] }, "COMPANION_BUSY");
                }
            }
            // The kept replay serves when the session comes after every booked one (the usual case); a
            // backdated session is checked against every later one by a full replay.
            Domain.Hours.SessionOutcome outcome;
            Domain.Hours.HoursLedger after;
            LocalDate? lastDate;
            long sequence;
            using var ledgerSpan = Telemetry.StartLedgerUse(g.MunicipalityId);
            if (ledgers.Get(g) is { } kept && (kept.LastDate is null || date.Value >= kept.LastDate))
            {
                after = kept.Ledger.Clone();
                outcome = after.Use(date.Value, minutes);
                (lastDate, sequence) = (kept.LastDate, kept.MaxSequence);
            }
            else
            {
                using var replay = Telemetry.Source.StartActivity("ledsag.ledger.replay");
                var (all, agreements) = await GrantEndpoints.RowsAsync(db, g.Id, ct);
                var standing = GrantEndpoints.Standing(all);
                outcome = GrantEndpoints.Check(g, agreements, standard, standing, date.Value, minutes, out after);
                (lastDate, sequence) = (standing.Count == 0 ? null : standing[^1].Date, all.Count == 0 ? 0 : all.Max(s => s.Sequence));
            }
            Telemetry.LedgerDecided(ledgerSpan, outcome.Reason);
            if (!outcome.Accepted)
            {
                var info = standard.National.Reasons[outcome.Reason!];
                var text = info.Text;
                if (outcome.Reason == ReasonCodes.ExceedsBalance)
                {
                    // Say what is left, so the companion or citizen can register what fits: «3,5 timer tilbage i december 2026».
                    var (all, agreements) = await GrantEndpoints.RowsAsync(db, g.Id, ct);
                    var left = GrantEndpoints.AvailableOn(g, agreements, standard, GrantEndpoints.Standing(all), date.Value);
                    text = $"Borgeren har {Letters.Danish.Hours(left.Hours)} tilbage i {Letters.Danish.Month(date.Value.Month)} {date.Value.Year}, og ledsagelsen er på {Letters.Danish.Hours(minutes.Hours)}. Timer kan ikke bruges på forskud.";
                }
                throw new ProblemException(StatusCodes.Status422UnprocessableEntity, text,
                    new Dictionary<string, string[]> { [outcome.Reason == ReasonCodes.OutsideGrant ? "date" : "hours"] = [text] }, outcome.Reason);
            }
            var row = new SessionRow
            {
                GrantId = g.Id, Date = date.Value, StartTime = start, EndTime = end, Minutes = minutes.Value, TripMinutes = trip.Value,
                TravelMinutesNotCounted = travel.Value, Activity = activity!, CompanionId = companion?.Id, Km = km, RegisteredBy = actor.UserId,
                RegisteredByRole = actor.Role.ToString(), RegisteredAt = today.Now, IdempotencyKey = key, Sequence = sequence + 1,
                StayAbroadId = stay?.Id,
            };
            db.Sessions.Add(row);
            g.Version++;
            if (companion is not null)
            {
                companion.Version++;
            }
            if (body!.PlannedSessionId is { } planned && await db.PlannedSessions.FirstOrDefaultAsync(p => p.Id == planned && p.GrantId == g.Id, ct) is { } plan)
            {
                plan.CancelledAt ??= today.Now; // done: it leaves the calendar as a completed session
            }
            audit.Add(db, actor, "register", "session", row.Id.ToString(), $"grant {g.Id} {date.Value.Iso()} {minutes} timer {activity}");
            try
            {
                await audit.SaveAsync(db, ct);
            }
            catch (DbUpdateException) when (attempt < 20)
            {
                // Another instance registered on this grant or with this companion first: start over from the database.
                db.ChangeTracker.Clear();
                g = await db.Grants.FirstAsync(x => x.Id == g.Id, ct);
                companion = companion is null ? null : await db.Companions.FirstAsync(x => x.Id == companion.Id, ct);
                continue;
            }
            if (sequence == 0)
            {
                // The grant's first session shows the help has started (iværksat): the start deadline closes.
                await Decisions.CloseStartOnFirstSessionAsync(db, g.CaseId, date.Value, ct);
            }
            var registered = new Registered(ToView(row, standard.National), GrantEndpoints.View(g.Id, after, today.Date), true);
            ledgers.Put(g, after, lastDate is { } l && l > date.Value ? l : date.Value, sequence + 1);
            return registered;
        }
    }

    private static async Task<SessionRow?> OverlapsAsync(LedsagDb db, Guid companionId, LocalDate date, LocalTime start, LocalTime end, CancellationToken ct) =>
        Overlapping(await db.Sessions.Where(s => s.CompanionId == companionId && s.Date == date).ToListAsync(ct), start, end);

    /// <summary>
    /// The companion's standing session of the same day that <paramref name="start"/>–<paramref name="end"/> overlaps, or null
    /// (one citizen at a time, Ankestyrelsen C-25-00). Registration asks it; the demo data is built and tested with it.
    /// </summary>
    public static SessionRow? Overlapping(IReadOnlyList<SessionRow> sameDay, LocalTime start, LocalTime end) =>
        GrantEndpoints.Standing(sameDay).FirstOrDefault(s => s.StartTime is { } a && s.EndTime is { } b && a < end && start < b);

    private static async Task<IResult> Confirm(Guid grantId, Guid id, ConfirmRequest? body, HttpContext http, Access access, LedsagDb db, AuditLog audit,
        Standards standards, Today today, CancellationToken ct) =>
        Results.Ok(await ConfirmAsync(Access.Require(http), grantId, id, body, access, db, audit, standards, today, ct));

    /// <summary>Confirms a session by the other party, or by a caseworker on the citizen's behalf; the API and the pages both come here.</summary>
    public static async Task<SessionView> ConfirmAsync(Actor actor, Guid grantId, Guid id, ConfirmRequest? body, Access access, LedsagDb db, AuditLog audit,
        Standards standards, Today today, CancellationToken ct)
    {
        var g = await access.GrantAsync(actor, grantId, ct);
        var s = await db.Sessions.FirstOrDefaultAsync(x => x.Id == id && x.GrantId == grantId && x.ReversalOf == null, ct) ?? throw ProblemException.NotFound();
        if (s.ConfirmedAt is not null)
        {
            throw ProblemException.Conflict("Ledsagelsen er allerede bekræftet.", "ALREADY_CONFIRMED");
        }
        var registeredByCompanion = s.RegisteredByRole == nameof(Role.Companion);
        var onBehalf = false;
        switch (actor.Role)
        {
            case Role.Citizen when registeredByCompanion:
                break;
            case Role.Companion when !registeredByCompanion && s.CompanionId == actor.CompanionId:
                break;
            case Role.Caseworker or Role.Administrator when body?.OnBehalf == true && s.RegisteredBy == actor.UserId:
                // Separation of duties: who registered the hours does not also confirm them.
                throw new ProblemException(StatusCodes.Status403Forbidden, "Du har selv registreret ledsagelsen og kan derfor ikke også bekræfte den på borgerens vegne.");
            case Role.Caseworker or Role.Administrator when body?.OnBehalf == true:
                // A citizen who cannot confirm digitally: the caseworker confirms on their behalf, recorded as such.
                if (string.IsNullOrWhiteSpace(body.Note))
                {
                    throw ProblemException.Invalid("note", "Skriv hvordan borgeren har bekræftet (fx telefonisk).");
                }
                onBehalf = true;
                break;
            default:
                throw new ProblemException(StatusCodes.Status403Forbidden,
                    registeredByCompanion ? "Borgeren bekræfter ledsagelser, som ledsageren har registreret." : "Ledsageren bekræfter ledsagelser, som borgeren har registreret.");
        }
        s.ConfirmedAt = today.Now;
        s.ConfirmedBy = actor.UserId;
        s.ConfirmedOnBehalf = onBehalf;
        audit.Add(db, actor, onBehalf ? "confirm-on-behalf" : "confirm", "session", s.Id.ToString(), body?.Note); // erased with the session at anonymisation
        try
        {
            await audit.SaveAsync(db, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw ProblemException.Conflict("Ledsagelsen er allerede bekræftet.", "ALREADY_CONFIRMED");
        }
        return ToView(s, standards.For(g.MunicipalityId).National);
    }

    private static async Task<IResult> Reverse(Guid grantId, Guid id, ReverseRequest? body, HttpContext http, Access access, LedsagDb db, AuditLog audit,
        Standards standards, Today today, KeyedLocks locks, CancellationToken ct)
    {
        var (reversal, national) = await ReverseAsync(Access.Require(http), grantId, id, body, access, db, audit, standards, today, locks, ct);
        return Results.Created($"/api/grants/{grantId}/sessions/{reversal.Id}", ToView(reversal, national));
    }

    private static async Task<IResult> Object(Guid grantId, Guid id, ObjectionRequest? body, HttpContext http, Access access, LedsagDb db, AuditLog audit,
        Standards standards, Today today, KeyedLocks locks, CancellationToken ct)
    {
        var (reversal, national) = await ObjectAsync(Access.Require(http), grantId, id, body, access, db, audit, standards, today, locks, ct);
        return Results.Created($"/api/grants/{grantId}/sessions/{reversal.Id}", ToView(reversal, national));
    }

    /// <summary>
    /// The citizen says a session did not take place (indsigelse): it is reversed at once — not counted — with the
    /// objection marked for a caseworker to decide. Only sessions someone else registered; the pages and the API both come here.
    /// </summary>
    public static async Task<(SessionRow Reversal, NationalRules National)> ObjectAsync(Actor actor, Guid grantId, Guid id, ObjectionRequest? body, Access access,
        LedsagDb db, AuditLog audit, Standards standards, Today today, KeyedLocks locks, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Citizen);
        return await ReverseCoreAsync(actor, grantId, id, body?.Reason, objection: true, access, db, audit, standards, today, locks, ct);
    }

    private static async Task<IResult> DecideObjection(Guid grantId, Guid id, ObjectionDecisionRequest? body, HttpContext http, Access access, LedsagDb db,
        AuditLog audit, Standards standards, Today today, KeyedLocks locks, CancellationToken ct) =>
        Results.Ok(await DecideObjectionAsync(Access.Require(http), grantId, id, body, access, db, audit, standards, today, locks, ct));

    /// <summary>
    /// A caseworker decides a citizen's objection to session <paramref name="id"/>: upheld, the session stays
    /// reversed; not upheld, it is booked again (confirmed on the citizen's behalf) — if the hours still allow it.
    /// </summary>
    public static async Task<SessionView> DecideObjectionAsync(Actor actor, Guid grantId, Guid id, ObjectionDecisionRequest? body, Access access,
        LedsagDb db, AuditLog audit, Standards standards, Today today, KeyedLocks locks, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator);
        await access.GrantAsync(actor, grantId, ct);
        var v = new Validation();
        if (body?.Upheld is null)
        {
            v.Add("upheld", "Vælg, om borgeren får medhold.");
        }
        var note = v.Text("note", body?.Note, max: 1000);
        v.ThrowIfInvalid();
        // Decided once: in this process by the grant's lock; across processes by the grant's version, which the
        // decision moves. A stale read fails on saving and starts over, so a decision that went first is seen below.
        using var gate = await locks.AcquireAsync(grantId, ct);
        // Booked again, the session takes its companion's time again: under the companion's lock after the grant's, as a registration.
        var companionId = body!.Upheld == false
            ? await db.Sessions.Where(x => x.Id == id && x.GrantId == grantId).Select(x => x.CompanionId).FirstOrDefaultAsync(ct)
            : null;
        using var companionGate = companionId is { } held ? await locks.AcquireAsync(held, ct) : null;
        for (var attempt = 0; ; attempt++)
        {
            db.ChangeTracker.Clear(); // the grant and the objection as they are now, not as read before the lock or the last attempt
            var g = await db.Grants.FirstAsync(x => x.Id == grantId, ct);
            var standard = standards.For(g.MunicipalityId);
            var original = await db.Sessions.FirstOrDefaultAsync(x => x.Id == id && x.GrantId == grantId && x.ReversalOf == null, ct) ?? throw ProblemException.NotFound();
            var objection = await db.Sessions.FirstOrDefaultAsync(x => x.ReversalOf == id && x.Objection, ct)
                ?? throw ProblemException.Invalid("id", "Borgeren har ikke gjort indsigelse mod denne ledsagelse.");
            if (objection.ObjectionDecidedAt is not null)
            {
                throw ProblemException.Conflict("Indsigelsen er allerede afgjort.", "OBJECTION_DECIDED");
            }
            objection.ObjectionDecidedAt = today.Now;
            objection.ObjectionDecidedBy = actor.UserId;
            objection.ObjectionUpheld = body.Upheld;
            SessionRow result = original;
            if (body.Upheld == false)
            {
                // The session took place after all: booked again where it belongs in time, if the hours still allow it.
                var (all, agreements) = await GrantEndpoints.RowsAsync(db, g.Id, ct);
                var outcome = GrantEndpoints.Check(g, agreements, standard, GrantEndpoints.Standing(all), original.Date, new Minutes(original.Minutes), out _);
                if (!outcome.Accepted)
                {
                    var text = standard.National.Reasons[outcome.Reason!].Text;
                    throw new ProblemException(StatusCodes.Status422UnprocessableEntity,
                        $"Ledsagelsen kan ikke bogføres igen: {text} Giv borgeren medhold, eller tilbagefør en senere ledsagelse først.",
                        new Dictionary<string, string[]> { ["upheld"] = [text] }, outcome.Reason);
                }
                if (original.CompanionId is { } cid)
                {
                    // The objection freed the companion's time, and another citizen's session may have taken it since.
                    var oneAtATime = standard.Get<bool>(Parameters.CompanionOneCitizenAtATime, original.Date);
                    if (oneAtATime.Value && original.StartTime is { } from && original.EndTime is { } to && await OverlapsAsync(db, cid, original.Date, from, to, ct) is { } clash)
                    {
                        throw new ProblemException(StatusCodes.Status409Conflict,
                            $"Ledsagelsen kan ikke bogføres igen: ledsageren er siden registreret hos en borger {clash.Date.Iso()} {clash.StartTime:HH:mm}–{clash.EndTime:HH:mm}, og en ledsager kan kun være hos én borger ad gangen. Giv borgeren medhold, eller tilbagefør den anden ledsagelse først.",
                            new Dictionary<string, string[]> { ["upheld"] = [oneAtATime.Source] }, "COMPANION_BUSY");
                    }
                    // A registration with this companion in another process fails on saving, as one racing another registration does.
                    (await db.Companions.FirstAsync(k => k.Id == cid, ct)).Version++;
                }
                result = new SessionRow
                {
                    GrantId = g.Id, Date = original.Date, StartTime = original.StartTime, EndTime = original.EndTime, Minutes = original.Minutes,
                    TripMinutes = original.TripMinutes, TravelMinutesNotCounted = original.TravelMinutesNotCounted, Activity = original.Activity,
                    CompanionId = original.CompanionId, Km = original.Km, RegisteredBy = actor.UserId, RegisteredByRole = actor.Role.ToString(),
                    RegisteredAt = today.Now, Sequence = all.Count == 0 ? 1 : all.Max(s => s.Sequence) + 1, ConfirmedAt = today.Now, ConfirmedBy = actor.UserId,
                    ConfirmedOnBehalf = true, Reason = $"{ObjectionNotUpheld}: {note}", StayAbroadId = original.StayAbroadId,
                };
                db.Sessions.Add(result);
            }
            g.Version++;
            audit.Add(db, actor, body.Upheld == true ? "objection-upheld" : "objection-not-upheld", "session", original.Id.ToString(), note);
            try
            {
                await audit.SaveAsync(db, ct);
            }
            catch (DbUpdateException) when (attempt < 20)
            {
                // Another instance wrote on this grant first (a registration, a reversal, another decision): not
                // necessarily a decision, so read again rather than answer «already decided».
                continue;
            }
            return ToView(result, standard.National);
        }
    }

    /// <summary>Reverses a session (the API and the pages both come here): a counter-row, never a deletion.</summary>
    public static async Task<(SessionRow Reversal, NationalRules National)> ReverseAsync(Actor actor, Guid grantId, Guid id, ReverseRequest? body, Access access,
        LedsagDb db, AuditLog audit, Standards standards, Today today, KeyedLocks locks, CancellationToken ct)
    {
        return await ReverseCoreAsync(actor, grantId, id, body?.Reason, objection: false, access, db, audit, standards, today, locks, ct);
    }

    private static async Task<(SessionRow Reversal, NationalRules National)> ReverseCoreAsync(Actor actor, Guid grantId, Guid id, string? reasonText, bool objection,
        Access access, LedsagDb db, AuditLog audit, Standards standards, Today today, KeyedLocks locks, CancellationToken ct)
    {
        await access.GrantAsync(actor, grantId, ct);
        var v = new Validation();
        var reason = v.Text("reason", reasonText, max: 400);
        if (objection && reason is not null)
        {
            reason = $"Borgerens indsigelse: {reason}";
        }
        // The grant's lock first, then the grant: a registration that went first in this process is seen;
        // one in another instance makes the grant's version stale, and the save below starts over.
        using var _ = await locks.AcquireAsync(grantId, ct);
        for (var attempt = 0; ; attempt++)
        {
            db.ChangeTracker.Clear(); // read the grant as it is now, not as read before the lock
            var g = await db.Grants.FirstAsync(x => x.Id == grantId, ct);
            var s = await db.Sessions.FirstOrDefaultAsync(x => x.Id == id && x.GrantId == grantId && x.ReversalOf == null, ct) ?? throw ProblemException.NotFound();
            var mayReverse = objection ? s.RegisteredBy != actor.UserId
                : actor.Role is Role.Caseworker or Role.Administrator || (s.RegisteredBy == actor.UserId && s.ConfirmedAt is null);
            if (objection && BookedAfterObjection(s))
            {
                throw ProblemException.Conflict("Sagsbehandleren har allerede afgjort din indsigelse mod denne ledsagelse. Du kan klage over afgørelsen.", "OBJECTION_DECIDED");
            }
            if (!mayReverse)
            {
                throw new ProblemException(StatusCodes.Status403Forbidden, objection
                    ? "Du har selv registreret ledsagelsen. Du kan slette den, indtil ledsageren har bekræftet den."
                    : "En bekræftet ledsagelse tilbageføres af sagsbehandleren.");
            }
            v.ThrowIfInvalid();
            if (await db.Sessions.AnyAsync(x => x.ReversalOf == s.Id, ct))
            {
                throw ProblemException.Conflict("Ledsagelsen er allerede tilbageført.", "ALREADY_REVERSED");
            }
            var sequence = await db.Sessions.Where(x => x.GrantId == g.Id).MaxAsync(x => x.Sequence, ct);
            var reversal = new SessionRow
            {
                GrantId = g.Id, Date = s.Date, StartTime = s.StartTime, EndTime = s.EndTime, Minutes = -s.Minutes, TripMinutes = -s.TripMinutes,
                Activity = s.Activity, CompanionId = s.CompanionId, Km = -s.Km, RegisteredBy = actor.UserId, RegisteredByRole = actor.Role.ToString(),
                RegisteredAt = today.Now, Sequence = sequence + 1, ReversalOf = s.Id, Reason = reason, ConfirmedAt = today.Now, ConfirmedBy = actor.UserId,
                Objection = objection,
            };
            db.Sessions.Add(reversal);
            g.Version++;
            audit.Add(db, actor, objection ? "object" : "reverse", "session", s.Id.ToString(), $"tilbageført af {reversal.Id}");
            try
            {
                await audit.SaveAsync(db, ct);
            }
            catch (DbUpdateException) when (attempt < 20)
            {
                continue;
            }
            return (reversal, standards.For(g.MunicipalityId).National);
        }
    }

    private static async Task<IResult> Statement(Guid grantId, string? month, HttpContext http, Access access, LedsagDb db, AuditLog audit,
        Standards standards, Today today, CancellationToken ct)
    {
        var actor = Access.Require(http);
        var g = await access.GrantAsync(actor, grantId, ct);
        var m = ParseMonth(month) ?? today.Date.ToYearMonth();
        access.Read(actor, "statement", grantId);
        await audit.SaveAsync(db, ct);
        var standard = standards.For(g.MunicipalityId);
        var (ledger, standing, _) = await GrantEndpoints.LedgerAsync(db, g, standard, ct);
        var sessions = standing.Where(s => s.Date.ToYearMonth() == m).Select(s => ToView(s, standard.National)).ToList();
        var last = m.OnDayOfMonth(m.Calendar.GetDaysInMonth(m.Year, m.Month));
        var companions = await db.Companions.Where(k => sessions.Select(s => s.CompanionId).Contains(k.Id)).ToDictionaryAsync(k => k.Id, k => k.Name, ct);
        return Results.Ok(new StatementView(
            $"{m.Year:0000}-{m.Month:00}",
            sessions.Select(s => new StatementLine(s.Date, s.Start, s.End, s.Hours, s.ActivityLabel, s.CompanionId is { } c ? companions.GetValueOrDefault(c) : null, s.Km, s.MileageAmount)).ToList(),
            sessions.Sum(s => s.Hours),
            sessions.Sum(s => s.Km),
            sessions.Sum(s => s.MileageAmount ?? 0),
            "Kørsel i ledsagerens bil afregner du direkte med ledsageren efter statens lave takst.",
            GrantEndpoints.View(g.Id, ledger, last < today.Date ? last : today.Date)));
    }

    private static YearMonth? ParseMonth(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var v = new Validation();
        var month = v.Month("month", text);
        v.ThrowIfInvalid();
        return month;
    }

    private static async Task<IResult> Planned(Guid grantId, HttpContext http, Access access, LedsagDb db, CancellationToken ct)
    {
        var actor = Access.Require(http);
        await access.GrantAsync(actor, grantId, ct);
        var rows = await db.PlannedSessions.Where(p => p.GrantId == grantId && p.CancelledAt == null).OrderBy(p => p.Date).ThenBy(p => p.Start).ToListAsync(ct);
        return Results.Ok(rows.Select(PlanView));
    }

    internal static PlannedView PlanView(PlannedSession p) =>
        new(p.Id, p.GrantId, p.Date.Iso(), p.Start.ToString("HH:mm", null), p.End.ToString("HH:mm", null), p.Activity, p.CompanionId, p.Note);

    private static async Task<IResult> Plan(Guid grantId, PlanRequest? body, HttpContext http, Access access, LedsagDb db, AuditLog audit,
        Standards standards, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator, Role.Companion, Role.Citizen, Role.Coordinator);
        var g = await access.GrantAsync(actor, grantId, ct);
        GrantEndpoints.RequireNotReplaced(g);
        var standard = standards.For(g.MunicipalityId);
        var v = new Validation();
        var date = v.Date("date", body?.Date);
        var start = v.Time("start", body?.Start) ?? Missing<LocalTime>(v, "start", body?.Start);
        var end = v.Time("end", body?.End) ?? Missing<LocalTime>(v, "end", body?.End);
        if (start is not null && end is not null && end <= start)
        {
            v.Add("end", "Sluttidspunktet skal ligge efter starttidspunktet.");
        }
        var activity = Activity(v, body?.Activity, standard);
        var note = v.Text("note", body?.Note, required: false, max: 400);
        v.ThrowIfInvalid();
        RequireAllowedActivity(standard, activity!, date!.Value);
        var companionId = actor.Role == Role.Companion ? actor.CompanionId : body!.CompanionId;
        if (companionId is { } cid && !await db.Assignments.AnyAsync(a => a.CompanionId == cid && a.CitizenId == g.CitizenId && a.EndedOn == null, ct))
        {
            throw ProblemException.Invalid("companionId", "Ledsageren er ikke tilknyttet borgeren.");
        }
        var plan = new PlannedSession { GrantId = g.Id, CompanionId = companionId, Date = date.Value, Start = start!.Value, End = end!.Value, Activity = activity!, Note = note };
        db.PlannedSessions.Add(plan);
        audit.Add(db, actor, "plan", "session", plan.Id.ToString(), $"{date.Value.Iso()} {activity}");
        await audit.SaveAsync(db, ct);
        return Results.Created($"/api/grants/{g.Id}/planned", PlanView(plan));
    }

    private static T? Missing<T>(Validation v, string field, string? text) where T : struct
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            v.Add(field, "Skal udfyldes (TT:MM).");
        }
        return null;
    }

    private static async Task<IResult> CancelPlan(Guid grantId, Guid id, HttpContext http, Access access, LedsagDb db, AuditLog audit, Today today, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator, Role.Companion, Role.Citizen, Role.Coordinator);
        await access.GrantAsync(actor, grantId, ct);
        var plan = await db.PlannedSessions.FirstOrDefaultAsync(p => p.Id == id && p.GrantId == grantId && p.CancelledAt == null, ct) ?? throw ProblemException.NotFound();
        plan.CancelledAt = today.Now;
        audit.Add(db, actor, "cancel", "planned_session", id.ToString());
        await audit.SaveAsync(db, ct);
        return Results.NoContent();
    }
}
