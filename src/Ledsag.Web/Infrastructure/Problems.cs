using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Ledsag.Web.Infrastructure;

/// <summary>An expected failure of a request, turned into an RFC 9457 problem document.</summary>
public sealed class ProblemException(int status, string title, IDictionary<string, string[]>? errors = null, string? code = null)
    : Exception(title)
{
    public int Status { get; } = status;

    /// <summary>For 429 and 503: when the client may try again (the Retry-After header).</summary>
    public int? RetryAfterSeconds { get; init; }
    public string Title { get; } = title;
    public IDictionary<string, string[]> Errors { get; } = errors ?? new Dictionary<string, string[]>();
    public string? Code { get; } = code;
    /// <summary>More members of the problem document (the decision check's defects).</summary>
    public IDictionary<string, object?> Extensions { get; init; } = new Dictionary<string, object?>();

    public static ProblemException NotFound() => new(StatusCodes.Status404NotFound, "Findes ikke");
    public static ProblemException Forbidden() => new(StatusCodes.Status403Forbidden, "Du har ikke adgang til dette");
    public static ProblemException Conflict(string title, string? code = null) => new(StatusCodes.Status409Conflict, title, null, code);
    public static ProblemException Invalid(string field, string reason) =>
        new(StatusCodes.Status400BadRequest, "Ugyldige oplysninger", new Dictionary<string, string[]> { [field] = [reason] });
}

/// <summary>Collects field errors of a request and fails with all of them at once.</summary>
public sealed class Validation
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Ok => _errors.Count == 0;

    public void Add(string field, string reason)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }
        list.Add(reason);
    }

    public void ThrowIfInvalid()
    {
        if (!Ok)
        {
            throw new ProblemException(StatusCodes.Status400BadRequest, "Ugyldige oplysninger",
                _errors.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray()));
        }
    }
}

/// <summary>Maps exceptions to problem documents: expected ones with their status, anything else as a 500 without internals.</summary>
public sealed class ProblemHandler(IProblemDetailsService problems, ILogger<ProblemHandler> log) : IExceptionHandler
{
    /// <summary>A person's page request (not /api, a GET that accepts HTML): answered with a Danish page, not problem+json.</summary>
    public static bool ForPeople(HttpContext http) =>
        !http.Request.Path.StartsWithSegments("/api") && HttpMethods.IsGet(http.Request.Method) &&
        http.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (ForPeople(http) && !http.Response.HasStarted)
        {
            // The error page (/fejl) is re-executed with the problem's status; a refusal is audited as for the API.
            if (exception is ProblemException { Status: StatusCodes.Status403Forbidden })
            {
                await AuditDenialAsync(http, ct);
            }
            else if (exception is not ProblemException)
            {
                log.LogError(exception, "Unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path);
            }
            return false;
        }
        ProblemDetails problem;
        switch (exception)
        {
            case ProblemException p:
                problem = p.Errors.Count > 0
                    ? new ValidationProblemDetails(p.Errors.ToDictionary(e => e.Key, e => e.Value.Select(Citations.Cite).ToArray())) { Status = p.Status, Title = Citations.Cite(p.Title) }
                    : new ProblemDetails { Status = p.Status, Title = Citations.Cite(p.Title) };
                if (p.Code is not null)
                {
                    problem.Extensions["code"] = p.Code;
                }
                foreach (var (key, value) in p.Extensions)
                {
                    problem.Extensions[key] = value;
                }
                if (p.Status == StatusCodes.Status403Forbidden)
                {
                    await AuditDenialAsync(http, ct);
                }
                break;
            case BadHttpRequestException bad:
                problem = BadRequest(bad);
                break;
            default:
                log.LogError(exception, "Unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path);
                problem = new ProblemDetails { Status = 500, Title = "Der skete en fejl hos os. Prøv igen, eller kontakt kommunen." };
                break;
        }
        http.Response.StatusCode = problem.Status!.Value;
        if (exception is ProblemException { RetryAfterSeconds: { } retry })
        {
            http.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>
    /// Records a refused role (403) in the audit log. A fresh scope, so nothing the refused request had
    /// queued in its own database context is saved with it. (A refused resource, 404, is audited by <see cref="Access"/>.)
    /// </summary>
    private static async Task AuditDenialAsync(HttpContext http, CancellationToken ct)
    {
        if (Actor.From(http.User) is not { } actor)
        {
            return;
        }
        using var scope = http.RequestServices.GetRequiredService<IServiceScopeFactory>().CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Data.LedsagDb>();
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        try
        {
            await audit.DeniedAsync(db, actor, "endpoint", null, $"{http.Request.Method} {http.Request.Path}", ct);
        }
        catch (ProblemException)
        {
            // Over the limit: the 403 is answered, not written again.
        }
    }

    private static ValidationProblemDetails BadRequest(BadHttpRequestException bad)
    {
        // A body that is not valid JSON, or a value of the wrong type: name the field from the JSON path.
        if (bad.InnerException is JsonException json)
        {
            var field = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? "body" : json.Path.TrimStart('$', '.');
            return new ValidationProblemDetails(new Dictionary<string, string[]>
            {
                [field] = [json.Path is null or "$" ? "Indholdet er ikke gyldig JSON." : "Værdien har en forkert type eller form."],
            })
            { Status = 400, Title = "Ugyldige oplysninger" };
        }
        var status = bad.StatusCode is 413 ? 413 : 400;
        return new ValidationProblemDetails(new Dictionary<string, string[]>
        {
            ["request"] = [status == 413 ? "Forespørgslen er for stor." : "Forespørgslen kunne ikke læses."],
        })
        { Status = status, Title = "Ugyldig forespørgsel" };
    }
}
