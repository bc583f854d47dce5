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
    public sealed record LoginRequest(string? UserName, string? Password);
    public sealed record MeResponse(Guid Id, string Name, string Role, string Municipality, Guid? CitizenId, Guid? CompanionId);
    public sealed record TokenRequest(string? Name);
    public sealed record TokenResponse(Guid Id, string Name, string Token);

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth").WithTags("Log ind");
        api.MapPost("/login", Login).AllowAnonymous();
        api.MapPost("/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(Authentication.CookieScheme);
            return Results.NoContent();
        });
        app.MapPost("/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(Authentication.CookieScheme);
            return Results.Redirect("/login");
        }).ExcludeFromDescription();
        app.MapGet("/api/me", Me).WithTags("Log ind").RequireAuthorization();
        app.MapPost("/api/tokens", CreateToken).WithTags("Log ind").RequireAuthorization();
    }

    private static async Task<IResult> Login(LoginRequest? body, HttpContext http, LedsagDb db, Passwords passwords, AuditLog audit, CancellationToken ct) =>
        Results.Ok(ToMe(await SignInAsync(body, http, db, passwords, audit, ct)));

    /// <summary>Checks the password (with lockout) and signs the user in with the cookie; the API and the login page both come here.</summary>
    public static async Task<User> SignInAsync(LoginRequest? body, HttpContext http, LedsagDb db, Passwords passwords, AuditLog audit, CancellationToken ct)
    {
        var v = new Validation();
        var userName = v.Text("userName", body?.UserName, max: 200);
        var password = v.Text("password", body?.Password, max: 200);
        v.ThrowIfInvalid();
        var throttle = http.RequestServices.GetRequiredService<LoginThrottle>();
        throttle.Check(http);
        var user = await db.Users.FirstOrDefaultAsync(u => u.UserName == userName, ct);
        if (user is null || !passwords.Check(user, password!))
        {
            throttle.Failed(http);
            if (user is not null)
            {
                audit.Add(db, new Actor(user.Id, user.MunicipalityId, user.Role, null, null), passwords.IsLocked(user) ? "login-locked" : "login-failed", "user", user.Id.ToString());
                await audit.SaveAsync(db, ct);
            }
            var locked = user is not null && passwords.IsLocked(user);
            throw new ProblemException(StatusCodes.Status401Unauthorized,
                locked ? "Kontoen er midlertidigt låst efter for mange forkerte forsøg. Prøv igen om 15 minutter." : "Forkert brugernavn eller adgangskode.");
        }
        audit.Add(db, new Actor(user.Id, user.MunicipalityId, user.Role, null, null), "login", "user", user.Id.ToString());
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

    private static async Task<IResult> CreateToken(TokenRequest? body, HttpContext http, LedsagDb db, AuditLog audit, Today today, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Administrator);
        var v = new Validation();
        var name = v.Text("name", body?.Name, max: 100);
        v.ThrowIfInvalid();
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var token = new ApiToken { UserId = actor.UserId, Name = name!, TokenHash = Authentication.HashToken(secret), CreatedAt = today.Now };
        db.ApiTokens.Add(token);
        audit.Add(db, actor, "create", "token", token.Id.ToString(), name);
        await audit.SaveAsync(db, ct);
        return Results.Created($"/api/tokens/{token.Id}", new TokenResponse(token.Id, token.Name, secret));
    }

    private static MeResponse ToMe(User u) => new(u.Id, u.DisplayName, u.Role.ToString(), u.MunicipalityId, u.CitizenId, u.CompanionId);
}
