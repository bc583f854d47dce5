using System.Text.Json;
using Ledsag.Domain.Cases;
using Ledsag.Domain.Deadlines;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Ledsag.Web.Features;

/// <summary>What every workflow step does alike: record the step (who, when, why), audit it, open and close deadlines.</summary>
public sealed class CaseWorkflow(LedsagDb db, AuditLog audit, Standards standards, Today today, Letters.LetterService letters)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public LedsagDb Db => db;

    public Standards Standards => standards;

    public Today Today => today;

    public AuditLog Audit => audit;

    public CaseStep Record(Case c, Actor actor, string kind, LocalDate on, string? reason, object? data = null)
    {
        var step = new CaseStep
        {
            CaseId = c.Id,
            Kind = kind,
            OccurredOn = on,
            RecordedAt = today.Now,
            ActorId = actor.UserId,
            Reason = reason,
            DataJson = JsonSerializer.Serialize(data ?? new { }, Json),
        };
        c.Version++;
        step.CaseVersion = c.Version;
        db.CaseSteps.Add(step);
        audit.Add(db, actor, kind, "case", c.Id.ToString(), $"trin {step.Id}"); // the reason stays on the step, not in the log
        return step;
    }

    /// <summary>Opens the deadlines an event starts under the municipality's standard (none where it sets no period).</summary>
    public IReadOnlyList<Deadline> Open(Case c, DeadlineEvent e, LocalDate on)
    {
        var opened = new List<Deadline>();
        foreach (var result in DeadlineEngine.For(standards.For(c.MunicipalityId), e, on))
        {
            if (result.Due is { } due)
            {
                opened.Add(OpenDeadline(c, result.Name, due, result.Trace[0].Source));
            }
        }
        return opened;
    }

    public Deadline OpenDeadline(Case c, string kind, LocalDate due, string source)
    {
        var d = new Deadline { CaseId = c.Id, MunicipalityId = c.MunicipalityId, Kind = kind, DueOn = due, Source = source };
        db.Deadlines.Add(d);
        return d;
    }

    /// <summary>Closes the open deadlines of the given kinds; returns how many.</summary>
    public async Task<int> CloseAsync(Case c, LocalDate on, string how, CancellationToken ct, params string[] kinds)
    {
        var open = await db.Deadlines.Where(d => d.CaseId == c.Id && d.ClosedOn == null && kinds.Contains(d.Kind)).ToListAsync(ct);
        open.AddRange(db.ChangeTracker.Entries<Deadline>()
            .Where(e => e.State == EntityState.Added && e.Entity.CaseId == c.Id && e.Entity.ClosedOn == null && kinds.Contains(e.Entity.Kind))
            .Select(e => e.Entity));
        foreach (var d in open)
        {
            d.ClosedOn = on;
            d.ClosedHow = how;
        }
        return open.Count;
    }

    public async Task SaveAsync(CancellationToken ct)
    {
        try
        {
            await audit.SaveAsync(db, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear(); // nothing half-saved stays tracked
            throw ProblemException.Conflict("Sagen blev ændret af en anden i mellemtiden. Hent den igen og prøv igen.", "CONCURRENT_CHANGE");
        }
        catch (DbUpdateException e) when (db.ChangeTracker.Entries<Grant>().Any(g => g.State == EntityState.Added && g.Entity.InForceCitizenId is not null) && IsUniqueViolation(e))
        {
            // The unique index on the in-force mark: another decision gave the citizen a grant in force at the same moment.
            db.ChangeTracker.Clear();
            throw ProblemException.Conflict("Borgeren har allerede en bevilling i kraft. Hent sagen igen: en ny afgørelse erstatter den gældende bevilling.", "GRANT_IN_FORCE");
        }
    }

    /// <summary>Puts a letter about the case to its citizen in the outbox, as text and PDF; <c>decided</c> is the decision's day, when it carries one; <c>dated</c> the recorded sending day.</summary>
    public async Task<Letter> LetterAsync(Case c, string kind, (string Subject, string Body) text, CancellationToken ct, LocalDate? decided = null, LocalDate? dated = null)
    {
        var citizen = await db.Citizens.FirstAsync(z => z.Id == c.CitizenId, ct);
        return letters.Add(db, citizen, c.Id, kind, text.Subject, text.Body, decided: decided, dated: dated);
    }

    /// <summary>Saves the step and answers with the case as it now stands.</summary>
    public async Task<IResult> SavedViewAsync(Case c, CancellationToken ct)
    {
        await SaveAsync(ct);
        return Results.Ok(await CaseView.LoadAsync(this, c, ct));
    }

    /// <summary>Refuses a step the case's state does not allow (409), as the domain's lifecycle says.</summary>
    public static void Require(Case c, CaseEvent e)
    {
        if (CaseLifecycle.Guard(c.State, e) is { } wrong)
        {
            throw ProblemException.Conflict(wrong.Message, wrong.Rule);
        }
    }

    public static string Danish(CaseState s) => CaseLifecycle.Danish(s);

    /// <summary>The day a letter counts as received: Digital Post the same day, a physical letter 6 working days later.</summary>
    public LocalDate ReceivedOn(string municipalityId, LocalDate sent, string delivery) =>
        delivery == "letter" ? standards.For(municipalityId).National.Calendar.AddWorkingDays(sent, 6) : sent;

    internal static bool IsUniqueViolation(DbUpdateException e) =>
        e.InnerException is Npgsql.PostgresException { SqlState: "23505" } or Microsoft.Data.Sqlite.SqliteException { SqliteExtendedErrorCode: 2067 };

    public static T? Data<T>(CaseStep step) => JsonSerializer.Deserialize<T>(step.DataJson, Json);
}
