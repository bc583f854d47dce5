using System.Text.Json;
using System.Text.Json.Serialization;
using Ledsag.Web;
using Ledsag.Web.Data;
using Ledsag.Web.Features;
using Ledsag.Web.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Scalar.AspNetCore;

var demo = args.Contains("--demo");
// --demo --reset: start again from fresh demo data (the database is deleted, created and seeded anew).
var reset = args.Contains("--reset");
var builder = WebApplication.CreateBuilder(args.Where(a => a is not ("--demo" or "--reset")).ToArray());
demo |= builder.Configuration.GetValue<bool>("Demo:Seed");
if (reset && !demo)
{
    Console.Error.WriteLine("fejl: --reset: kan kun bruges sammen med --demo (kun demodata kan nulstilles)");
    return 2;
}

builder.AddLedsagTelemetry();
builder.Services.AddLedsagHealthChecks();
builder.Services.AddSingleton<IClock>(SystemClock.Instance);
builder.Services.AddSingleton(_ => new Standards(StandardsDirectory.Load(StandardsDirectory.Locate(builder.Configuration["Standards:Path"]))));
builder.Services.AddLedsagDatabase(builder.Configuration);
var masterKey = MasterKey.From(builder.Configuration);
builder.Services.AddSingleton(masterKey);
// The key ring lives in the database (shared by every instance), each key encrypted with the master key,
// which does not: a copy of the database cannot sign a cookie.
builder.Services.AddDataProtection().SetApplicationName("Ledsag").PersistKeysToDbContext<LedsagDb>();
builder.Services.Configure<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(o => o.XmlEncryptor = new KeyRingEncryptor(masterKey));
builder.Services.AddLedsagAuthentication(builder.Configuration);
builder.Services.AddSingleton<AuditLog>();
builder.Services.AddHostedService<AuditSealer>();
builder.Services.AddSingleton<Passwords>();
builder.Services.AddSingleton<LoginThrottle>();
builder.Services.AddSingleton<Today>();
builder.Services.AddSingleton<KeyedLocks>();
builder.Services.AddSingleton<LedgerCache>();
builder.Services.AddScoped<Access>();
builder.Services.AddScoped<CaseWorkflow>();
builder.Services.AddSingleton<Ledsag.Web.Letters.LetterService>();
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
{
    ctx.ProblemDetails.Extensions.Remove("traceId");
    ctx.ProblemDetails.Title = ctx.ProblemDetails.Status switch
    {
        401 when ctx.ProblemDetails.Title is null or "Unauthorized" => "Du skal logge ind",
        403 when ctx.ProblemDetails.Title is null or "Forbidden" => "Du har ikke adgang til dette",
        404 when ctx.ProblemDetails.Title is null or "Not Found" => "Findes ikke",
        405 when ctx.ProblemDetails.Title is null or "Method Not Allowed" => "Metoden er ikke tilladt her",
        415 when ctx.ProblemDetails.Title is null or "Unsupported Media Type" => "Indholdet skal være JSON (Content-Type: application/json)",
        _ => ctx.ProblemDetails.Title,
    };
    if (ctx.ProblemDetails.Status == 429)
    {
        ctx.ProblemDetails.Type ??= "https://www.rfc-editor.org/rfc/rfc6585#section-4";
    }
});
builder.Services.AddExceptionHandler<ProblemHandler>();
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.ConfigureHttpJsonOptions(o =>
{
    // Strict input: an unknown field or a value of the wrong type is a 400 naming the field.
    o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
    o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
    o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
});
builder.Services.AddRazorComponents();
builder.Services.AddCascadingAuthenticationState();
builder.Services.AddLedsagOpenApi();
if (builder.Configuration.GetValue("Jobs:LapseReminders", true))
{
    builder.Services.AddHostedService<LapseReminderService>();
}

