using System.ComponentModel.DataAnnotations;
using System.Text;
using Ledsag.Domain.Standards;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Ledsag.Web.Features;

/// <summary>
/// The companion registry (applicant → approved → employed → ended) with the standard's approval rules
/// (criminal record where required, no close relation without a recorded exception, the cash grant only
/// where offered), matching suggestions, proposals and meetings, the companion's schedule and its
/// iCalendar feed.
/// </summary>
public static class CompanionEndpoints
{
    public sealed record CompanionRequest([property: Required] string? Name, string? Cpr, string? Phone, string? Email, string? Area, string? Languages,
        IReadOnlyList<int>? Availability, bool? DrivingLicence, bool? WheelchairExperience,
        [property: OneOf(typeof(CompanionRules), nameof(CompanionRules.EmployerKeys))] string? Employer,
        [property: OneOf(typeof(CompanionRules), nameof(CompanionRules.RelationKeys))] string? Relation);
    public sealed record CriminalRecordRequest([property: Required] string? Date, [property: Required] bool? Clean);
    public sealed record ReasonRequest([property: Required] string? Reason);
    public sealed record ExceptionRequest([property: Required] Guid? CitizenId, [property: Required] string? Reason);
    public sealed record EmployRequest([property: OneOf(typeof(CompanionRules), nameof(CompanionRules.EmployerKeys))] string? Employer, Guid? ProviderId, string? Reason);
    public sealed record DeclarationRequest([property: Required] Guid? CitizenId, [property: Required, OneOf(typeof(CompanionRules), nameof(CompanionRules.RelationKeys))] string? Relation,
        string? Description, string? DeclaredOn);
    public sealed record ProviderRequest([property: Required] string? Name, [property: Required] string? Cvr, string? ContactName, string? Phone, string? Email);
    public sealed record ProposalRequest([property: Required] Guid? CitizenId, [property: Required] Guid? CompanionId, string? ProposedOn);
    public sealed record MeetingRequest([property: Required] string? MeetingOn);
    public sealed record OutcomeRequest([property: Required, OneOf(typeof(CompanionEndpoints), nameof(Outcomes))] string? Outcome, string? Note);

