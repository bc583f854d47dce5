using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ledsag.Web.Infrastructure;

/// <summary>
/// Ledsag's own spans and metrics. Tags carry only codes, municipality ids and counts: never a CPR number, a
/// name or free text, since an exported span leaves the municipality's logging boundary (docs/operations.md).
/// With nothing configured no listener exists, so a span is never started and a measurement costs a branch.
/// </summary>
public static class Telemetry
{
    /// <summary>The name of Ledsag's <see cref="ActivitySource"/> and <see cref="Meter"/>.</summary>
    public const string Name = "Ledsag";

    public const string MunicipalityTag = "ledsag.municipality";
    public const string ReasonTag = "ledsag.reason";
    public const string CacheResultTag = "ledsag.ledger.cache";
    public const string OutcomeTag = "ledsag.ledger.outcome";
    public const string ChainTag = "ledsag.audit.chain";
    public const string BatchTag = "ledsag.audit.batch_size";

    private static readonly string? Version = typeof(Telemetry).Assembly.GetName().Version?.ToString();

    public static readonly ActivitySource Source = new(Name, Version);

    public static readonly Meter Meter = new(Name, Version);

    public static readonly Counter<long> SessionsRegistered =
        Meter.CreateCounter<long>("ledsag.sessions.registered", "{session}", "Sessions registered (new, not a repeated idempotency key), by municipality.");

    public static readonly Counter<long> RegistrationsRefused =
        Meter.CreateCounter<long>("ledsag.sessions.refused", "{session}", "Registrations refused, by reason code (EXCEEDS_BALANCE, COMPANION_BUSY, HTTP_400 for invalid input, …).");

    public static readonly Counter<long> LedgerCacheLookups =
        Meter.CreateCounter<long>("ledsag.ledger.cache.lookups", "{lookup}", "Lookups of a kept ledger replay, tagged ledsag.ledger.cache = hit or miss.");

    public static readonly Counter<long> AuditEntriesWritten =
        Meter.CreateCounter<long>("ledsag.audit.entries.written", "{entry}", "Audit entries saved with the change they record.");

    public static readonly Counter<long> AuditEntriesSealed =
        Meter.CreateCounter<long>("ledsag.audit.entries.sealed", "{entry}", "Audit entries chained and signed.");

    public static readonly Histogram<int> AuditSealBatchSize =
        Meter.CreateHistogram<int>("ledsag.audit.seal.batch_size", "{entry}", "Entries sealed in one transaction.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500] });

    public static readonly Histogram<double> AuditSealDuration =
        Meter.CreateHistogram<double>("ledsag.audit.seal.duration", "s", "Time to seal one batch, from reading it to its commit.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });

    /// <summary>Counts a lookup in the kept ledgers and marks the ledger span it belongs to.</summary>
    public static void LedgerCacheLookup(bool hit)
    {
        var result = hit ? "hit" : "miss";
        LedgerCacheLookups.Add(1, new KeyValuePair<string, object?>(CacheResultTag, result));
        Activity.Current?.SetTag(CacheResultTag, result);
    }

    /// <summary>The span of checking a session against the grant's ledger (a kept replay, or a full one).</summary>
    public static Activity? StartLedgerUse(string municipality) =>
        Source.StartActivity("ledsag.ledger.use")?.SetTag(MunicipalityTag, municipality);

    /// <summary>Ends the ledger span with the ledger's answer: accepted, or the rule's reason code.</summary>
    public static void LedgerDecided(Activity? span, string? reason)
    {
        span?.SetTag(OutcomeTag, reason ?? "accepted");
        span?.Stop();
    }

    /// <summary>A new session was booked.</summary>
    public static void SessionRegistered(Activity? span, string municipality)
    {
        SessionsRegistered.Add(1, new KeyValuePair<string, object?>(MunicipalityTag, municipality));
        span?.SetTag(OutcomeTag, "registered");
    }

    /// <summary>A registration was refused: counted by its reason code (a problem's code, else its HTTP status).</summary>
    public static void RegistrationRefused(Activity? span, string municipality, ProblemException problem)
    {
        var reason = problem.Code ?? $"HTTP_{problem.Status}";
        RegistrationsRefused.Add(1, new KeyValuePair<string, object?>(ReasonTag, reason), new KeyValuePair<string, object?>(MunicipalityTag, municipality));
        span?.SetTag(ReasonTag, reason);
        span?.SetStatus(ActivityStatusCode.Error, reason);
    }

    /// <summary>
    /// Starts the span and clock of sealing one batch of <paramref name="count"/> audit entries of <paramref name="chain"/>
    /// (a municipality's id, or "" for the shared chain); <see cref="AuditSeal.Committed"/> records it.
    /// </summary>
    public static AuditSeal StartAuditSeal(string chain, int count) => new(chain, count);

    /// <summary>One batch of the audit log being sealed; disposing it without <see cref="Committed"/> marks the span failed.</summary>
    public sealed class AuditSeal : IDisposable
    {
        private readonly Activity? _span;
        private readonly long _started = Stopwatch.GetTimestamp();
        private readonly KeyValuePair<string, object?> _chain;
        private int _count;
        private bool _committed;

        internal AuditSeal(string chain, int count)
        {
            _chain = new(ChainTag, chain.Length == 0 ? "shared" : chain == "*" ? "several" : chain);
            _count = count;
            _span = Source.StartActivity("ledsag.audit.seal");
            _span?.SetTag(_chain.Key, _chain.Value);
            _span?.SetTag(BatchTag, count);
        }

        /// <summary>How many entries the batch holds, once they are read.</summary>
        public void Count(int count)
        {
            _count = count;
            _span?.SetTag(BatchTag, count);
        }

        /// <summary>The batch's transaction committed: the entries count as sealed.</summary>
        public void Committed()
        {
            if (_committed)
            {
                return;
            }
            _committed = true;
            AuditEntriesSealed.Add(_count, _chain);
            AuditSealBatchSize.Record(_count, _chain);
            AuditSealDuration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, _chain);
        }

        public void Dispose()
        {
            if (!_committed)
            {
                // Another instance sealed first, or the database failed: the batch is read afresh and tried again.
                _span?.SetStatus(ActivityStatusCode.Error, "not committed");
            }
            _span?.Dispose();
        }
    }
}

/// <summary>
/// Turns on what operations asked for: OpenTelemetry traces and metrics exported over OTLP, only when an endpoint is
/// configured (<c>Telemetry:OtlpEndpoint</c>, or the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>), and JSON logs with
/// <c>Logging:Format=json</c>. With neither, nothing is registered and the host runs as before.
/// </summary>
public static class TelemetrySetup
{
    /// <summary>The ASP.NET Core, Kestrel, EF Core and runtime meters built into .NET, exported beside Ledsag's own.</summary>
    public static readonly string[] BuiltInMeters =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Diagnostics", "Microsoft.EntityFrameworkCore", "System.Runtime"];

