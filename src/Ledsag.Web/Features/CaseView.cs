using Ledsag.Domain.Eligibility;
using Ledsag.Domain.Standards;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Ledsag.Web.Features;

/// <summary>The engine's recommendation as stored with the case and shown to the caseworker.</summary>
public sealed record RecommendationView(string Kind, IReadOnlyList<ReasonView> Reasons, decimal? HoursPerMonth, IReadOnlyList<TraceView> Trace)
{
    public static RecommendationView From(Recommendation r, NationalRules national) => new(
        r.Kind.ToString().ToLowerInvariant(),
        r.Reasons.Select(code => new ReasonView(code, national.Reasons[code].Text, national.Reasons[code].Source)).ToList(),
        r.HoursPerMonth?.Hours,
        r.Trace.Select(t => new TraceView(t.Rule, t.Detail, t.Source)).ToList());
}

public sealed record ReasonView(string Code, string Text, string Source);

public sealed record TraceView(string Rule, string Detail, string Source);

/// <summary>A case with its whole timeline, open and closed deadlines, and its grant.</summary>
public sealed record CaseView(Guid Id, string Number, string State, string StateText, Guid CitizenId, string Citizen, string ReceivedOn, string Channel,
    string? RoutedTo, Guid? CaseworkerId, IReadOnlyList<StepView> Steps, IReadOnlyList<DeadlineView> Deadlines, Guid? GrantId)
{
    public static async Task<CaseView> LoadAsync(CaseWorkflow flow, Case c, CancellationToken ct)
    {
        var db = flow.Db;
        var citizen = await db.Citizens.Where(z => z.Id == c.CitizenId).Select(z => z.Name).FirstAsync(ct);
        var steps = (await db.CaseSteps.AsNoTracking().Where(s => s.CaseId == c.Id).ToListAsync(ct))
            .Concat(db.ChangeTracker.Entries<CaseStep>().Where(e => e.State == EntityState.Added && e.Entity.CaseId == c.Id).Select(e => e.Entity))
            .DistinctBy(s => s.Id).OrderBy(s => s.RecordedAt).ThenBy(s => s.CaseVersion).ThenBy(s => s.OccurredOn).ToList();
        var deadlines = await db.Deadlines.AsNoTracking().Where(d => d.CaseId == c.Id).OrderBy(d => d.DueOn).ToListAsync(ct);
        // The grant in force first; a replaced one only when none of the case's grants is in force.
        var grant = await db.Grants.Where(g => g.CaseId == c.Id).OrderByDescending(g => g.InForceCitizenId != null).ThenByDescending(g => g.Start)
            .Select(g => (Guid?)g.Id).FirstOrDefaultAsync(ct);
        var today = flow.Today.Date;
        return new CaseView(c.Id, c.Number, c.State.ToString(), CaseWorkflow.Danish(c.State), c.CitizenId, citizen, c.ReceivedOn.Iso(), c.Channel,
            c.RoutedTo, c.CaseworkerId,
            steps.Select(s => new StepView(s.Kind, CaseEndpoints.StepTitle(s.Kind), s.OccurredOn.Iso(), s.RecordedAt.ToString(), s.ActorId, s.Reason,
                System.Text.Json.JsonDocument.Parse(s.DataJson).RootElement)).ToList(),
            deadlines.Select(d => new DeadlineView(d.Kind, CaseEndpoints.DeadlineTitle(d.Kind), d.DueOn.Iso(), d.Source, d.ClosedOn?.Iso(), d.ClosedHow,
                d.ClosedOn is null && d.DueOn < today && !CaseEndpoints.IsCitizensDeadline(d.Kind))).ToList(),
            grant);
    }
}

public sealed record StepView(string Kind, string Title, string On, string RecordedAt, Guid? By, string? Reason, System.Text.Json.JsonElement Data);

public sealed record DeadlineView(string Kind, string Title, string DueOn, string Source, string? ClosedOn, string? ClosedHow, bool Overdue);