var trustedProxies = (builder.Configuration["Security:TrustedProxies"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
builder.Services.Configure<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>(o =>
{
    // Behind the municipality's TLS proxy: the client's address and scheme come from X-Forwarded-For and
    // X-Forwarded-Proto, but only when the request comes from a proxy listed in Security:TrustedProxies
    // (addresses or networks, comma-separated). Nobody else can choose their address for the login limits.
    o.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
    o.KnownProxies.Clear();
    o.KnownIPNetworks.Clear();
    o.ForwardLimit = 1;
    foreach (var entry in trustedProxies)
    {
        o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(entry.Contains('/') ? entry : $"{entry}/{(entry.Contains(':') ? 128 : 32)}"));
    }
});

var app = builder.Build();
// The site's public address where a proxy changes the Host header on its way in (Security:AllowedOrigins, comma-separated).
var allowedOrigins = (app.Configuration["Security:AllowedOrigins"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
    .ToHashSet(StringComparer.OrdinalIgnoreCase);
if (trustedProxies.Length > 0)
{
    // Only with proxies listed: with an empty list the middleware would believe any sender's X-Forwarded-For.
    app.UseForwardedHeaders();
}
app.Use(async (http, next) =>
{
    // A cookie-signed-in browser's change must come from Ledsag's own pages: a form or script on another
    // site (cross-site request forgery) is refused. Requests with a bearer token, and clients that send no
    // Origin (integrations, the CLI), are not browsers acting for a signed-in user.
    var method = http.Request.Method;
    if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) && !HttpMethods.IsOptions(method) &&
        http.Request.Cookies.ContainsKey("ledsag") && !http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
    {
        var origin = http.Request.Headers.Origin.ToString();
        var site = http.Request.Headers["Sec-Fetch-Site"].ToString();
        var own = $"{http.Request.Scheme}://{http.Request.Host}";
        var ours = string.Equals(origin, own, StringComparison.OrdinalIgnoreCase) || allowedOrigins.Contains(origin);
        // Browsers say where a request comes from in Sec-Fetch-Site; the pages send no referrer, so a form's
        // Origin is "null" and that header decides.
        // Without it (an older browser), a foreign Origin does; "null" too on the API (pages carry an antiforgery token).
        var foreign = site.Length > 0 ? site is not ("same-origin" or "none") && !ours
            : origin.Length > 0 && !ours && (origin != "null" || http.Request.Path.StartsWithSegments("/api"));
        if (foreign)
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            await Results.Problem(statusCode: 403, title: "Forespørgslen kom fra en anden hjemmeside og er afvist.").ExecuteAsync(http);
            return;
        }
    }
    await next();
});
app.Use(async (http, next) =>
{
    // Security headers on every answer. The pages use no scripts, so the policy can forbid them outright
    // (the API reference page loads its own bundle from this host).
    var headers = http.Response.Headers;
    headers["X-Content-Type-Options"] = "nosniff";
    headers["X-Frame-Options"] = "DENY";
    headers["Referrer-Policy"] = "no-referrer";
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
    headers["Cross-Origin-Opener-Policy"] = "same-origin";
    headers["Content-Security-Policy"] = http.Request.Path.StartsWithSegments("/api-reference") || http.Request.Path.StartsWithSegments("/scalar")
        ? "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; frame-ancestors 'none'"
        : "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'self'";
    if (http.Request.IsHttps)
    {
        headers["Strict-Transport-Security"] = "max-age=31536000";
    }
    if (Path.GetExtension(http.Request.Path.Value) is not (".css" or ".js" or ".png" or ".svg" or ".ico" or ".woff2" or ".map"))
    {
        // Pages and API answers carry personal data: no browser or proxy keeps a copy.
        headers.CacheControl = "no-store";
    }
    await next();
});
// A person in a browser gets a page in Danish for an unknown address, a refused or missing record, or an error
// (the page /fejl, re-executed with the problem's status); the API and integrations keep problem+json.
// Routing runs after this, so the re-executed request finds the error page.
app.UseExceptionHandler(new ExceptionHandlerOptions
{
    ExceptionHandlingPath = "/fejl",
    AllowStatusCode404Response = true, // the error page answers a missing record with 404, as it should
    CreateScopeForErrors = true, // the page that failed used this request's scoped services (Blazor's navigation manager)
    StatusCodeSelector = e => e is ProblemException p ? p.Status : StatusCodes.Status500InternalServerError,
    SuppressDiagnosticsCallback = c => c.Exception is ProblemException,
});
app.UseWhen(ProblemHandler.ForPeople, b => b.UseStatusCodePagesWithReExecute("/fejl/{0}", createScopeForStatusCodePages: true));
app.UseWhen(http => !ProblemHandler.ForPeople(http), b => b.UseStatusCodePages());
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();
app.UseStaticFiles();

app.MapOpenApi("/openapi/{documentName}.json");
app.MapScalarApiReference("/api-reference", o => o.WithTitle("Ledsag API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
app.MapLedsagHealth();
AuthEndpoints.Map(app);
CitizenEndpoints.Map(app);
CaseEndpoints.Map(app);
GrantEndpoints.Map(app);
SessionEndpoints.Map(app);
CompanionEndpoints.Map(app);
MoneyEndpoints.Map(app);
LetterEndpoints.Map(app);
StatisticsEndpoints.Map(app);
PersonalDataEndpoints.Map(app);
StayAbroadEndpoints.Map(app);
CashGrantEndpoints.Map(app);
UserEndpoints.Map(app);
app.MapRazorComponents<Ledsag.Web.Components.App>();

if (reset && await Startup.ResetDemoAsync(app.Services) is { } refusal)
{
    Console.Error.WriteLine($"fejl: --reset: {refusal}");
    return 2;
}
await Startup.PrepareDatabaseAsync(app.Services, demo);
if (reset)
{
    Console.WriteLine(DemoData.ResetDone);
}
if (app.Configuration.GetValue<bool>("Bench:Baselines"))
{
    BenchBaselines.Map(app);
}
if (demo)
{
    app.Lifetime.ApplicationStarted.Register(() => Startup.PrintWelcome(app));
}
app.Run();
return 0;

/// <summary>The web host's entry point, visible to the integration tests.</summary>
public partial class Program;
