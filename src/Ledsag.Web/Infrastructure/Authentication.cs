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
/// documents the claim mapping and a real configuration for each. There is no built-in IdP: OIDC is off until
/// configured (the tests bring their own provider, outside the product).
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
                o.Events.OnValidatePrincipal = ValidateStampAsync;
                o.Events.OnRedirectToLogin = ctx => Deny(ctx, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = ctx => Deny(ctx, StatusCodes.Status403Forbidden);
            })
            .AddScheme<AuthenticationSchemeOptions, TokenHandler>(TokenScheme, null);

        AddOidc(auth, config, "Staff", StaffScheme, citizen: false);
        AddOidc(auth, config, "Citizen", CitizenScheme, citizen: true);
        services.AddAuthorization();
        return services;
    }

    /// <summary>
    /// A cookie works only while its user's security stamp is the one it was issued with and the account is
    /// not disabled: signing out (anywhere), disabling the account or resetting the password ends every cookie.
    /// </summary>
    private static async Task ValidateStampAsync(CookieValidatePrincipalContext ctx)
    {
        var stamp = ctx.Principal?.FindFirst(Actor.StampClaim)?.Value;
        var id = Guid.TryParse(ctx.Principal?.FindFirst(ClaimTypes.NameIdentifier)?.Value, out var g) ? g : Guid.Empty;
        var db = ctx.HttpContext.RequestServices.GetRequiredService<LedsagDb>();
        var current = await db.Users.AsNoTracking().Where(u => u.Id == id && u.DisabledAt == null).Select(u => u.SecurityStamp).FirstOrDefaultAsync(ctx.HttpContext.RequestAborted);
        if (stamp is null || current != stamp)
        {
            ctx.RejectPrincipal();
            await ctx.HttpContext.SignOutAsync(CookieScheme);
        }
    }

    /// <summary>Signs out: the user's security stamp changes, so this cookie and every copy of it stop working.</summary>
    public static async Task SignOutAsync(HttpContext http)
    {
        if (Actor.From(http.User) is { } actor && http.User.Identity?.AuthenticationType != TokenScheme)
        {
            var db = http.RequestServices.GetRequiredService<LedsagDb>();
            await db.Users.Where(u => u.Id == actor.UserId).ExecuteUpdateAsync(u => u.SetProperty(x => x.SecurityStamp, Guid.NewGuid().ToString("N")));
        }
        await http.SignOutAsync(CookieScheme);
    }

    private static Task Deny(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api"))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        // A path on this site, never an absolute address built from the request's Host header.
        var back = Uri.EscapeDataString($"{ctx.Request.PathBase}{ctx.Request.Path}{ctx.Request.QueryString}");
        ctx.Response.Redirect(status == StatusCodes.Status401Unauthorized ? $"/login?ReturnUrl={back}" : "/ingen-adgang");
        return Task.CompletedTask;
    }

    /// <summary>The scheme for staff through the municipality's identity provider (<c>Authentication:Staff</c>).</summary>
    public const string StaffScheme = "staff";

    /// <summary>The scheme for citizens through MitID and NemLog-in (<c>Authentication:Citizen</c>).</summary>
    public const string CitizenScheme = "mitid";

    /// <summary>NemLog-in's CPR attribute (OIOSAML 3), the default <c>Authentication:Citizen:CprClaim</c>.</summary>
    public const string NemLogInCprClaim = "https://data.gov.dk/model/core/eid/cprNumber";

    /// <summary>NemLog-in's NSIS level of assurance (OIOSAML 3): Low, Substantial or High; the default <c>Authentication:Citizen:LoaClaim</c>.</summary>
    public const string NemLogInLoaClaim = "https://data.gov.dk/concept/core/nsis/loa";

    // The levels of assurance in rising order, as NSIS (the Danish standard for identity assurance) takes them from eIDAS art. 8.
    private static readonly string[] Levels = ["low", "substantial", "high"];

    /// <summary>
    /// Why an external sign-in was refused: the code the login page turns into a Danish message (<c>/login?fejl=</c>)
    /// and the audit log records. Never the CPR number or the IdP's own words.
    /// </summary>
    public static class Refusal
    {
        public const string NotCreated = "ikke-oprettet";
        public const string Disabled = "lukket";
        public const string Assurance = "sikringsniveau";
        public const string Failed = "fejl";
    }

    /// <summary>A sign-in the identity provider accepted and Ledsag refuses; carried from the token check to the failure page.</summary>
    private sealed class RefusedException(string reason) : Exception($"External sign-in refused: {reason}")
    {
        public string Reason => reason;
    }

    private static void AddOidc(AuthenticationBuilder auth, IConfiguration config, string section, string scheme, bool citizen)
    {
        var s = config.GetSection($"Authentication:{section}");
        if (string.IsNullOrEmpty(s["Authority"]))
        {
            return;
        }
        var minimum = citizen ? MinimumLevel(s) : -1;
        auth.AddOpenIdConnect(scheme, citizen ? "MitID" : "Kommunens login", o =>
        {
            o.Authority = s["Authority"];
            o.ClientId = s["ClientId"];
            o.ClientSecret = s["ClientSecret"];
            // The provider's metadata and keys come over HTTPS; only a test's own provider on 127.0.0.1 may switch this off.
            o.RequireHttpsMetadata = s.GetValue("RequireHttpsMetadata", true);
            o.ResponseType = "code";
            o.UsePkce = true;
            // The code comes back in the query of a top-level GET, not as a cross-site form post: a SameSite=Lax
            // correlation cookie is then enough (SameSite=None needs Secure, which plain HTTP in the tests lacks),
            // and the callback is not a POST that the cross-site check in Program.cs could refuse.
            o.ResponseMode = "query";
            o.CorrelationCookie.SameSite = SameSiteMode.Lax;
            o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.NonceCookie.SameSite = SameSiteMode.Lax;
            o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.SignInScheme = CookieScheme;
            o.CallbackPath = $"/signin-{scheme}";
            o.MapInboundClaims = false;
            o.Scope.Clear();
            foreach (var scope in (s["Scopes"] ?? "openid profile").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                o.Scope.Add(scope);
            }
            o.Events.OnTokenValidated = ctx => MapExternalUser(ctx, s, citizen, minimum);
            o.Events.OnRemoteFailure = RefusedAsync;
        });
    }

    /// <summary>The citizen's minimum level of assurance (<c>Authentication:Citizen:MinimumLoa</c>, default Substantial; empty: not checked).</summary>
    private static int MinimumLevel(IConfigurationSection s)
    {
        var minimum = s["MinimumLoa"] ?? "Substantial";
        if (minimum.Length == 0)
        {
            return -1;
        }
        var level = Array.IndexOf(Levels, minimum.Trim().ToLowerInvariant());
        return level >= 0 ? level
            : throw new InvalidOperationException($"Authentication:Citizen:MinimumLoa must be Low, Substantial, High or empty, not '{minimum}'.");
    }

    /// <summary>The level of assurance in a claim: «Substantial», «SUBSTANTIAL» or the URI form ending in /Substantial; -1 if none.</summary>
    private static int LevelOf(string? value) =>
        value is null ? -1 : Array.IndexOf(Levels, value[(value.LastIndexOf('/') + 1)..].Trim().ToLowerInvariant());

    // An external identity signs in as the local user it is bound to: staff by the IdP's subject claim
    // (User.ExternalSubject), citizens by the CPR claim NemLog-in releases, matched to the citizen record.
    // The principal is Ledsag's own (Actor.Identity, with the security stamp), exactly as a local login makes
    // it: no role, municipality or other claim from the IdP is kept.
    private static async Task MapExternalUser(TokenValidatedContext ctx, IConfigurationSection s, bool citizen, int minimum)
    {
        var http = ctx.HttpContext;
        var db = http.RequestServices.GetRequiredService<LedsagDb>();
        var audit = http.RequestServices.GetRequiredService<AuditLog>();
        var principal = ctx.Principal!;
        var scheme = ctx.Scheme.Name;
        User? user = null;
        string? refusal = null;
        if (citizen)
        {
            if (minimum >= 0 && LevelOf(principal.FindFirst(s["LoaClaim"] ?? NemLogInLoaClaim)?.Value) < minimum)
            {
                refusal = Refusal.Assurance;
            }
            else if (Domain.Cpr.TryParse(principal.FindFirst(s["CprClaim"] ?? NemLogInCprClaim)?.Value, out var cpr, out _))
            {
                // A citizen known in more than one municipality signs in where the account is open.
                var users = await db.Users.Where(u => u.Role == Role.Citizen && db.Citizens.Any(c => c.Id == u.CitizenId && c.Cpr == cpr.Digits))
                    .ToListAsync(http.RequestAborted);
                user = users.OrderBy(u => u.DisabledAt is not null).ThenBy(u => u.MunicipalityId, StringComparer.Ordinal).FirstOrDefault();
            }
        }
        else if (principal.FindFirst(s["SubjectClaim"] ?? "sub")?.Value is { Length: > 0 } subject)
        {
            user = await db.Users.FirstOrDefaultAsync(u => u.ExternalSubject == subject && u.Role != Role.Citizen, http.RequestAborted);
        }
        refusal ??= user is null ? Refusal.NotCreated : user.DisabledAt is not null ? Refusal.Disabled : null;
        var actor = user is null ? null : new Actor(user.Id, user.MunicipalityId, user.Role, null, null);
        // Only a token the provider signed gets this far, so these entries cannot be written by anyone at will.
        audit.Add(db, actor, refusal is null ? "login" : "login-failed", "user", user?.Id.ToString(), refusal is null ? scheme : $"{scheme}: {refusal}");
        await audit.SaveAsync(db, http.RequestAborted);
        if (refusal is not null)
        {
            ctx.Fail(new RefusedException(refusal));
            return;
        }
        ctx.Principal = new ClaimsPrincipal(Actor.Identity(user!, CookieScheme));
    }

    /// <summary>
    /// A refused or failed external sign-in (also a user who cancels at the provider) ends on the login page with a
    /// Danish message, never an error page: the reason travels as a fixed code, so nothing from the provider is shown.
    /// </summary>
    private static Task RefusedAsync(RemoteFailureContext ctx)
    {
        var reason = Refusal.Failed;
        if (ctx.Failure is RefusedException refused)
        {
            reason = refused.Reason;
        }
        else
        {
            ctx.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Authentication))
                .LogWarning("Sign-in through {Scheme} failed: {Reason}", ctx.Scheme.Name, ctx.Failure?.Message);
        }
        ctx.Response.Redirect($"/login?fejl={reason}");
        ctx.HandleResponse();
        return Task.CompletedTask;
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
            var now = Context.RequestServices.GetRequiredService<IClock>().GetCurrentInstant();
            // A token works until it expires or is revoked, and only while its user's account is not disabled.
            var user = await db.ApiTokens.Where(t => t.TokenHash == hash && t.RevokedAt == null && t.ExpiresAt > now)
                .Join(db.Users.Where(u => u.DisabledAt == null), t => t.UserId, u => u.Id, (_, u) => u).FirstOrDefaultAsync();
            return user is null
                ? AuthenticateResult.Fail("Ugyldigt token")
                : AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(Actor.Identity(user, TokenScheme)), TokenScheme));
        }
    }
}

