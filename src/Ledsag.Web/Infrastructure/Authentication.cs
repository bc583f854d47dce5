using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Ledsag.Web.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Ledsag.Web.Infrastructure;

/// <summary>
/// Sign-in: local accounts (cookie) for the embedded default, bearer tokens for integrations, and
/// OpenID Connect when configured — the municipality's IdP for staff (<c>Authentication:Staff</c>) and
/// MitID through NemLog-in for citizens (<c>Authentication:Citizen</c>). docs/authentication.md
/// documents the claim mapping. There is no built-in IdP: OIDC is off until configured.
/// </summary>
public static class Authentication
{
    public const string Scheme = "ledsag";
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string TokenScheme = "token";

    public static IServiceCollection AddLedsagAuthentication(this IServiceCollection services, IConfiguration config)
    {
        var auth = services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "Cookie or token", o => o.ForwardDefaultSelector = http =>
                http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? TokenScheme : CookieScheme)
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = "ledsag";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                // Secure whenever the request is HTTPS (production behind TLS); plain HTTP only for the local embedded default.
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.LoginPath = "/login";
                o.Events.OnRedirectToLogin = ctx => Deny(ctx, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = ctx => Deny(ctx, StatusCodes.Status403Forbidden);
            })
            .AddScheme<AuthenticationSchemeOptions, TokenHandler>(TokenScheme, null);

        AddOidc(auth, config, "Staff", "staff", citizen: false);
        AddOidc(auth, config, "Citizen", "mitid", citizen: true);
        services.AddAuthorization();
        return services;
    }

    private static Task Deny(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api"))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    private static void AddOidc(AuthenticationBuilder auth, IConfiguration config, string section, string scheme, bool citizen)
    {
        var s = config.GetSection($"Authentication:{section}");
        if (string.IsNullOrEmpty(s["Authority"]))
        {
            return;
        }
        auth.AddOpenIdConnect(scheme, o =>
        {
            o.Authority = s["Authority"];
            o.ClientId = s["ClientId"];
            o.ClientSecret = s["ClientSecret"];
            o.ResponseType = "code";
            o.UsePkce = true;
            o.SignInScheme = CookieScheme;
            o.CallbackPath = $"/signin-{scheme}";
            o.MapInboundClaims = false;
            foreach (var scope in (s["Scopes"] ?? "openid profile").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                o.Scope.Add(scope);
            }
            o.Events.OnTokenValidated = ctx => MapExternalUser(ctx, s, citizen);
        });
    }

    // An external identity signs in as the local user it is bound to (User.ExternalSubject); staff by the
    // IdP's subject claim, citizens by the CPR claim NemLog-in releases, matched to the citizen record.
    private static async Task MapExternalUser(TokenValidatedContext ctx, IConfigurationSection s, bool citizen)
    {
        var db = ctx.HttpContext.RequestServices.GetRequiredService<LedsagDb>();
        var principal = ctx.Principal!;
        User? user;
        if (citizen)
        {
            var cprClaim = principal.FindFirst(s["CprClaim"] ?? "https://data.gov.dk/model/core/eid/cprNumber")?.Value;
            user = Domain.Cpr.TryParse(cprClaim, out var cpr, out _)
                ? await db.Users.FirstOrDefaultAsync(u => u.Role == Role.Citizen &&
                    db.Citizens.Any(c => c.Id == u.CitizenId && c.Cpr == cpr.Digits))
                : null;
        }
        else
        {
            var subject = principal.FindFirst(s["SubjectClaim"] ?? "sub")?.Value;
            user = subject is null ? null : await db.Users.FirstOrDefaultAsync(u => u.ExternalSubject == subject && u.Role != Role.Citizen);
        }
        if (user is null)
        {
            ctx.Fail("Brugeren er ikke oprettet i Ledsag.");
            return;
        }
        ctx.Principal = new ClaimsPrincipal(Actor.Identity(user, ctx.Scheme.Name));
    }

    public static string HashToken(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Authenticates "Authorization: Bearer ..." against the hashed integration tokens.</summary>
    private sealed class TokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var header = Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                return AuthenticateResult.NoResult();
            }
            var hash = HashToken(header[7..].Trim());
            var db = Context.RequestServices.GetRequiredService<LedsagDb>();
            var user = await db.ApiTokens.Where(t => t.TokenHash == hash && t.RevokedAt == null)
                .Join(db.Users, t => t.UserId, u => u.Id, (_, u) => u).FirstOrDefaultAsync();
            return user is null
                ? AuthenticateResult.Fail("Ugyldigt token")
                : AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(Actor.Identity(user, TokenScheme)), TokenScheme));
        }
    }
}

