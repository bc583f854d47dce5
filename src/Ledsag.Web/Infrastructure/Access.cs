using Ledsag.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Ledsag.Web.Infrastructure;

/// <summary>
/// Loads what a user asks for, only if they may see it. Another municipality's resource, another
/// citizen's case or a citizen a companion does not accompany answers 404 — as if it did not exist —
/// and the attempt is written to the audit log. Staff reads of a citizen's data are audited too.
/// </summary>
public sealed class Access(LedsagDb db, AuditLog audit)
{
    public static Actor Require(HttpContext http) =>
        Actor.From(http.User) ?? throw new ProblemException(StatusCodes.Status401Unauthorized, "Du skal logge ind");

    public static void RequireRole(Actor actor, params Role[] roles)
    {
        if (!roles.Contains(actor.Role))
        {
            throw ProblemException.Forbidden();
        }
    }

    public async Task<Citizen> CitizenAsync(Actor actor, Guid id, CancellationToken ct)
    {
        var citizen = await db.Citizens.FirstOrDefaultAsync(c => c.Id == id, ct);
        var allowed = citizen is not null && citizen.MunicipalityId == actor.MunicipalityId && actor.Role switch
        {
            Role.Citizen => actor.CitizenId == id,
            Role.Companion => await AccompaniesAsync(actor, id, ct),
            _ => true,
        };
        await GuardAsync(actor, allowed, "citizen", id, ct);
        return citizen!;
    }

    public async Task<Case> CaseAsync(Actor actor, Guid id, CancellationToken ct)
    {
        var c = await db.Cases.FirstOrDefaultAsync(x => x.Id == id, ct);
        var allowed = c is not null && c.MunicipalityId == actor.MunicipalityId && actor.Role switch
        {
            Role.Citizen => actor.CitizenId == c.CitizenId,
            Role.Companion => false,
            _ => true,
        };
        await GuardAsync(actor, allowed, "case", id, ct);
        return c!;
    }

    public async Task<Grant> GrantAsync(Actor actor, Guid id, CancellationToken ct)
    {
        var g = await db.GrantAsync(id, ct);
        var allowed = g is not null && g.MunicipalityId == actor.MunicipalityId && actor.Role switch
        {
            Role.Citizen => actor.CitizenId == g.CitizenId,
            Role.Companion => await AccompaniesAsync(actor, g.CitizenId, ct),
            _ => true,
        };
        await GuardAsync(actor, allowed, "grant", id, ct);
        return g!;
    }

    /// <summary>Records a staff read of a citizen's data (who read what, when).</summary>
    public void Read(Actor actor, string entity, Guid id)
    {
        if (actor.IsStaff)
        {
            audit.Add(db, actor, "read", entity, id.ToString());
        }
    }

    private Task<bool> AccompaniesAsync(Actor actor, Guid citizenId, CancellationToken ct) =>
        actor.CompanionId is { } companion
            ? db.Assignments.AnyAsync(a => a.CompanionId == companion && a.CitizenId == citizenId && a.EndedOn == null, ct)
            : Task.FromResult(false);

    private async Task GuardAsync(Actor actor, bool allowed, string entity, Guid id, CancellationToken ct)
    {
        if (!allowed)
        {
            throw await DeniedAsync(db, audit, actor, entity, id, ct);
        }
    }

    /// <summary>Audits a denied attempt and gives the 404 to throw: what is not yours looks like what does not exist.</summary>
    public static async Task<ProblemException> DeniedAsync(LedsagDb db, AuditLog audit, Actor actor, string entity, Guid id, CancellationToken ct)
    {
        await audit.DeniedAsync(db, actor, entity, id.ToString(), null, ct);
        return ProblemException.NotFound();
    }
}