/// <summary>
/// Local passwords: ASP.NET Core Identity's hasher (PBKDF2). An unknown user name is checked against a
/// dummy hash, so it costs the same time as a real one (no user enumeration by timing). There is no hard
/// lockout — <see cref="LoginThrottle"/> slows guessing down instead, so nobody can lock someone else out.
/// </summary>
public sealed class Passwords
{
    private readonly Microsoft.AspNetCore.Identity.PasswordHasher<User> _hasher = new();
    private readonly string _dummyHash;
    private long _verifications;

    public Passwords()
    {
        _dummyHash = _hasher.HashPassword(Dummy, Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
    }

    private static readonly User Dummy = new() { MunicipalityId = "", UserName = "", DisplayName = "" };

    /// <summary>How many passwords have been verified (a hash computed): the same for a known and an unknown name.</summary>
    public long Verifications => Interlocked.Read(ref _verifications);

    public string Hash(User user, string password) => _hasher.HashPassword(user, password);

    /// <summary>Whether <paramref name="password"/> is the user's; for no user (or one without a local password) the same work is done and the answer is no.</summary>
    public bool Check(User? user, string password)
    {
        Interlocked.Increment(ref _verifications);
        var hash = user?.PasswordHash ?? _dummyHash;
        var ok = _hasher.VerifyHashedPassword(user ?? Dummy, hash, password) != Microsoft.AspNetCore.Identity.PasswordVerificationResult.Failed;
        return ok && user?.PasswordHash is not null && user.DisabledAt is null;
    }
}

/// <summary>
/// Slows password guessing without letting anyone lock another person out. Every attempt is counted
/// before the password is checked (so parallel guesses count too), under three keys:
/// <list type="bullet">
/// <item>user name and address: <c>Security:LoginFreeFailures</c> (5) failures, then each further attempt
/// waits 1, 2, 4, … seconds after the last, up to 15 minutes — a guesser elsewhere does not slow the user down;</item>
/// <item>user name from any address: the same after <c>Security:LoginFreeFailuresPerAccount</c> (10), against guessing from many
/// addresses — except from an address where the name signed in successfully within 30 days;</item>
/// <item>address: <c>Security:LoginFailuresPerAddress</c> (30) failures in <c>Security:LoginFailureWindowMinutes</c> (10) → 429 for the rest of the window.</item>
/// </list>
/// A user name that does not exist is counted and answered exactly like one that does. The address is the
/// client's as the forwarded headers of a configured proxy give it (<c>Security:TrustedProxies</c>), else the
/// connection's. Held in memory per instance: with N instances, the limits allow N times as many guesses.
/// </summary>
public sealed class LoginThrottle(IClock clock, IConfiguration config)
{
    private sealed class Counter
    {
        public int Failures;
        public Instant Last;
        public readonly Queue<Instant> Window = new();
    }

