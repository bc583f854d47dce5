using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Security.Cryptography;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;

namespace Ledsag.Web.Features;

/// <summary>Local sign-in, sign-out, who am I, and integration tokens.</summary>
public static class AuthEndpoints
{
    public sealed record LoginRequest([property: Required] string? UserName, [property: Required] string? Password);
    public sealed record MeResponse(Guid Id, string Name, string Role, string Municipality, Guid? CitizenId, Guid? CompanionId);
    public sealed record TokenRequest([property: Required] string? Name, int? Days);
    public sealed record ContactRequest(string? Phone, string? Email);
    public sealed record ContactView(string? Phone, string? Email);
    public sealed record TokenResponse(Guid Id, string Name, string Token, string ExpiresAt);
    public sealed record TokenView(Guid Id, string Name, string CreatedBy, string CreatedAt, string ExpiresAt, string? RevokedAt);

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth").WithTags("Log ind");
        api.MapPost("/login", Login).AllowAnonymous().WithName("Login").Produces<MeResponse>().ProducesProblem(401).ProducesProblem(429);
        api.MapPost("/logout", async (HttpContext http) =>
        {
            await Authentication.SignOutAsync(http);
            return Results.NoContent();
        }).WithName("Logout").Produces(204);
        app.MapPost("/logout", async (HttpContext http) =>
        {
            await Authentication.SignOutAsync(http);
            return Results.Redirect("/login");
        }).ExcludeFromDescription();
        // The login page's «Log ind med MitID» and «Log ind med kommunens login»: off (404) until configured.
        // A link, not a form: the page's Content-Security-Policy (form-action 'self') would stop a form's redirect to the provider.
        app.MapGet("/login/{provider}", async (string provider, IAuthenticationSchemeProvider schemes) =>
        {
            var scheme = provider switch
            {
                "mitid" => Authentication.CitizenScheme,
                "kommune" => Authentication.StaffScheme,
                _ => null,
            };
            return scheme is null || await schemes.GetSchemeAsync(scheme) is null
                ? Results.NotFound()
                : Results.Challenge(new AuthenticationProperties { RedirectUri = "/" }, [scheme]); // «/» sends each role on to its start page
        }).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/api/me", Me).WithTags("Log ind").RequireAuthorization().WithName("GetMe").Produces<MeResponse>();
        app.MapPost("/api/me/contact", Contact).WithTags("Log ind").RequireAuthorization().WithName("UpdateMyContact").Produces<ContactView>();
        app.MapPost("/api/tokens", CreateToken).WithTags("Log ind").RequireAuthorization().WithName("CreateToken").Produces<TokenResponse>(201);
        app.MapGet("/api/tokens", ListTokens).WithTags("Log ind").RequireAuthorization().WithName("ListTokens").Produces<IReadOnlyList<TokenView>>();
        app.MapPost("/api/tokens/{id:guid}/revoke", RevokeToken).WithTags("Log ind").RequireAuthorization().WithName("RevokeToken").Produces(204);
    }

    private static async Task<IResult> Login(LoginRequest? body, HttpContext http, LedsagDb db, Passwords passwords, AuditLog audit, CancellationToken ct) =>
        Results.Ok(ToMe(await SignInAsync(body, http, db, passwords, audit, ct)));

    /// <summary>Checks the password (throttled, <see cref="LoginThrottle"/>) and signs the user in with the cookie; the API and the login page both come here.</summary>
    public static async Task<User> SignInAsync(LoginRequest? body, HttpContext http, LedsagDb db, Passwords passwords, AuditLog audit, CancellationToken ct)
    {
        var v = new Validation();
        var userName = v.Text("userName", body?.UserName, max: 200);
        var password = v.Text("password", body?.Password, max: 200);
        v.ThrowIfInvalid();
        var throttle = http.RequestServices.GetRequiredService<LoginThrottle>();
        var attempt = throttle.Begin(http, userName!);
        // User names made by an administrator are stored in small letters: «Anna.Holm» signs in as «anna.holm».
        var lower = userName!.ToLowerInvariant();
        var user = await db.Users.FirstOrDefaultAsync(u => u.UserName == userName || u.UserName == lower, ct);
        // The same work and the same answer whether the name exists or not: a hash, an audit entry, one message.
        if (!passwords.Check(user, password!))
        {
            audit.Add(db, user is null ? null : new Actor(user.Id, user.MunicipalityId, user.Role, null, null), "login-failed", "user", user?.Id.ToString());
            await audit.SaveAsync(db, ct);
            throw new ProblemException(StatusCodes.Status401Unauthorized, "Forkert brugernavn eller adgangskode.");
        }
        throttle.Succeeded(http, attempt);
        audit.Add(db, new Actor(user!.Id, user.MunicipalityId, user.Role, null, null), "login", "user", user.Id.ToString());
        await audit.SaveAsync(db, ct);
        await http.SignInAsync(Authentication.CookieScheme, new ClaimsPrincipal(Actor.Identity(user, Authentication.CookieScheme)));
        return user;
    }

    private static async Task<IResult> Me(HttpContext http, LedsagDb db, CancellationToken ct)
    {
        var actor = Access.Require(http);
        var user = await db.Users.FirstAsync(u => u.Id == actor.UserId, ct);
        return Results.Ok(ToMe(user));
    }

    /// <summary>A caseworker's (or other staff member's) direct phone and e-mail, printed on the letters they sign.</summary>
    private static async Task<IResult> Contact(ContactRequest? body, HttpContext http, LedsagDb db, AuditLog audit, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator, Role.Finance, Role.Coordinator);
        var v = new Validation();
        var phone = v.Text("phone", body?.Phone, required: false, max: 40);
        var email = v.Text("email", body?.Email, required: false, max: 200);
        if (phone is not null && !Fields.LooksLikePhone(phone))
        {
            v.Add("phone", "Skriv telefonnummeret med cifre, fx 44 77 34 43.");
        }
        if (email is not null && !Fields.LooksLikeEmail(email))
        {
            v.Add("email", "Skriv en e-mailadresse, fx navn@kommune.dk.");
        }
        v.ThrowIfInvalid();
        var user = await db.Users.FirstAsync(u => u.Id == actor.UserId, ct);
        (user.Phone, user.Email) = (phone, email);
        audit.Add(db, actor, "contact", "user", user.Id.ToString());
        await audit.SaveAsync(db, ct);
        return Results.Ok(new ContactView(phone, email));
    }

    private static async Task<IResult> CreateToken(TokenRequest? body, HttpContext http, LedsagDb db, AuditLog audit, Today today, IConfiguration config, CancellationToken ct)
    {
        var (token, secret) = await CreateTokenAsync(Access.Require(http), body, db, audit, today, config, ct,
            byToken: http.User.Identity?.AuthenticationType == Authentication.TokenScheme);
        return Results.Created($"/api/tokens/{token.Id}", new TokenResponse(token.Id, token.Name, secret, token.ExpiresAt.ToString()));
    }

    /// <summary>Makes an integration token; the secret is returned once and only its hash is stored. The API and the administrator's page both come here.</summary>
    public static async Task<(ApiToken Token, string Secret)> CreateTokenAsync(Actor actor, TokenRequest? body, LedsagDb db, AuditLog audit, Today today, IConfiguration config,
        CancellationToken ct, bool byToken = false)
    {
        Access.RequireRole(actor, Role.Administrator);
        if (byToken)
        {
            // A token cannot make tokens: a leaked one must not be able to outlive its own revocation.
            throw new ProblemException(StatusCodes.Status403Forbidden, "Et token kan ikke oprette nye tokens; log ind som administrator.");
        }
        var v = new Validation();
        var name = v.Name("name", body?.Name, max: 100);
        var days = body?.Days ?? config.GetValue("Security:TokenDays", 90);
        if (days is < 1 or > 365) { v.Add("days", "Et token kan gælde fra 1 til 365 dage."); }
        v.ThrowIfInvalid();
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var token = new ApiToken
        {
            UserId = actor.UserId, Name = name!, TokenHash = Authentication.HashToken(secret), CreatedAt = today.Now, ExpiresAt = today.Now + NodaTime.Duration.FromDays(days),
        };
        db.ApiTokens.Add(token);
        audit.Add(db, actor, "create", "token", token.Id.ToString(), name);
        await audit.SaveAsync(db, ct);
        return (token, secret);
    }

    /// <summary>The municipality's integration tokens with who made each, newest first.</summary>
    public static async Task<IReadOnlyList<(ApiToken Token, string CreatedBy)>> TokenRowsAsync(Actor actor, LedsagDb db, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Administrator);
        var rows = await db.ApiTokens.AsNoTracking().Join(db.Users.Where(u => u.MunicipalityId == actor.MunicipalityId), t => t.UserId, u => u.Id, (t, u) => new { t, u.DisplayName })
            .ToListAsync(ct);
        return rows.OrderByDescending(r => r.t.CreatedAt).Select(r => (r.t, r.DisplayName)).ToList();
    }

    /// <summary>The municipality's integration tokens (never their secrets): name, made by, made, expires, revoked.</summary>
    public static async Task<IReadOnlyList<TokenView>> TokensAsync(Actor actor, LedsagDb db, CancellationToken ct) =>
        (await TokenRowsAsync(actor, db, ct))
            .Select(r => new TokenView(r.Token.Id, r.Token.Name, r.CreatedBy, r.Token.CreatedAt.ToString(), r.Token.ExpiresAt.ToString(), r.Token.RevokedAt?.ToString())).ToList();

    private static async Task<IResult> ListTokens(HttpContext http, LedsagDb db, CancellationToken ct) => Results.Ok(await TokensAsync(Access.Require(http), db, ct));

    private static async Task<IResult> RevokeToken(Guid id, HttpContext http, LedsagDb db, AuditLog audit, Today today, CancellationToken ct)
    {
        await RevokeTokenAsync(Access.Require(http), id, db, audit, today, ct, byToken: http.User.Identity?.AuthenticationType == Authentication.TokenScheme);
        return Results.NoContent();
    }

    /// <summary>Revokes one of the municipality's tokens; it stops working at once. The API and the administrator's page both come here.</summary>
    public static async Task RevokeTokenAsync(Actor actor, Guid id, LedsagDb db, AuditLog audit, Today today, CancellationToken ct, bool byToken = false)
    {
        Access.RequireRole(actor, Role.Administrator);
        if (byToken)
        {
            throw new ProblemException(StatusCodes.Status403Forbidden, "Et token kan ikke tilbagekalde tokens; log ind som administrator.");
        }
        var token = await db.ApiTokens.Where(t => t.Id == id).Join(db.Users.Where(u => u.MunicipalityId == actor.MunicipalityId), t => t.UserId, u => u.Id, (t, _) => t).FirstOrDefaultAsync(ct);
        if (token is null)
        {
            throw await Access.DeniedAsync(db, audit, actor, "token", id, ct);
        }
        token.RevokedAt ??= today.Now;
        audit.Add(db, actor, "revoke", "token", id.ToString(), token.Name);
        await audit.SaveAsync(db, ct);
    }

    private static MeResponse ToMe(User u) => new(u.Id, u.DisplayName, u.Role.ToString(), u.MunicipalityId, u.CitizenId, u.CompanionId);
}
