using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Ledsag.Web.Features;

/// <summary>
/// The administrator's user administration, within their own municipality: list, create (a local account with a
/// one-time password shown once, or a binding to the municipality's login), change role, disable and enable, reset
/// the password. Every change ends the user's cookies (a new security stamp) and is written to the audit log. A
/// municipality always keeps an active administrator. The API and the administrator's page both come here.
/// </summary>
public static class UserEndpoints
{
    public sealed record CreateUserRequest([property: Required] string? DisplayName, [property: Required] string? UserName,
        [property: Required, OneOf(typeof(UserEndpoints), nameof(StaffRoles))] string? Role, [property: OneOf(typeof(UserEndpoints), nameof(Logins))] string? Login, string? ExternalSubject, string? Phone, string? Email);
    public sealed record RoleRequest([property: Required, OneOf(typeof(UserEndpoints), nameof(StaffRoles))] string? Role);
    public sealed record UserView(Guid Id, string DisplayName, string UserName, string Role, string RoleName, string Login, bool Disabled, string? Phone, string? Email);

    /// <summary>A user just made or given a new password: the password is here once, and nowhere else (only its hash is stored).</summary>
    public sealed record UserWithPassword(UserView User, string? OneTimePassword);

    /// <summary>The roles an administrator gives here. Citizens and companions are people Ledsag holds records of; their sign-in is bound to that record, not made here.</summary>
    /// <summary>How a user signs in: a local password, or the municipality's identity provider (with the external subject).</summary>
    internal static readonly IReadOnlyList<string> Logins = ["local", "municipal"];

    public static readonly IReadOnlyList<Role> StaffRoles = [Role.Administrator, Role.Caseworker, Role.Coordinator, Role.Finance];