    public static readonly Duration MaxDelay = Duration.FromMinutes(15);
    private static readonly Duration Forget = Duration.FromHours(1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Counter> _counters = new();
    private readonly int _free = config.GetValue("Security:LoginFreeFailures", 5);
    private readonly int _freePerAccount = config.GetValue("Security:LoginFreeFailuresPerAccount", 10);
    // Name and address pairs that have signed in successfully (30 days): the per-name limit does not slow them,
    // so guessing from many addresses slows the guessers, not the user at their usual desk.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Instant> _known = new();
    private readonly int _limit = config.GetValue("Security:LoginFailuresPerAddress", 30);
    private readonly Duration _window = Duration.FromMinutes(config.GetValue("Security:LoginFailureWindowMinutes", 10));

    private static string Address(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>An attempt, counted as failed until <see cref="Succeeded"/> says otherwise.</summary>
    public sealed record Attempt(string Pair, string Account);

    /// <summary>Counts an attempt for <paramref name="userName"/> from the caller's address, or throws 429 (with Retry-After) while it must wait.</summary>
    public Attempt Begin(HttpContext http, string userName)
    {
        var now = clock.GetCurrentInstant();
        if (_counters.Count > 10_000)
        {
            Prune(now); // guesses at made-up names must not fill the memory
        }
        var address = Address(http);
        var account = "u:" + userName.Trim().ToLowerInvariant();
        var pair = $"p:{address}|{account}";
        var byAddress = _counters.GetOrAdd("a:" + address, _ => new Counter());
        var byPair = _counters.GetOrAdd(pair, _ => new Counter());
        var byAccount = _counters.GetOrAdd(account, _ => new Counter());
        // One lock for the three, so the check and the count are one step even for parallel guesses.
        lock (_counters)
        {
            while (byAddress.Window.Count > 0 && byAddress.Window.Peek() <= now - _window)
            {
                byAddress.Window.Dequeue();
            }
            foreach (var c in new[] { byPair, byAccount }.Where(c => c.Last < now - Forget))
            {
                c.Failures = 0; // an hour without a failure: the count starts over
            }
            var until = new[]
            {
                byAddress.Window.Count >= _limit ? byAddress.Window.Peek() + _window : (Instant?)null,
                Until(byPair, _free),
                _known.TryGetValue(pair, out var seen) && seen > now - Duration.FromDays(30) ? null : Until(byAccount, _freePerAccount),
            }.Where(u => u > now).Max();
            if (until is { } wait)
            {
                throw TooMany(wait - now);
            }
            foreach (var c in new[] { byPair, byAccount })
            {
                c.Failures++;
                c.Last = now;
            }
            byAddress.Window.Enqueue(now);
        }
        return new Attempt(pair, account);
    }

    /// <summary>The right password: the name and address pair starts over and is remembered as the user's own (the address's window keeps its failures).</summary>
    public void Succeeded(HttpContext http, Attempt attempt)
    {
        lock (_counters)
        {
            // The pair starts over; the name's count from other addresses does not (the user signing in must not
            // reopen the door for a guesser elsewhere) — it fades an hour after its last failure.
            _counters.TryRemove(attempt.Pair, out _);
            _known[attempt.Pair] = clock.GetCurrentInstant();
            if (_counters.TryGetValue(attempt.Account, out var byAccount) && byAccount.Failures > 0)
            {
                byAccount.Failures--; // this attempt was counted up front; it was not a failure
            }
            if (_counters.TryGetValue("a:" + Address(http), out var byAddress) && byAddress.Window.Count > 0)
            {
                // This attempt was counted as a failure up front; it was not one.
                var kept = byAddress.Window.ToList();
                kept.RemoveAt(kept.Count - 1);
                byAddress.Window.Clear();
                kept.ForEach(byAddress.Window.Enqueue);
            }
        }
    }

    private void Prune(Instant now)
    {
        lock (_counters)
        {
            foreach (var (key, c) in _counters)
            {
                if (c.Last < now - MaxDelay - _window && (c.Window.Count == 0 || c.Window.Peek() <= now - _window))
                {
                    _counters.TryRemove(key, out _);
                }
            }
        }
    }

    private static Instant? Until(Counter c, int free) =>
        c.Failures < free ? null : c.Last + Duration.FromSeconds(Math.Min(Math.Pow(2, c.Failures - free), MaxDelay.TotalSeconds));

    private static ProblemException TooMany(Duration wait)
    {
        var seconds = (int)Math.Ceiling(Math.Max(1, wait.TotalSeconds));
        var text = seconds < 60 ? $"{seconds} {(seconds == 1 ? "sekund" : "sekunder")}" : $"{(seconds + 59) / 60} minutter";
        return new ProblemException(StatusCodes.Status429TooManyRequests,
            $"For mange forkerte forsøg på at logge ind. Vent {text}, og prøv igen.", code: "LOGIN_RATE_LIMITED") { RetryAfterSeconds = seconds };
    }
}
