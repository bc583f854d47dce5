using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Ledsag.Web.Infrastructure;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Ledsag.Web.Tests;

/// <summary>
/// Who the test signs in as at <see cref="TestIdentityProvider"/>: the subject, and for a citizen the claims
/// NemLog-in releases (the CPR number as ten digits, the NSIS level of assurance). <paramref name="Role"/> and
/// <paramref name="Municipality"/> are claims a hostile or misconfigured IdP might send; Ledsag must ignore them.
/// </summary>
public sealed record IdpIdentity(string Subject, string? Cpr = null, string? Loa = null, string? Role = null, string? Municipality = null);

/// <summary>
/// An OpenID Connect provider for the tests only (OpenIddict's server in degraded mode: clients in memory, no
/// database): authorization code with PKCE, a login form where the test chooses who to be, and ID tokens with
/// NemLog-in's claim names. It runs on its own Kestrel host on a free 127.0.0.1 port over plain HTTP, and lives in
/// the test project, so the product never ships or serves it.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    public const string StaffClientId = "ledsag-staff";
    public const string CitizenClientId = "ledsag-mitid";
    public const string StaffSecret = "staff-hemmelighed";
    public const string CitizenSecret = "mitid-hemmelighed";

    /// <summary>The form's fields; they start with <c>idp_</c> so they never clash with the authorization request's parameters.</summary>
    public const string SubjectField = "idp_sub", CprField = "idp_cpr", LoaField = "idp_loa", RoleField = "idp_role", MunicipalityField = "idp_municipality";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (string Secret, string RedirectUri)> _clients = new();

    private TestIdentityProvider(WebApplication app) => _app = app;

    /// <summary>The issuer, e.g. http://127.0.0.1:41234/ — Ledsag's <c>Authentication:*:Authority</c>.</summary>
    public string Authority { get; private set; } = "";

    /// <summary>How many ID tokens the token endpoint has issued: a test can tell that a sign-in really went through the provider.</summary>
    public int TokensIssued => _tokens;

    private int _tokens;

    /// <summary>
    /// Starts a provider and <paramref name="app"/> on Kestrel with both OpenID Connect schemes pointed at it; returns
    /// the provider and Ledsag's address (http://127.0.0.1:port).
    /// </summary>
    public static async Task<(TestIdentityProvider Idp, string Url)> StartWithAsync(SqliteFactory app)
    {
        var idp = await StartAsync();
        foreach (var (key, value) in idp.LedsagSettings)
        {
            app.Settings[key] = value;
        }
        app.UseKestrel(0);
        app.StartServer();
        return (idp, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().Replace("[::]", "127.0.0.1"));
    }

    public static async Task<TestIdentityProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        TestIdentityProvider? idp = null;
        builder.Services.AddOpenIddict().AddServer(o =>
        {
            o.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
            o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            o.RegisterScopes(Scopes.Profile, "ssn", "mitid");
            o.RegisterClaims(Authentication.NemLogInCprClaim, Authentication.NemLogInLoaClaim);
            o.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
            // Degraded mode: no application store, so the clients are checked here, against the list in memory.
            o.EnableDegradedMode();
            o.AddEventHandler<OpenIddictServerEvents.ValidateAuthorizationRequestContext>(b => b.UseInlineHandler(ctx =>
            {
                if (!idp!._clients.TryGetValue(ctx.ClientId ?? "", out var client))
                {
                    ctx.Reject(Errors.InvalidClient, "Unknown client.");
                }
                else if (!string.Equals(ctx.RedirectUri, client.RedirectUri, StringComparison.Ordinal))
                {
                    ctx.Reject(Errors.InvalidRequest, "The redirect_uri is not the client's.");
                }
                return default;
            }));
            o.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(b => b.UseInlineHandler(ctx =>
            {
                if (!idp!._clients.TryGetValue(ctx.Request.ClientId ?? "", out var client) || client.Secret != ctx.Request.ClientSecret)
                {
                    ctx.Reject(Errors.InvalidClient, "Wrong client credentials.");
                }
                return default;
            }));
            o.UseAspNetCore().DisableTransportSecurityRequirement().EnableAuthorizationEndpointPassthrough().EnableTokenEndpointPassthrough();
        });
        var app = builder.Build();
        idp = new TestIdentityProvider(app);
        app.UseAuthentication();
        app.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], Authorize);
        app.MapPost("/connect/token", async (HttpContext http) =>
        {
            var request = http.GetOpenIddictServerRequest()!;
            if (!request.IsAuthorizationCodeGrantType())
            {
                return Results.BadRequest();
            }
            // The code's principal, with its claims and their destinations, becomes the ID token.
            var code = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            Interlocked.Increment(ref idp._tokens);
            return Results.SignIn(code.Principal!, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        idp.Authority = address.TrimEnd('/') + "/";
        return idp;
    }

    /// <summary>
    /// The settings that point Ledsag's two OpenID Connect schemes at this provider (plain HTTP: metadata over
    /// HTTPS is not required). Call <see cref="RegisterLedsag"/> once Ledsag's address is known.
    /// </summary>
    public IReadOnlyDictionary<string, string?> LedsagSettings => new Dictionary<string, string?>
    {
        ["Authentication:Staff:Authority"] = Authority,
        ["Authentication:Staff:ClientId"] = StaffClientId,
        ["Authentication:Staff:ClientSecret"] = StaffSecret,
        ["Authentication:Staff:RequireHttpsMetadata"] = "false",
        ["Authentication:Citizen:Authority"] = Authority,
        ["Authentication:Citizen:ClientId"] = CitizenClientId,
        ["Authentication:Citizen:ClientSecret"] = CitizenSecret,
        ["Authentication:Citizen:RequireHttpsMetadata"] = "false",
        ["Authentication:Citizen:Scopes"] = "openid profile ssn",
    };

    /// <summary>Registers Ledsag at <paramref name="baseUrl"/> as the two clients, each with its own callback.</summary>
    public void RegisterLedsag(string baseUrl)
    {
        Register(StaffClientId, StaffSecret, $"{baseUrl.TrimEnd('/')}/signin-staff");
        Register(CitizenClientId, CitizenSecret, $"{baseUrl.TrimEnd('/')}/signin-mitid");
    }

    /// <summary>Registers a client and the one redirect URI it may use (Ledsag's /signin-staff or /signin-mitid).</summary>
    public void Register(string clientId, string secret, string redirectUri) => _clients[clientId] = (secret, redirectUri);

    /// <summary>GET: the login form. POST from the form: signs in as the chosen identity and sends the code back.</summary>
    private static IResult Authorize(HttpContext http)
    {
        var request = http.GetOpenIddictServerRequest()!;
        if (!HttpMethods.IsPost(http.Request.Method) || !http.Request.Form.ContainsKey(SubjectField))
        {
            return Results.Content(LoginForm(request), "text/html; charset=utf-8");
        }
        var form = http.Request.Form;
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, form[SubjectField].ToString());
        foreach (var (field, claim) in new[]
        {
            (CprField, Authentication.NemLogInCprClaim), (LoaField, Authentication.NemLogInLoaClaim),
            (RoleField, Claims.Role), (MunicipalityField, Actor.MunicipalityClaim),
        })
        {
            if (form[field].ToString() is { Length: > 0 } value)
            {
                identity.AddClaim(new Claim(claim, value));
            }
        }
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(_ => [Destinations.IdentityToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static string LoginForm(OpenIddictRequest request)
    {
        static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
        var hidden = new StringBuilder();
        foreach (var (name, value) in request.GetParameters())
        {
            hidden.Append($"<input type=\"hidden\" name=\"{E(name)}\" value=\"{E((string?)value)}\">");
        }
        return $"""
            <!doctype html>
            <html lang="da"><head><meta charset="utf-8"><title>Test-IdP</title></head>
            <body><main><h1>Test-IdP: log ind som</h1>
            <form method="post" action="/connect/authorize">{hidden}
            <p><label for="sub">Subject (sub)</label><input id="sub" name="{SubjectField}"></p>
            <p><label for="cpr">CPR-nummer (NemLog-in: cprNumber)</label><input id="cpr" name="{CprField}"></p>
            <p><label for="loa">Sikringsniveau (NSIS)</label><select id="loa" name="{LoaField}"><option value="">intet</option><option>Low</option><option>Substantial</option><option>High</option></select></p>
            <p><label for="role">Rolle-claim (role)</label><input id="role" name="{RoleField}"></p>
            <p><label for="municipality">Kommune-claim</label><input id="municipality" name="{MunicipalityField}"></p>
            <button type="submit">Log ind hos test-IdP</button>
            </form></main></body></html>
            """;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
