using System.ComponentModel.DataAnnotations;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Ledsag.Web.Features;

/// <summary>Citizens (borgere): register, list (CPR masked), read (audited).</summary>
public static class CitizenEndpoints
{
    public sealed record CitizenRequest([property: Required] string? Cpr, [property: Required] string? Name, string? Address, string? Phone, string? Email,
        bool? EarlyRetirementPension, [property: OneOf(typeof(CitizenEndpoints), nameof(RepresentativeKinds))] string? RepresentativeKind, string? RepresentativeName, string? RepresentativeContact,
        string? Area, string? PreferredLanguage, bool? NeedsWheelchairHelp, bool? WantsDriver);

    public sealed record CitizenSummary(Guid Id, string Name, string Cpr, string BirthDate);

    public sealed record CitizenResponse(Guid Id, string Name, string Cpr, string BirthDate, string? Address, string? Phone, string? Email,
        bool EarlyRetirementPension, string? RepresentativeKind, string? RepresentativeName, string? RepresentativeContact);

    private static readonly Dictionary<string, string> RepresentativeKinds = new()
    {
        ["værge"] = "værge",
        ["pårørende"] = "pårørende",
        ["fuldmagt"] = "fuldmagt",
    };

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/citizens").WithTags("Borgere").RequireAuthorization();
        api.MapPost("/", Create).WithName("CreateCitizen").Produces<CitizenResponse>(201);
        api.MapGet("/", List).WithName("ListCitizens").Produces<IReadOnlyList<CitizenSummary>>();
        api.MapGet("/{id:guid}", Get).WithName("GetCitizen").Produces<CitizenResponse>();
    }

    private static async Task<IResult> Create(CitizenRequest? body, HttpContext http, LedsagDb db, AuditLog audit, CancellationToken ct)
    {
        var citizen = await CreateAsync(Access.Require(http), body, db, audit, ct);
        return Results.Created($"/api/citizens/{citizen.Id}", ToResponse(citizen));
    }

    /// <summary>Creates a citizen; the API and the caseworker's new-case page both come here.</summary>
    public static async Task<Citizen> CreateAsync(Actor actor, CitizenRequest? body, LedsagDb db, AuditLog audit, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator);
        var v = new Validation();
        var cpr = v.Cpr("cpr", body?.Cpr);
        var name = v.Name("name", body?.Name);
        var kind = v.Enum("representativeKind", body?.RepresentativeKind, RepresentativeKinds, required: false);
        var repName = v.Text("representativeName", body?.RepresentativeName, required: kind is not null, max: 200);
        v.ThrowIfInvalid();
        if (await db.Citizens.AnyAsync(c => c.MunicipalityId == actor.MunicipalityId && c.Cpr == cpr!.Value.Digits, ct))
        {
            throw ProblemException.Invalid("cpr", "Der findes allerede en borger med dette CPR-nummer i kommunen.");
        }
        var citizen = new Citizen
        {
            MunicipalityId = actor.MunicipalityId,
            Cpr = cpr!.Value.Digits,
            BirthDate = cpr.Value.BirthDate,
            Name = name!,
            Address = v.Text("address", body!.Address, required: false, max: 400),
            Phone = v.Text("phone", body.Phone, required: false, max: 40),
            Email = v.Text("email", body.Email, required: false, max: 200),
            EarlyRetirementPension = body.EarlyRetirementPension ?? false,
            Area = v.Text("area", body.Area, required: false, max: 100),
            PreferredLanguage = v.Text("preferredLanguage", body.PreferredLanguage, required: false, max: 50),
            NeedsWheelchairHelp = body.NeedsWheelchairHelp ?? false,
            WantsDriver = body.WantsDriver ?? false,
            RepresentativeKind = kind,
            RepresentativeName = repName,
            RepresentativeContact = v.Text("representativeContact", body.RepresentativeContact, required: false, max: 400),
        };
        v.ThrowIfInvalid();
        db.Citizens.Add(citizen);
        audit.Add(db, actor, "create", "citizen", citizen.Id.ToString());
        await audit.SaveAsync(db, ct);
        return citizen;
    }

    private static async Task<IResult> List(HttpContext http, LedsagDb db, AuditLog audit, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator, Role.Coordinator);
        var list = await db.Citizens.Where(c => c.MunicipalityId == actor.MunicipalityId).OrderBy(c => c.Name).ToListAsync(ct);
        audit.Add(db, actor, "list", "citizen", null, $"{list.Count} borgere");
        await audit.SaveAsync(db, ct);
        return Results.Ok(list.Select(c => new CitizenSummary(c.Id, c.Name, Mask(c.Cpr), c.BirthDate.Iso())));
    }

    private static async Task<IResult> Get(Guid id, HttpContext http, Access access, AuditLog audit, LedsagDb db, CancellationToken ct)
    {
        var actor = Access.Require(http);
        var citizen = await access.CitizenAsync(actor, id, ct);
        access.Read(actor, "citizen", id);
        await audit.SaveAsync(db, ct);
        var response = ToResponse(citizen);
        // Least privilege: the full CPR number for the caseworker, the administrator and the citizen; the others' work needs only who it is.
        return Results.Ok(actor.Role is Role.Caseworker or Role.Administrator or Role.Citizen ? response : response with { Cpr = Mask(citizen.Cpr) });
    }

    /// <summary>A stored CPR number as lists show it: the birth date part and four x'es.</summary>
    public static string Mask(string cpr) => $"{cpr[..6]}-xxxx";

    private static CitizenResponse ToResponse(Citizen c) => new(c.Id, c.Name, $"{c.Cpr[..6]}-{c.Cpr[6..]}", c.BirthDate.Iso(), c.Address, c.Phone, c.Email,
        c.EarlyRetirementPension, c.RepresentativeKind, c.RepresentativeName, c.RepresentativeContact);
}