    private static readonly Dictionary<string, string> Outcomes = new[] { "accepted", "declined" }.ToDictionary(e => e);

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/companions").WithTags("Ledsagere").RequireAuthorization();
        api.MapPost("/", Create).WithName("CreateCompanion").Produces<CompanionView>(201);
        api.MapGet("/", List).WithName("ListCompanions").Produces<IReadOnlyList<CompanionView>>();
        api.MapGet("/{id:guid}", Get).WithName("GetCompanion").Produces<CompanionView>();
        api.MapPost("/{id:guid}/criminal-record", CriminalRecord).WithName("RecordCriminalRecord").Produces<CompanionView>();
        api.MapPost("/{id:guid}/relation-exception", RelationException).WithName("GrantRelationException").Produces<RelationDeclarationView>().ProducesProblem(409);
        api.MapGet("/{id:guid}/relation-declarations", Declarations).WithName("ListRelationDeclarations").Produces<IReadOnlyList<RelationDeclarationView>>();
        api.MapPost("/{id:guid}/relation-declarations", Declare).WithName("DeclareRelation").Produces<RelationDeclarationView>(201).ProducesProblem(409);
        var providers = app.MapGroup("/api/providers").WithTags("Ledsagere").RequireAuthorization();
        providers.MapGet("/", ListProviders).WithName("ListProviders").Produces<IReadOnlyList<ProviderSummary>>();
        providers.MapPost("/", CreateProvider).WithName("CreateProvider").Produces<ProviderSummary>(201).ProducesProblem(409);
        api.MapPost("/{id:guid}/approve", Approve).WithName("ApproveCompanion").Produces<CompanionView>().ProducesProblem(409);
        api.MapPost("/{id:guid}/employ", Employ).WithName("EmployCompanion").Produces<CompanionView>().ProducesProblem(409);
        api.MapPost("/{id:guid}/end", End).WithName("EndCompanion").Produces<CompanionView>().ProducesProblem(409);
        api.MapGet("/me/schedule", Schedule).WithName("GetMySchedule").Produces<CompanionSchedule>();
        app.MapGet("/api/citizens/{id:guid}/companion-suggestions", Suggestions).WithTags("Ledsagere").RequireAuthorization()
            .WithName("SuggestCompanions").Produces<IReadOnlyList<Suggestion>>();
        var proposals = app.MapGroup("/api/match-proposals").WithTags("Ledsagere").RequireAuthorization();
        proposals.MapPost("/", Propose).WithName("ProposeMatch").Produces<MatchProposalView>(201).ProducesProblem(409);
        proposals.MapPost("/{id:guid}/meeting", Meeting).WithName("RecordMatchMeeting").Produces<MatchProposalView>().ProducesProblem(409);
        proposals.MapPost("/{id:guid}/outcome", Outcome).WithName("RecordMatchOutcome").Produces<MatchProposalView>().ProducesProblem(409);
        app.MapGet("/calendar/{token}.ics", Feed).WithTags("Ledsagere").AllowAnonymous().WithName("GetCalendarFeed").Produces(200, contentType: "text/calendar");
    }

    public sealed record CompanionView(Guid Id, string Name, string? Cpr, string? Phone, string? Email, string? Area, string? Languages, IReadOnlyList<int> Availability,
        bool DrivingLicence, bool WheelchairExperience, string Employer, string Status, string? CriminalRecordDate, bool? CriminalRecordClean,
        Guid? NominatedByCitizenId, Guid? ProviderId);
    public sealed record RelationDeclarationView(Guid Id, Guid CompanionId, Guid CitizenId, string Relation, string RelationText, string? Description,
        string DeclaredOn, string? ExceptionReason);
    public sealed record ProviderSummary(Guid Id, string Name, string Cvr, string? ContactName, string? Phone, string? Email);
    public sealed record MatchProposalView(Guid Id, Guid CitizenId, Guid CompanionId, string ProposedOn, string? MeetingOn, string? Outcome, string? Note);
    public sealed record ScheduleCitizen(Guid CitizenId, string Name, Guid? GrantId);
    public sealed record CompletedSession(Guid Id, Guid GrantId, string Date, string? Start, string? End, decimal Hours, string Activity, decimal Km, bool Confirmed);
    public sealed record CompanionSchedule(string CalendarFeed, IReadOnlyList<string> MustNot, string? MustNotSource, IReadOnlyList<ScheduleCitizen> Citizens,
        IReadOnlyList<SessionEndpoints.PlannedView> Planned, IReadOnlyList<CompletedSession> Completed);

    internal static CompanionView View(Companion k, bool showCpr) => new(
        k.Id, k.Name, k.Cpr is null ? null : showCpr ? $"{k.Cpr[..6]}-{k.Cpr[6..]}" : CitizenEndpoints.Mask(k.Cpr),
        k.Phone, k.Email, k.Area, k.Languages,
        (k.Availability ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList(),
        k.DrivingLicence, k.WheelchairExperience, k.Employer, k.Status.ToString(),
        k.CriminalRecordDate?.Iso(), k.CriminalRecordClean, k.NominatedByCitizenId, k.ProviderId);

    private static async Task<IResult> Create(CompanionRequest? body, HttpContext http, LedsagDb db, AuditLog audit, Standards standards, Today today, CancellationToken ct)
    {
        var actor = Access.Require(http);
        var companion = await CreateAsync(actor, body, db, audit, standards, today, ct);
        return Results.Created($"/api/companions/{companion.Id}", View(companion, actor.Role != Role.Citizen));
    }

    /// <summary>Creates a companion (coordinator) or a citizen's nominee (SEL § 97 stk. 3); the API and the pages both come here.</summary>
    public static async Task<Companion> CreateAsync(Actor actor, CompanionRequest? body, LedsagDb db, AuditLog audit, Standards standards, Today today, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Coordinator, Role.Administrator, Role.Caseworker, Role.Citizen);
        var v = new Validation();
        var name = v.Name("name", body?.Name);
        var cpr = body?.Cpr is null ? null : v.Cpr("cpr", body.Cpr);
        var relation = v.Enum("relation", body?.Relation, CompanionRules.RelationKeys, required: actor.Role == Role.Citizen);
        var employer = v.Enum("employer", body?.Employer ?? CompanionRules.DefaultEmployer(standards.For(actor.MunicipalityId), today.Date), CompanionRules.EmployerKeys);
        foreach (var (day, i) in (body?.Availability ?? []).Select((d, i) => (d, i)))
        {
            if (day is < 1 or > 7)
            {
                v.Add($"availability[{i}]", "Ugedag skal være 1 (mandag) til 7 (søndag).");
            }
        }
        var phone = v.Text("phone", body?.Phone, required: false, max: 40);
        var email = v.Text("email", body?.Email, required: false, max: 200);
        var area = v.Text("area", body?.Area, required: false, max: 100);
        if (employer is not null)
        {
            // An employer the standard does not allow is refused now, not at approval, where it could no longer be changed.
            await CompanionRules.RequireEmployerAsync(v, db, standards.For(actor.MunicipalityId), actor.MunicipalityId, employer, null, null, today.Date, ct, employing: false);
        }
        var languages = v.Text("languages", body?.Languages, required: false, max: 200);
        v.ThrowIfInvalid();
        var companion = new Companion
        {
            MunicipalityId = actor.MunicipalityId, Name = name!, Cpr = cpr?.Digits, Phone = phone, Email = email, Area = area, Languages = languages,
            Availability = string.Join(',', (body!.Availability ?? []).Distinct().Order()), DrivingLicence = body.DrivingLicence ?? false,
            WheelchairExperience = body.WheelchairExperience ?? false, Employer = employer!, Status = CompanionStatus.Applicant,
            // SEL § 97 stk. 3: the citizen may appoint the companion; the municipality approves and employs them.
            NominatedByCitizenId = actor.Role == Role.Citizen ? actor.CitizenId : null,
        };
        db.Companions.Add(companion);
        if (actor.Role == Role.Citizen)
        {
            // The citizen who nominates declares the relation to themselves (SEL § 97 stk. 4), for this companion and citizen.
            db.RelationDeclarations.Add(new RelationDeclaration
            {
                MunicipalityId = actor.MunicipalityId, CompanionId = companion.Id, CitizenId = actor.CitizenId!.Value, Relation = relation!,
                DeclaredOn = today.Date, RecordedBy = actor.UserId, RecordedAt = today.Now,
            });
        }
        audit.Add(db, actor, actor.Role == Role.Citizen ? "nominate" : "create", "companion", companion.Id.ToString());
        await audit.SaveAsync(db, ct);
        return companion;
    }

    private static async Task<IResult> List(HttpContext http, LedsagDb db, string? status, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Coordinator, Role.Administrator, Role.Caseworker, Role.Finance);
        var q = db.Companions.Where(k => k.MunicipalityId == actor.MunicipalityId);
        if (status is not null)
        {
            q = Enum.TryParse<CompanionStatus>(status, true, out var s) ? q.Where(k => k.Status == s)
                : throw ProblemException.Invalid("status", $"'{status}' er ikke en status (Applicant, Approved, Employed, Ended).");
        }
        return Results.Ok((await q.OrderBy(k => k.Name).ToListAsync(ct)).Select(k => View(k, showCpr: false)));
    }

    private static async Task<Companion> Load(LedsagDb db, AuditLog audit, Actor actor, Guid id, CancellationToken ct)
    {
        var k = await db.Companions.FirstOrDefaultAsync(x => x.Id == id, ct);
        if (k is null || k.MunicipalityId != actor.MunicipalityId || (actor.Role == Role.Companion && actor.CompanionId != id))
        {
            throw await Access.DeniedAsync(db, audit, actor, "companion", id, ct);
        }
        return k;
    }

    private static async Task<IResult> Get(Guid id, HttpContext http, LedsagDb db, AuditLog audit, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Coordinator, Role.Administrator, Role.Caseworker, Role.Companion);
        var k = await Load(db, audit, actor, id, ct);
        audit.Add(db, actor, "read", "companion", id.ToString());
        await audit.SaveAsync(db, ct);
        return Results.Ok(View(k, showCpr: actor.Role is Role.Coordinator or Role.Administrator or Role.Companion));
    }

    internal static async Task<IResult> CriminalRecord(Guid id, CriminalRecordRequest? body, HttpContext http, LedsagDb db, AuditLog audit, Today today, CancellationToken ct) =>
        Results.Ok(View(await CriminalRecordAsync(Access.Require(http), id, body, db, audit, today, ct), showCpr: true));

    /// <summary>Records the companion's criminal record and whether it is clean; the API, the pages and the demo data all come here.</summary>
    public static async Task<Companion> CriminalRecordAsync(Actor actor, Guid id, CriminalRecordRequest? body, LedsagDb db, AuditLog audit, Today today, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Coordinator, Role.Administrator);
        var k = await Load(db, audit, actor, id, ct); // what is not yours is refused before its input is judged
        var v = new Validation();
        var date = v.Date("date", body?.Date);
        if (date > today.Date)
        {
            v.Add("date", "Straffeattesten kan ikke være udstedt i fremtiden.");
        }
        if (body?.Clean is null)
        {
            v.Add("clean", "Angiv om straffeattesten er uden anmærkninger (true/false).");
        }
        v.ThrowIfInvalid();
        k.CriminalRecordDate = date;
        k.CriminalRecordClean = body!.Clean;
        audit.Add(db, actor, "criminal-record", "companion", id.ToString(), body.Clean == true ? "uden anmærkninger" : "med anmærkninger");
        await audit.SaveAsync(db, ct);
        return k;
    }

    public static async Task<IResult> RelationException(Guid id, ExceptionRequest? body, HttpContext http, LedsagDb db, AuditLog audit, CancellationToken ct)
    {
        var actor = Access.Require(http);
        // SEL § 97 stk. 4 "normalt ikke": an exception is the caseworker's decision, with a reason, for one citizen.
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator);
        var k = await Load(db, audit, actor, id, ct); // what is not yours is refused before its input is judged
        var v = new Validation();
        var reason = v.Text("reason", body?.Reason, max: 1000);
        var citizenId = body?.CitizenId ?? k.NominatedByCitizenId;
        if (citizenId is null)
        {
            v.Add("citizenId", "Vælg den borger, undtagelsen gælder.");
        }
        v.ThrowIfInvalid();
        var declaration = await db.RelationDeclarations.FirstOrDefaultAsync(r => r.CompanionId == id && r.CitizenId == citizenId, ct)
            ?? throw ProblemException.Invalid("citizenId", "Der er ingen erklæring om nærtstående for ledsageren og borgeren. Registrér erklæringen først.");
        declaration.ExceptionReason = reason;
        declaration.ExceptionBy = actor.UserId;
        audit.Add(db, actor, "relation-exception", "companion", id.ToString());
        await audit.SaveAsync(db, ct);
        return Results.Ok(DeclarationView(declaration));
    }

    private static RelationDeclarationView DeclarationView(RelationDeclaration r) => new(
        r.Id, r.CompanionId, r.CitizenId, r.Relation, CompanionRules.Relations[r.Relation], r.Description, r.DeclaredOn.Iso(), r.ExceptionReason);

    private static async Task<IResult> Declarations(Guid id, HttpContext http, LedsagDb db, AuditLog audit, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Coordinator, Role.Administrator, Role.Caseworker);
        await Load(db, audit, actor, id, ct);
        var rows = await db.RelationDeclarations.AsNoTracking().Where(r => r.CompanionId == id).OrderBy(r => r.DeclaredOn).ToListAsync(ct);
        return Results.Ok(rows.Select(DeclarationView));
    }

    /// <summary>The close-relation declaration for one companion and one citizen, before approval or assignment.</summary>
    internal static async Task<IResult> Declare(Guid id, DeclarationRequest? body, HttpContext http, LedsagDb db, AuditLog audit, Access access, Today today, CancellationToken ct) =>
        Results.Created($"/api/companions/{id}/relation-declarations", DeclarationView(await DeclareAsync(Access.Require(http), id, body, db, audit, access, today, ct)));

    /// <summary>Records the declaration for one companion and one citizen; the API, the pages and the demo data all come here.</summary>
    public static async Task<RelationDeclaration> DeclareAsync(Actor actor, Guid id, DeclarationRequest? body, LedsagDb db, AuditLog audit, Access access, Today today, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Coordinator, Role.Caseworker, Role.Administrator);
        var k = await Load(db, audit, actor, id, ct);
        var v = new Validation();
        var relation = v.Enum("relation", body?.Relation, CompanionRules.RelationKeys);
        var description = v.Text("description", body?.Description, required: false, max: 400);
        var declaredOn = v.Date("declaredOn", body?.DeclaredOn, required: false) ?? today.Date;
        if (declaredOn > today.Date)
        {
            v.Add("declaredOn", "Erklæringen kan ikke være afgivet i fremtiden.");
        }
        if (body?.CitizenId is null)
        {
            v.Add("citizenId", "Vælg den borger, erklæringen gælder.");
        }
        v.ThrowIfInvalid();
        var citizen = await access.CitizenAsync(actor, body!.CitizenId!.Value, ct);
        var row = new RelationDeclaration
        {
            MunicipalityId = k.MunicipalityId, CompanionId = k.Id, CitizenId = citizen.Id, Relation = relation!, Description = description,
            DeclaredOn = declaredOn, RecordedBy = actor.UserId, RecordedAt = today.Now,
        };
        if (await db.RelationDeclarations.AnyAsync(r => r.CompanionId == k.Id && r.CitizenId == citizen.Id, ct))
        {
            throw ProblemException.Conflict("Der er allerede en erklæring om nærtstående for ledsageren og borgeren.", "RELATION_ALREADY_DECLARED");
        }
        db.RelationDeclarations.Add(row);
        audit.Add(db, actor, "relation-declaration", "companion", id.ToString());
        try
        {
            await audit.SaveAsync(db, ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            throw ProblemException.Conflict("Der er allerede en erklæring om nærtstående for ledsageren og borgeren.", "RELATION_ALREADY_DECLARED");
        }
        return row;
    }

    private static async Task<IResult> ListProviders(HttpContext http, LedsagDb db, CancellationToken ct) =>
        Results.Ok((await ProvidersAsync(Access.Require(http), db, ct)).Select(ProviderView));

    /// <summary>The municipality's providers by name; the API and the providers page both come here.</summary>
    public static async Task<List<Provider>> ProvidersAsync(Actor actor, LedsagDb db, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Coordinator, Role.Administrator, Role.Caseworker, Role.Finance);
        return await db.Providers.AsNoTracking().Where(p => p.MunicipalityId == actor.MunicipalityId).OrderBy(p => p.Name).ToListAsync(ct);
    }

    private static ProviderSummary ProviderView(Provider p) => new(p.Id, p.Name, p.Cvr, p.ContactName, p.Phone, p.Email);

    private static async Task<IResult> CreateProvider(ProviderRequest? body, HttpContext http, LedsagDb db, AuditLog audit, Today today, CancellationToken ct)
    {
        var row = await CreateProviderAsync(Access.Require(http), body, db, audit, today, ct);
        return Results.Created($"/api/providers/{row.Id}", ProviderView(row));
    }

    /// <summary>
    /// A provider the municipality works with: name, CVR (eight digits) and a contact; the API, the providers page and the
    /// demo data all come here.
    /// </summary>
    public static async Task<Provider> CreateProviderAsync(Actor actor, ProviderRequest? body, LedsagDb db, AuditLog audit, Today today, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Coordinator, Role.Administrator);
        var v = new Validation();
        var name = v.Name("name", body?.Name);
        var cvr = v.Text("cvr", body?.Cvr, max: 20)?.Replace(" ", "", StringComparison.Ordinal);
        if (cvr is not null && !Domain.Cvr.IsValid(cvr))
        {
            v.Add("cvr", "CVR-nummeret skal være 8 cifre og et gyldigt CVR-nummer (kontrolcifferet passer ikke).");
        }
        // A contact is optional: left empty (as a page's blank field sends it) it is none.
        var contact = string.IsNullOrWhiteSpace(body?.ContactName) ? null : v.Name("contactName", body.ContactName);
        var phone = v.Text("phone", body?.Phone, required: false, max: 40);
        var email = v.Text("email", body?.Email, required: false, max: 200);
        if (phone is not null && !Fields.LooksLikePhone(phone))
        {
            v.Add("phone", "Skriv telefonnummeret med cifre, fx 44 77 34 43.");
        }
        if (email is not null && !Fields.LooksLikeEmail(email))
        {
            v.Add("email", "Skriv en e-mailadresse, fx navn@firma.dk.");
        }
        v.ThrowIfInvalid();
        if (await db.Providers.AnyAsync(p => p.MunicipalityId == actor.MunicipalityId && p.Cvr == cvr, ct))
        {
            throw ProblemException.Conflict("En leverandør med det CVR-nummer er allerede registreret.", "PROVIDER_EXISTS");
        }
        var row = new Provider { MunicipalityId = actor.MunicipalityId, Name = name!, Cvr = cvr!, ContactName = contact, Phone = phone, Email = email, CreatedAt = today.Now };
        db.Providers.Add(row);
        audit.Add(db, actor, "create", "provider", row.Id.ToString());
        try
        {
            await audit.SaveAsync(db, ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            throw ProblemException.Conflict("En leverandør med det CVR-nummer er allerede registreret.", "PROVIDER_EXISTS");
        }
        return row;
    }

    private static async Task<IResult> Approve(Guid id, HttpContext http, LedsagDb db, AuditLog audit, Standards standards, Today today, CancellationToken ct) =>
        Results.Ok(View(await ApproveAsync(Access.Require(http), id, db, audit, standards, today, ct), showCpr: true));

    /// <summary>Approves an applicant under the standard's rules; the API and the coordinator's page both come here.</summary>
    public static async Task<Companion> ApproveAsync(Actor actor, Guid id, LedsagDb db, AuditLog audit, Standards standards, Today today, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Coordinator, Role.Administrator);
        var k = await Load(db, audit, actor, id, ct);
        if (k.Status != CompanionStatus.Applicant)
        {
            throw ProblemException.Conflict("Kun en ansøger kan godkendes.", "WRONG_STATUS");
        }
        var v = new Validation();
        await CompanionRules.RequireApprovableAsync(v, db, standards.For(k.MunicipalityId), k, today.Date, ct);
        v.ThrowIfInvalid();
        k.Status = CompanionStatus.Approved;
        audit.Add(db, actor, "approve", "companion", id.ToString());
        await audit.SaveAsync(db, ct);
        return k;
    }

    internal static async Task<IResult> Employ(Guid id, EmployRequest? body, HttpContext http, LedsagDb db, AuditLog audit, Standards standards, Today today, CancellationToken ct) =>
        Results.Ok(View(await EmployAsync(Access.Require(http), id, body, db, audit, standards, today, ct), showCpr: true));

    /// <summary>Employs an approved companion under the standard's employer rule; the API, the pages and the demo data all come here.</summary>
    public static async Task<Companion> EmployAsync(Actor actor, Guid id, EmployRequest? body, LedsagDb db, AuditLog audit, Standards standards, Today today, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Coordinator, Role.Administrator);
        var v = new Validation();
        var employer = v.Enum("employer", body?.Employer, CompanionRules.EmployerKeys, required: false);
        var reason = v.Text("reason", body?.Reason, required: false, max: 400);
        v.ThrowIfInvalid();
        var k = await Load(db, audit, actor, id, ct);
        if (k.Status != CompanionStatus.Approved)
        {
            throw ProblemException.Conflict("Ledsageren skal være godkendt, før ansættelse.", "WRONG_STATUS");
        }
        var providerId = (employer ?? k.Employer) == "provider" ? body?.ProviderId ?? k.ProviderId : null;
        await CompanionRules.RequireEmployerAsync(v, db, standards.For(k.MunicipalityId), k.MunicipalityId, employer ?? k.Employer, providerId, reason, today.Date, ct);
        v.ThrowIfInvalid();
        k.Employer = employer ?? k.Employer;
        k.ProviderId = providerId;
        k.Status = CompanionStatus.Employed;
        k.Version++; // a parallel employment read the same version and fails on saving
        audit.Add(db, actor, "employ", "companion", id.ToString(), k.Employer);
        try
        {
            await audit.SaveAsync(db, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            throw ProblemException.Conflict("Ledsageren blev ansat samtidig af en anden. Hent ledsageren igen.", "WRONG_STATUS");
        }
        return k;
    }

    private static async Task<IResult> End(Guid id, ReasonRequest? body, HttpContext http, LedsagDb db, AuditLog audit, Today today, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Coordinator, Role.Administrator);
        var k = await Load(db, audit, actor, id, ct); // what is not yours is refused before its input is judged
        var v = new Validation();
        var reason = v.Text("reason", body?.Reason, max: 400);
        v.ThrowIfInvalid();
        k.Status = CompanionStatus.Ended;
        foreach (var a in await db.Assignments.Where(a => a.CompanionId == id && a.EndedOn == null).ToListAsync(ct))
        {
            a.EndedOn = today.Date;
        }
        audit.Add(db, actor, "end", "companion", id.ToString(), reason);
        await audit.SaveAsync(db, ct);
        return Results.Ok(View(k, showCpr: true));
    }

    /// <summary>Ranked suggestions for a citizen: area, the citizen's needs and language, availability, and how busy the companion is.</summary>
    private static async Task<IResult> Suggestions(Guid id, HttpContext http, LedsagDb db, Access access, AuditLog audit, CancellationToken ct) =>
        Results.Ok(await SuggestionsAsync(Access.Require(http), id, db, access, audit, ct));

    public sealed record Suggestion(Guid CompanionId, string Name, string Status, int Score, IReadOnlyList<string> Reasons);

    private static readonly string[] Weekdays = ["mandage", "tirsdage", "onsdage", "torsdage", "fredage", "lørdage", "søndage"];

    /// <summary>Ranked companions for a citizen; the API and the coordinator's page both come here.</summary>
    public static async Task<IReadOnlyList<Suggestion>> SuggestionsAsync(Actor actor, Guid id, LedsagDb db, Access access, AuditLog audit, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Coordinator, Role.Administrator, Role.Caseworker);
        var citizen = await access.CitizenAsync(actor, id, ct);
        access.Read(actor, "citizen", id);
        await audit.SaveAsync(db, ct);
        var candidates = await db.Companions.Where(k => k.MunicipalityId == actor.MunicipalityId && (k.Status == CompanionStatus.Approved || k.Status == CompanionStatus.Employed)).ToListAsync(ct);
        var load = await db.Assignments.Where(a => a.EndedOn == null).GroupBy(a => a.CompanionId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var ranked = candidates.Select(k =>
        {
            var reasons = new List<string>();
            var score = 0;
            if (citizen.Area is not null && string.Equals(k.Area, citizen.Area, StringComparison.OrdinalIgnoreCase)) { score += 3; reasons.Add("samme område"); }
            if (citizen.NeedsWheelchairHelp && k.WheelchairExperience) { score += 2; reasons.Add("erfaring med kørestol"); }
            if (citizen.NeedsWheelchairHelp && !k.WheelchairExperience) { score -= 2; reasons.Add("mangler erfaring med kørestol"); }
            if (citizen.WantsDriver && k.DrivingLicence) { score += 2; reasons.Add("har kørekort"); }
            if (citizen.PreferredLanguage is { } lang && (k.Languages ?? "").Contains(lang, StringComparison.OrdinalIgnoreCase)) { score += 2; reasons.Add($"taler {lang}"); }
            var days = (k.Availability ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).Where(d => d is >= 1 and <= 7).Order().ToList();
            score += days.Count / 2;
            if (days.Count > 0) { reasons.Add($"ledig {Letters.Danish.List(days.Select(d => Weekdays[d - 1]).ToList())}"); }
            var busy = load.GetValueOrDefault(k.Id);
            score -= busy;
            if (busy > 0) { reasons.Add(busy == 1 ? "ledsager allerede én borger" : $"ledsager allerede {busy} borgere"); }
            else { reasons.Add("ledsager ingen borgere endnu"); }
            if (k.Status == CompanionStatus.Employed) { score += 1; reasons.Add("allerede ansat"); }
            return new Suggestion(k.Id, k.Name, k.Status.ToString(), score, reasons);
        }).OrderByDescending(x => x.Score).ThenBy(x => x.Name).ToList();
        return ranked;
    }

    internal static async Task<IResult> Propose(ProposalRequest? body, HttpContext http, LedsagDb db, Access access, AuditLog audit, Today today, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Coordinator, Role.Administrator);
        var v = new Validation();
        var on = v.Date("proposedOn", body?.ProposedOn, required: false) ?? today.Date;
        if (body?.CitizenId is null) { v.Add("citizenId", "Skal udfyldes."); }
        if (body?.CompanionId is null) { v.Add("companionId", "Skal udfyldes."); }
        v.ThrowIfInvalid();
        var citizen = await access.CitizenAsync(actor, body!.CitizenId!.Value, ct);
        var k = await Load(db, audit, actor, body.CompanionId!.Value, ct);
        if (k.Status is not (CompanionStatus.Approved or CompanionStatus.Employed))
        {
            throw ProblemException.Invalid("companionId", "Kun godkendte ledsagere kan foreslås.");
        }
        var p = new MatchProposal { MunicipalityId = actor.MunicipalityId, CitizenId = citizen.Id, CompanionId = k.Id, ProposedOn = on };
        db.MatchProposals.Add(p);
        audit.Add(db, actor, "propose", "match", p.Id.ToString());
        await audit.SaveAsync(db, ct);
        return Results.Created($"/api/match-proposals/{p.Id}", ProposalView(p));
    }

    private static MatchProposalView ProposalView(MatchProposal p) =>
        new(p.Id, p.CitizenId, p.CompanionId, p.ProposedOn.Iso(), p.MeetingOn?.Iso(), p.Outcome, p.OutcomeNote);

    private static async Task<MatchProposal> LoadProposal(LedsagDb db, AuditLog audit, Actor actor, Guid id, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Coordinator, Role.Administrator);
        var p = await db.MatchProposals.FirstOrDefaultAsync(x => x.Id == id, ct);
        if (p is null || p.MunicipalityId != actor.MunicipalityId)
        {
            throw await Access.DeniedAsync(db, audit, actor, "match", id, ct);
        }
        return p;
    }

    internal static async Task<IResult> Meeting(Guid id, MeetingRequest? body, HttpContext http, LedsagDb db, AuditLog audit, CancellationToken ct)
    {
        var actor = Access.Require(http);
        var p = await LoadProposal(db, audit, actor, id, ct);
        var v = new Validation();
        var on = v.Date("meetingOn", body?.MeetingOn);
        v.ThrowIfInvalid();
        if (on < p.ProposedOn)
        {
            throw ProblemException.Invalid("meetingOn", "Mødet kan ikke ligge før forslaget.");
        }
        p.MeetingOn = on;
        audit.Add(db, actor, "meeting", "match", id.ToString(), on!.Value.Iso());
        await audit.SaveAsync(db, ct);
        return Results.Ok(ProposalView(p));
    }

    internal static async Task<IResult> Outcome(Guid id, OutcomeRequest? body, HttpContext http, LedsagDb db, AuditLog audit, Standards standards, Today today, CancellationToken ct)
    {
        var actor = Access.Require(http);
        var p = await LoadProposal(db, audit, actor, id, ct);
        var v = new Validation();
        var outcome = v.Enum("outcome", body?.Outcome, Outcomes);
        var note = v.Text("note", body?.Note, required: false, max: 1000);
        v.ThrowIfInvalid();
        if (p.Outcome is not null)
        {
            throw ProblemException.Conflict("Forslaget har allerede et udfald.", "ALREADY_DECIDED");
        }
        p.Outcome = outcome;
        p.OutcomeNote = note;
        if (outcome == "accepted")
        {
            var k = await db.Companions.FirstAsync(x => x.Id == p.CompanionId, ct);
            await CompanionRules.RequireAssignableAsync(db, standards.For(p.MunicipalityId), k, p.CitizenId, today.Date, ct);
            if (!await db.Assignments.AnyAsync(a => a.CompanionId == p.CompanionId && a.CitizenId == p.CitizenId && a.EndedOn == null, ct))
            {
                db.Assignments.Add(new Assignment { CompanionId = p.CompanionId, CitizenId = p.CitizenId, From = today.Date });
            }
        }
        audit.Add(db, actor, "match-" + outcome, "match", id.ToString());
        try
        {
            await audit.SaveAsync(db, ct);
        }
        catch (DbUpdateException)
        {
            // A parallel answer went first (the outcome is a concurrency token; the running assignment is unique).
            db.ChangeTracker.Clear();
            throw ProblemException.Conflict("Forslaget har allerede et udfald.", "ALREADY_DECIDED");
        }
        return Results.Ok(ProposalView(p));
    }

    private static async Task<IResult> Schedule(HttpContext http, LedsagDb db, Standards standards, Today today, string? from, string? to, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Companion);
        var v = new Validation();
        var first = v.Date("from", from, required: false) ?? today.Date.PlusDays(-30);
        var last = v.Date("to", to, required: false) ?? today.Date.PlusDays(60);
        v.ThrowIfInvalid();
        var (planned, done) = await ScheduleAsync(db, actor.CompanionId!.Value, first, last, ct);
        var citizens = await CitizenNamesAsync(db, actor.CompanionId!.Value, ct);
        var mine = await db.Companions.FirstAsync(k => k.Id == actor.CompanionId, ct);
        var mustNot = standards.For(mine.MunicipalityId).Get<IReadOnlyList<string>>(Parameters.CompanionMustNot, today.Date);
        return Results.Ok(new CompanionSchedule(
            $"/calendar/{mine.FeedToken}.ics",
            // The standard's «må ikke» list, shown where the companion registers.
            mustNot.Value, mustNot.Value.Count == 0 ? null : Letters.LetterService.CitableSources(standards.For(mine.MunicipalityId), mustNot.Source),
            citizens.Select(c => new ScheduleCitizen(c.Key, c.Value.Name, c.Value.GrantId)).ToList(),
            planned.Select(SessionEndpoints.PlanView).ToList(),
            done.Select(s => new CompletedSession(s.Id, s.GrantId, s.Date.Iso(), s.StartTime?.ToString("HH:mm", null), s.EndTime?.ToString("HH:mm", null), s.Minutes / 60m, s.Activity, s.Km, s.ConfirmedAt is not null)).ToList()));
    }

    private static async Task<(List<PlannedSession> Planned, List<SessionRow> Done)> ScheduleAsync(LedsagDb db, Guid companionId, LocalDate from, LocalDate to, CancellationToken ct)
    {
        var planned = await db.PlannedSessions.Where(p => p.CompanionId == companionId && p.CancelledAt == null && p.Date >= from && p.Date <= to)
            .OrderBy(p => p.Date).ThenBy(p => p.Start).ToListAsync(ct);
        var done = GrantEndpoints.Standing(await db.Sessions.Where(s => s.CompanionId == companionId && s.Date >= from && s.Date <= to).ToListAsync(ct))
            .OrderBy(s => s.Date).ThenBy(s => s.StartTime).ToList();
        return (planned, done);
    }

    private static async Task<Dictionary<Guid, (string Name, Guid? GrantId)>> CitizenNamesAsync(LedsagDb db, Guid companionId, CancellationToken ct)
    {
        var rows = await db.Assignments.Where(a => a.CompanionId == companionId && a.EndedOn == null)
            .Join(db.Citizens, a => a.CitizenId, c => c.Id, (a, c) => new { c.Id, c.Name })
            .ToListAsync(ct);
        var grants = await db.Grants.Where(g => rows.Select(r => r.Id).Contains(g.CitizenId) && g.EndReason == null).ToListAsync(ct);
        return rows.DistinctBy(r => r.Id).ToDictionary(r => r.Id, r => (r.Name, grants.FirstOrDefault(g => g.CitizenId == r.Id)?.Id));
    }

    /// <summary>The companion's calendar as iCalendar (RFC 5545), at a secret address a calendar app can subscribe to.</summary>
    private static async Task<IResult> Feed(string token, LedsagDb db, Today today, Standards standards, CancellationToken ct)
    {
        var k = await db.Companions.FirstOrDefaultAsync(x => x.FeedToken == token && x.Status != CompanionStatus.Ended, ct);
        if (k is null)
        {
            return Results.Problem(statusCode: 404, title: "Findes ikke");
        }
        var (planned, done) = await ScheduleAsync(db, k.Id, today.Date.PlusDays(-60), today.Date.PlusDays(180), ct);
        var grantCitizens = await db.Grants.Where(g => planned.Select(p => p.GrantId).Concat(done.Select(d => d.GrantId)).Contains(g.Id))
            .Join(db.Citizens, g => g.CitizenId, c => c.Id, (g, c) => new { g.Id, c.Name }).ToDictionaryAsync(x => x.Id, x => x.Name.Split(' ')[0], ct);
        var ics = new StringBuilder();
        ics.Append("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Ledsag//Ledsageordning//DA\r\nCALSCALE:GREGORIAN\r\nX-WR-CALNAME:Ledsagelser\r\n");
        // The times are Danish local time; the zone is described so every calendar app shows them right (RFC 5545 § 3.6.5).
        ics.Append("BEGIN:VTIMEZONE\r\nTZID:Europe/Copenhagen\r\n")
            .Append("BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n")
            .Append("BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n")
            .Append("END:VTIMEZONE\r\n");
        var activities = standards.For(k.MunicipalityId).National.Activities;
        string Activity(string code) => activities.TryGetValue(code, out var a) ? a.Label.ToLowerInvariant() : code;
        var stamp = today.Now.ToDateTimeUtc().ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        void Event(Guid id, LocalDate date, LocalTime? start, LocalTime? end, string summary, string? description = null)
        {
            ics.Append("BEGIN:VEVENT\r\n").Append($"UID:{id}@ledsag\r\nDTSTAMP:{stamp}\r\n");
            if (start is { } s && end is { } e)
            {
                ics.Append($"DTSTART;TZID=Europe/Copenhagen:{date.At(s):yyyyMMdd'T'HHmmss}\r\nDTEND;TZID=Europe/Copenhagen:{date.At(e):yyyyMMdd'T'HHmmss}\r\n");
            }
            else
            {
                ics.Append($"DTSTART;VALUE=DATE:{date:yyyyMMdd}\r\n");
            }
            ics.Append($"SUMMARY:{Escape(summary)}\r\n");
            if (!string.IsNullOrWhiteSpace(description))
            {
                ics.Append($"DESCRIPTION:{Escape(description)}\r\n");
            }
            ics.Append("END:VEVENT\r\n");
        }
        foreach (var p in planned)
        {
            Event(p.Id, p.Date, p.Start, p.End, $"Ledsagelse med {grantCitizens.GetValueOrDefault(p.GrantId, "borger")}: {Activity(p.Activity)}", p.Note);
        }
        foreach (var s in done)
        {
            Event(s.Id, s.Date, s.StartTime, s.EndTime, $"Gennemført ledsagelse med {grantCitizens.GetValueOrDefault(s.GrantId, "borger")}: {Activity(s.Activity)}");
        }
        ics.Append("END:VCALENDAR\r\n");
        return Results.Text(ics.ToString(), "text/calendar; charset=utf-8");
    }

    private static string Escape(string s) => s.Replace("\\", "\\\\").Replace(";", "\\;").Replace(",", "\\,").Replace("\r", "").Replace("\n", "\\n");
}