/// <summary>Local passwords: ASP.NET Core Identity's hasher (PBKDF2), and a lockout after repeated failures.</summary>
public sealed class Passwords(IClock clock)
{
    public const int MaxFailures = 5;
    public static readonly Duration Lockout = Duration.FromMinutes(15);
    private readonly Microsoft.AspNetCore.Identity.PasswordHasher<User> _hasher = new();

    public string Hash(User user, string password) => _hasher.HashPassword(user, password);

    /// <summary>Checks a password; counts failures and locks the account after <see cref="MaxFailures"/>.</summary>
    public bool Check(User user, string password)
    {
        var now = clock.GetCurrentInstant();
        if (user.LockedUntil is { } until && until > now)
        {
            return false;
        }
        var ok = user.PasswordHash is not null &&
                 _hasher.VerifyHashedPassword(user, user.PasswordHash, password) != Microsoft.AspNetCore.Identity.PasswordVerificationResult.Failed;
        if (ok)
        {
            user.FailedLogins = 0;
            user.LockedUntil = null;
        }
        else if (++user.FailedLogins >= MaxFailures)
        {
            user.LockedUntil = now + Lockout;
            user.FailedLogins = 0;
        }
        return ok;
    }

    public bool IsLocked(User user) => user.LockedUntil is { } until && until > clock.GetCurrentInstant();
}

/// <summary>
/// Login rate limiting per client address: after too many failed logins from one address within the
/// window, every login from it is refused with 429 until the window has passed. Lockout
/// (<see cref="Passwords"/>) protects one account; this protects all of them from one guesser.
/// Held in memory per instance (<c>Security:LoginFailuresPerAddress</c>, <c>Security:LoginFailureWindowMinutes</c>).
/// </summary>
public sealed class LoginThrottle(IClock clock, IConfiguration config)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Queue<Instant>> _failures = new();
    private readonly int _limit = config.GetValue("Security:LoginFailuresPerAddress", 30);
    private readonly Duration _window = Duration.FromMinutes(config.GetValue("Security:LoginFailureWindowMinutes", 10));

    private static string Key(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>Throws 429 (with Retry-After) while the address is over its limit.</summary>
    public void Check(HttpContext http)
    {
        if (!_failures.TryGetValue(Key(http), out var queue))
        {
            return;
        }
        Instant? oldest;
        lock (queue)
        {
            Trim(queue);
            oldest = queue.Count >= _limit ? queue.Peek() : null;
        }
        if (oldest is { } first)
        {
            var wait = first + _window - clock.GetCurrentInstant();
            var minutes = Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes));
            throw new ProblemException(StatusCodes.Status429TooManyRequests,
                $"For mange forkerte forsøg på at logge ind fra din forbindelse. Prøv igen om {minutes} {(minutes == 1 ? "minut" : "minutter")}.", code: "LOGIN_RATE_LIMITED")
            {
                RetryAfterSeconds = (int)Math.Ceiling(Math.Max(1, wait.TotalSeconds)),
            };
        }
    }

    public void Failed(HttpContext http)
    {
        var queue = _failures.GetOrAdd(Key(http), _ => new Queue<Instant>());
        lock (queue)
        {
            Trim(queue);
            queue.Enqueue(clock.GetCurrentInstant());
        }
    }

    private void Trim(Queue<Instant> queue)
    {
        var since = clock.GetCurrentInstant() - _window;
        while (queue.Count > 0 && queue.Peek() <= since)
        {
            queue.Dequeue();
        }
    }
}
