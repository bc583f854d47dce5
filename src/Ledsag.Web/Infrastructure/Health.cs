using System.Text.Json;
using Ledsag.Web.Data;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ledsag.Web.Infrastructure;

/// <summary>
/// Liveness and readiness for the platform's probes. <c>/health/live</c> asks nothing but that the process answers (a
/// failing database must not get the pod restarted); <c>/health/ready</c> (and <c>/health</c>, as before) asks whether
/// it can serve: the database answers with every migration applied, the standards are read, the master key is loaded.
/// Anonymous, so each answer names a failing check with a fixed sentence and nothing else: no exception text.
/// </summary>
public static class Health
{
    private const string Ready = "ready";

    public static IServiceCollection AddLedsagHealthChecks(this IServiceCollection services)
    {
        // A database that does not answer in time is not ready (an unreachable PostgreSQL would otherwise hold the probe).
        services.AddHealthChecks()
            .AddCheck<DatabaseCheck>("database", tags: [Ready], timeout: TimeSpan.FromSeconds(5))
            .AddCheck<StandardsCheck>("standards", tags: [Ready])
            .AddCheck<MasterKeyCheck>("masterKey", tags: [Ready]);
        return services;
    }

    public static void MapLedsagHealth(this IEndpointRouteBuilder app)
    {
        var ready = new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteAsync };
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .AllowAnonymous().WithTags("Drift").WithSummary("Processen kører (ingen afhængigheder)");
        app.MapHealthChecks("/health/ready", ready).AllowAnonymous().WithTags("Drift").WithSummary("Klar: database, standarder og hovednøgle");
        app.MapHealthChecks("/health", ready).AllowAnonymous().WithTags("Drift").WithSummary("Som /health/ready");
    }

    /// <summary><c>{"status":"ok"}</c>, or <c>{"status":"fejl","failing":{"database":"Databasen svarer ikke."}}</c> with 503.</summary>
    private static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        var failing = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy)
            .ToDictionary(e => e.Key, e => e.Value.Exception is null && e.Value.Description is { } d ? d : "Kontrollen fejlede.");
        object body = failing.Count == 0 ? new { status = "ok" } : new { status = report.Status == HealthStatus.Unhealthy ? "fejl" : "nedsat", failing };
        return http.Response.WriteAsync(JsonSerializer.Serialize(body));
    }

    /// <summary>The database answers and has every migration this version needs.</summary>
    internal sealed class DatabaseCheck(LedsagDb db) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            try
            {
                if (!await db.Database.CanConnectAsync(ct))
                {
                    return HealthCheckResult.Unhealthy("Databasen svarer ikke.");
                }
                return (await db.Database.GetPendingMigrationsAsync(ct)).Any()
                    ? HealthCheckResult.Unhealthy("Databasen mangler migreringer.")
                    : HealthCheckResult.Healthy();
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy("Databasen svarer ikke.");
            }
        }
    }

    /// <summary>The standards were read, with at least one municipality (they are read once, at start).</summary>
    internal sealed class StandardsCheck(IServiceProvider services) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            try
            {
                return Task.FromResult(services.GetRequiredService<Standards>().Set.Municipalities.Count > 0
                    ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Ingen kommuners standarder er indlæst."));
            }
            catch (Exception)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy("Standarderne kunne ikke læses."));
            }
        }
    }

    /// <summary>The master key is loaded (it signs the audit log and opens the key ring).</summary>
    internal sealed class MasterKeyCheck(IServiceProvider services) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
            Task.FromResult(services.GetService<MasterKey>() is not null ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Hovednøglen er ikke indlæst."));
    }
}