    public const string LinkedRolesReason =
        "Borgere og ledsagere oprettes ikke som brugere her: deres adgang skal høre til en bestemt borger eller ledsager i Ledsag, og den kobling laves ikke på denne side.";

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/admin/users").WithTags("Brugere").RequireAuthorization();
        api.MapGet("/", List).WithName("ListUsers").Produces<IReadOnlyList<UserView>>();
        api.MapPost("/", Create).WithName("CreateUser").Produces<UserWithPassword>(201).ProducesProblem(409).ProducesProblem(422);
        api.MapPost("/{id:guid}/role", ChangeRole).WithName("ChangeUserRole").Produces<UserView>().ProducesProblem(422);
        api.MapPost("/{id:guid}/disable", Disable).WithName("DisableUser").Produces<UserView>().ProducesProblem(422);
        api.MapPost("/{id:guid}/enable", Enable).WithName("EnableUser").Produces<UserView>().ProducesProblem(422);
        api.MapPost("/{id:guid}/reset-password", ResetPassword).WithName("ResetUserPassword").Produces<UserWithPassword>().ProducesProblem(422);
    }

    /// <summary>A role in the words the pages use.</summary>
    public static string RoleName(Role r) => r switch
    {
        Role.Administrator => "Administrator",
        Role.Caseworker => "Sagsbehandler",
        Role.Coordinator => "Ledsagerkoordinator",
        Role.Companion => "Ledsager",
        Role.Citizen => "Borger",
        _ => "Økonomimedarbejder",
    };

    private static async Task<IResult> List(HttpContext http, LedsagDb db, CancellationToken ct) => Results.Ok(await UsersAsync(Access.Require(http), db, ct));

    private static async Task<IResult> Create(CreateUserRequest? body, HttpContext http, LedsagDb db, Passwords passwords, AuditLog audit, CancellationToken ct)
    {
        var created = await CreateAsync(Interactive(http), body, db, passwords, audit, ct);
        return Results.Created($"/api/admin/users/{created.User.Id}", created);
    }

    private static async Task<IResult> ChangeRole(Guid id, RoleRequest? body, HttpContext http, LedsagDb db, AuditLog audit, KeyedLocks locks, CancellationToken ct) =>
        Results.Ok(await ChangeRoleAsync(Interactive(http), id, body, db, audit, locks, ct));

    private static async Task<IResult> Disable(Guid id, HttpContext http, LedsagDb db, AuditLog audit, Today today, KeyedLocks locks, CancellationToken ct) =>
        Results.Ok(await DisableAsync(Access.Require(http), id, db, audit, today, locks, ct));

    private static async Task<IResult> Enable(Guid id, HttpContext http, LedsagDb db, AuditLog audit, CancellationToken ct) =>
        Results.Ok(await EnableAsync(Interactive(http), id, db, audit, ct));

    private static async Task<IResult> ResetPassword(Guid id, HttpContext http, LedsagDb db, Passwords passwords, AuditLog audit, CancellationToken ct) =>
        Results.Ok(await ResetPasswordAsync(Interactive(http), id, db, passwords, audit, ct));

    /// <summary>
    /// An administrator signed in by hand. What gives access (a new user, a role, an account opened again, a new
    /// password) is not done with an integration token: a leaked token could otherwise make itself an administrator's
    /// sign-in and outlive its own revocation, as a token making tokens could. Disabling a user stays open to tokens.
    /// </summary>
    private static Actor Interactive(HttpContext http)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Administrator);
        if (http.User.Identity?.AuthenticationType == Authentication.TokenScheme)
        {
            throw new ProblemException(StatusCodes.Status403Forbidden,
                "Et token kan ikke oprette brugere, ændre roller, åbne brugere igen eller nulstille adgangskoder; log ind som administrator.", code: "TOKEN_NOT_ALLOWED");
        }
        return actor;
    }

    /// <summary>The municipality's users, administrators first, then by name.</summary>
    public static async Task<IReadOnlyList<UserView>> UsersAsync(Actor actor, LedsagDb db, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Administrator);
        var users = await db.Users.AsNoTracking().Where(u => u.MunicipalityId == actor.MunicipalityId).ToListAsync(ct);
        return users.OrderBy(u => u.Role).ThenBy(u => u.DisplayName, StringComparer.Ordinal).ThenBy(u => u.UserName, StringComparer.Ordinal).Select(View).ToList();
    }

    /// <summary>
    /// Creates a staff user. A local account gets a generated password, returned once; a user of the municipality's
    /// login is bound to the subject the municipality's identity provider gives them. A user name is taken once in the
    /// whole system, whatever its case: names are stored in small letters, and the unique index decides a race.
    /// </summary>
    public static async Task<UserWithPassword> CreateAsync(Actor actor, CreateUserRequest? body, LedsagDb db, Passwords passwords, AuditLog audit, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Administrator);
        var v = new Validation();
        var displayName = v.Name("displayName", body?.DisplayName, max: 200);
        var userName = UserName(v, body?.UserName);
        var role = StaffRole(v, "role", body?.Role);
        var (phone, email) = Contact(v, body?.Phone, body?.Email);
        string? subject = null;
        switch (body?.Login?.Trim())
        {
            case null or "" or "local":
                break;
            case "municipal":
                subject = v.Name("externalSubject", body.ExternalSubject, max: 200);
                break;
            default:
                v.Add("login", "Vælg lokal konto eller kommunens login.");
                break;
        }
        v.ThrowIfInvalid();
        if (await db.Users.AnyAsync(u => u.UserName.ToLower() == userName, ct))
        {
            throw UserNameTaken(userName!);
        }
        if (subject is not null && await db.Users.AnyAsync(u => u.ExternalSubject == subject, ct))
        {
            throw new ProblemException(StatusCodes.Status422UnprocessableEntity, "Ugyldige oplysninger",
                new Dictionary<string, string[]> { ["externalSubject"] = ["Dette login er allerede knyttet til en anden bruger."] }, "SUBJECT_TAKEN");
        }
        var user = new User
        {
            MunicipalityId = actor.MunicipalityId, UserName = userName!, DisplayName = displayName!, Role = role!.Value, Phone = phone, Email = email, ExternalSubject = subject,
        };
        var password = subject is null ? NewPassword() : null;
        if (password is not null)
        {
            user.PasswordHash = passwords.Hash(user, password);
        }
        db.Users.Add(user);
        audit.Add(db, actor, "create", "user", user.Id.ToString(), $"{user.UserName}: {RoleName(user.Role)}, {(subject is null ? "lokal konto" : "kommunens login")}");
        try
        {
            await audit.SaveAsync(db, ct);
        }
        catch (DbUpdateException)
        {
            // The same name made at the same moment by another request: the unique index said no.
            db.ChangeTracker.Clear();
            throw UserNameTaken(userName!);
        }
        return new UserWithPassword(View(user), password);
    }

    /// <summary>Gives a user another staff role. Their cookies stop working, so the new role applies from their next sign-in.</summary>
    public static async Task<UserView> ChangeRoleAsync(Actor actor, Guid id, RoleRequest? body, LedsagDb db, AuditLog audit, KeyedLocks locks, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Administrator);
        using var gate = await locks.AcquireAsync(AdministratorsKey(actor.MunicipalityId), ct);
        // Another municipality's user is 404 whatever the body says: what is not yours looks like what does not exist.
        var user = await FindAsync(actor, id, db, audit, ct);
        var v = new Validation();
        var role = StaffRole(v, "role", body?.Role);
        v.ThrowIfInvalid();
        if (user.Role is Role.Citizen or Role.Companion)
        {
            throw new ProblemException(StatusCodes.Status422UnprocessableEntity, "Rollen kan ikke ændres",
                new Dictionary<string, string[]> { ["role"] = [$"{user.DisplayName} er knyttet til en {RoleName(user.Role).ToLowerInvariant()} i Ledsag og kan ikke få en medarbejderrolle."] }, "LINKED_ROLE");
        }
        if (user.Role == role)
        {
            return View(user);
        }
        if (user.Role == Role.Administrator)
        {
            if (user.Id == actor.UserId)
            {
                throw Refused("role", "Du kan ikke fjerne din egen rolle som administrator. Bed en anden administrator om det.", "OWN_ADMINISTRATOR");
            }
            await RequireAnotherAdministratorAsync(actor, user, db, "role", ct);
        }
        audit.Add(db, actor, "change-role", "user", user.Id.ToString(), $"{user.UserName}: {RoleName(user.Role)} → {RoleName(role!.Value)}");
        user.Role = role!.Value;
        user.SecurityStamp = NewStamp();
        await audit.SaveAsync(db, ct);
        return View(user);
    }

    /// <summary>Disables an account: it cannot sign in, and its cookies and integration tokens stop working at once.</summary>
    public static async Task<UserView> DisableAsync(Actor actor, Guid id, LedsagDb db, AuditLog audit, Today today, KeyedLocks locks, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Administrator);
        using var gate = await locks.AcquireAsync(AdministratorsKey(actor.MunicipalityId), ct);
        var user = await FindAsync(actor, id, db, audit, ct);
        if (user.Id == actor.UserId)
        {
            throw Refused("user", "Du kan ikke deaktivere dig selv. Bed en anden administrator om det.", "OWN_ACCOUNT");
        }
        if (user.DisabledAt is not null)
        {
            return View(user);
        }
        if (user.Role == Role.Administrator)
        {
            await RequireAnotherAdministratorAsync(actor, user, db, "user", ct);
        }
        user.DisabledAt = today.Now;
        user.SecurityStamp = NewStamp();
        audit.Add(db, actor, "disable", "user", user.Id.ToString(), user.UserName);
        await audit.SaveAsync(db, ct);
        return View(user);
    }

    /// <summary>Enables a disabled account again; it signs in anew (its old cookies stay invalid).</summary>
    public static async Task<UserView> EnableAsync(Actor actor, Guid id, LedsagDb db, AuditLog audit, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Administrator);
        var user = await FindAsync(actor, id, db, audit, ct);
        if (user.DisabledAt is null)
        {
            return View(user);
        }
        user.DisabledAt = null;
        user.SecurityStamp = NewStamp();
        audit.Add(db, actor, "enable", "user", user.Id.ToString(), user.UserName);
        await audit.SaveAsync(db, ct);
        return View(user);
    }

    /// <summary>Gives a local account a new one-time password, returned once; the old password and every cookie stop working.</summary>
    public static async Task<UserWithPassword> ResetPasswordAsync(Actor actor, Guid id, LedsagDb db, Passwords passwords, AuditLog audit, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Administrator);
        var user = await FindAsync(actor, id, db, audit, ct);
        if (user.ExternalSubject is not null)
        {
            throw Refused("user", $"{user.DisplayName} logger ind med kommunens login og har ingen adgangskode i Ledsag.", "EXTERNAL_LOGIN");
        }
        if (user.Role == Role.Citizen)
        {
            throw Refused("user", $"{user.DisplayName} er borger og logger ind med MitID.", "CITIZEN_LOGIN");
        }
        var password = NewPassword();
        user.PasswordHash = passwords.Hash(user, password);
        user.SecurityStamp = NewStamp();
        audit.Add(db, actor, "reset-password", "user", user.Id.ToString(), user.UserName);
        await audit.SaveAsync(db, ct);
        return new UserWithPassword(View(user), password);
    }

    /// <summary>
    /// A one-time password: four groups of four from 31 letters and digits that cannot be mistaken for each other
    /// (no l, 1, o, 0, i), about 79 bits, read aloud or typed from a screen without doubt.
    /// </summary>
    public static string NewPassword()
    {
        const string alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
        var s = new StringBuilder(19);
        for (var i = 0; i < 16; i++)
        {
            if (i > 0 && i % 4 == 0)
            {
                s.Append('-');
            }
            s.Append(alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)]);
        }
        return s.ToString();
    }

    private static UserView View(User u) => new(u.Id, u.DisplayName, u.UserName, u.Role.ToString(), RoleName(u.Role),
        u.ExternalSubject is null ? "local" : "municipal", u.DisabledAt is not null, u.Phone, u.Email);

    private static async Task<User> FindAsync(Actor actor, Guid id, LedsagDb db, AuditLog audit, CancellationToken ct) =>
        await db.Users.FirstOrDefaultAsync(u => u.Id == id && u.MunicipalityId == actor.MunicipalityId, ct)
        ?? throw await Access.DeniedAsync(db, audit, actor, "user", id, ct);

    /// <summary>A municipality never loses its last active administrator: someone must be able to let people in.</summary>
    private static async Task RequireAnotherAdministratorAsync(Actor actor, User user, LedsagDb db, string field, CancellationToken ct)
    {
        if (!await db.Users.AnyAsync(u => u.MunicipalityId == actor.MunicipalityId && u.Role == Role.Administrator && u.DisabledAt == null && u.Id != user.Id, ct))
        {
            throw Refused(field, $"{user.DisplayName} er kommunens sidste aktive administrator. Opret eller genaktivér en anden administrator først.", "LAST_ADMINISTRATOR");
        }
    }

    /// <summary>One lock per municipality around changes that may remove an administrator, so two at once cannot remove the last two.</summary>
    private static Guid AdministratorsKey(string municipality) => new(SHA256.HashData(Encoding.UTF8.GetBytes("administrators:" + municipality)).AsSpan(0, 16));

    private static string NewStamp() => Guid.NewGuid().ToString("N");

    private static ProblemException Refused(string field, string reason, string code) =>
        new(StatusCodes.Status422UnprocessableEntity, reason, new Dictionary<string, string[]> { [field] = [reason] }, code);

    private static ProblemException UserNameTaken(string userName) =>
        new(StatusCodes.Status422UnprocessableEntity, "Ugyldige oplysninger",
            new Dictionary<string, string[]> { ["userName"] = [$"«{userName}» er allerede i brug. Vælg et andet brugernavn."] }, "USERNAME_TAKEN");

    /// <summary>A user name: small letters, digits and . - _ @, at most 100 characters; stored in small letters so «Anna» and «anna» are one name.</summary>
    private static string? UserName(Validation v, string? text)
    {
        var name = v.Text("userName", text, max: 100)?.ToLowerInvariant();
        if (name is not null && !name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '.' or '-' or '_' or '@' or 'æ' or 'ø' or 'å'))
        {
            v.Add("userName", "Brug kun bogstaver, tal og tegnene . - _ @ (ingen mellemrum).");
            return null;
        }
        return name;
    }

    private static Role? StaffRole(Validation v, string field, string? text)
    {
        var t = text?.Trim();
        if (string.IsNullOrEmpty(t))
        {
            v.Add(field, "Vælg en rolle.");
            return null;
        }
        // One role by its name: Enum.TryParse would also take «Caseworker, Citizen» (two names combined into a third) or a number.
        if (Enum.GetValues<Role>().Where(r => string.Equals(r.ToString(), t, StringComparison.OrdinalIgnoreCase)).Cast<Role?>().FirstOrDefault() is not { } role)
        {
            v.Add(field, "Vælg en af rollerne administrator, sagsbehandler, ledsagerkoordinator eller økonomimedarbejder.");
            return null;
        }
        if (!StaffRoles.Contains(role))
        {
            v.Add(field, LinkedRolesReason);
            return null;
        }
        return role;
    }

    private static (string? Phone, string? Email) Contact(Validation v, string? phoneText, string? emailText)
    {
        var phone = v.Text("phone", phoneText, required: false, max: 40);
        var email = v.Text("email", emailText, required: false, max: 200);
        if (phone is not null && !Fields.LooksLikePhone(phone))
        {
            v.Add("phone", "Skriv telefonnummeret med cifre, fx 44 77 34 43.");
        }
        if (email is not null && !Fields.LooksLikeEmail(email))
        {
            v.Add("email", "Skriv en e-mailadresse, fx navn@kommune.dk.");
        }
        return (phone, email);
    }
}