    /// <summary>Whether an OTLP endpoint is configured, by Ledsag's setting or the standard environment variable.</summary>
    public static bool OtlpConfigured(IConfiguration config) =>
        !string.IsNullOrWhiteSpace(config["Telemetry:OtlpEndpoint"]) || !string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    public static WebApplicationBuilder AddLedsagTelemetry(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        if (string.Equals(config["Logging:Format"], "json", StringComparison.OrdinalIgnoreCase))
        {
            // One JSON object a line, with the trace and span ids of the request in its scopes, for a log collector.
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        if (!OtlpConfigured(config))
        {
            return builder;
        }
        var endpoint = config["Telemetry:OtlpEndpoint"];
        var protocol = (config["Telemetry:OtlpProtocol"] ?? "grpc").Trim().ToLowerInvariant() switch
        {
            "grpc" => OtlpExportProtocol.Grpc,
            "http/protobuf" or "http" => OtlpExportProtocol.HttpProtobuf,
            var other => throw new InvalidOperationException($"Telemetry:OtlpProtocol must be grpc or http/protobuf, not '{other}'."),
        };
        void Exporter(OtlpExporterOptions o, string signal)
        {
            if (string.IsNullOrWhiteSpace(endpoint))
            {
                return; // the SDK reads OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL and _HEADERS itself
            }
            var root = endpoint.TrimEnd('/');
            o.Protocol = protocol;
            // Over HTTP each signal has its own path under the endpoint; gRPC takes the endpoint as it is.
            o.Endpoint = new Uri(protocol == OtlpExportProtocol.HttpProtobuf ? $"{root}/{signal}" : root);
        }
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(config["OTEL_SERVICE_NAME"] ?? "ledsag", serviceVersion: typeof(Telemetry).Assembly.GetName().Version?.ToString()))
            .WithTracing(t => t
                .AddSource(Telemetry.Name)
                .AddAspNetCoreInstrumentation(o =>
                {
                    // Probes come every few seconds and say nothing about users' requests.
                    o.Filter = http => !http.Request.Path.StartsWithSegments("/health");
                    // Exception messages can quote what a user typed (a name): they stay out of spans; the span says 500.
                    o.RecordException = false;
                })
                .AddEntityFrameworkCoreInstrumentation(o =>
                    // Commands outside any span (the sealer's and the reminders' polling, the migration at start) would be
                    // a trace each; the query text is parameterised and sanitised by the instrumentation, so no value is in it.
                    o.Filter = (_, _) => Activity.Current?.Parent is not null)
                .AddOtlpExporter(o => Exporter(o, "v1/traces")))
            .WithMetrics(m => m
                .AddMeter(Telemetry.Name)
                .AddMeter(BuiltInMeters)
                .AddOtlpExporter(o => Exporter(o, "v1/metrics")));
        return builder;
    }
}
