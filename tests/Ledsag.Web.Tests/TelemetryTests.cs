using System.Collections;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Ledsag.Web.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>
/// Ledsag's spans and meters are process-wide (a static ActivitySource and Meter, as .NET's own are), so these tests
/// run alone: no other suite's host registers sessions while a counter is read.
/// </summary>
[CollectionDefinition("telemetry", DisableParallelization = true)]
public sealed class TelemetryCollection;

/// <summary>A host with telemetry on: OTLP over HTTP to an in-test receiver, and in-memory exporters beside it.</summary>
public sealed class TelemetryFactory : SqliteFactory
{
    public OtlpReceiver Otlp { get; } = new();

    public LockedList<Activity> Spans { get; } = new();

    public LockedList<MetricSnapshot> Metrics { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Telemetry:OtlpEndpoint", Otlp.Address);
        builder.UseSetting("Telemetry:OtlpProtocol", "http/protobuf");
        builder.ConfigureServices(s =>
        {
            s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(Spans));
            s.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(Metrics));
        });
    }

    /// <summary>Exports what is waiting: the OTLP batch goes out now, and the metric readers collect.</summary>
    public void Flush()
    {
        Services.GetRequiredService<TracerProvider>().ForceFlush(10_000).ShouldBeTrue();
        Services.GetRequiredService<MeterProvider>().ForceFlush(10_000).ShouldBeTrue();
    }

    /// <summary>The counter's cumulative sum for points carrying <paramref name="tag"/> at the last collection (0 before its first use).</summary>
    public long Sum(string metric, KeyValuePair<string, object?> tag)
    {
        var last = Metrics.Snapshot().LastOrDefault(m => m.Name == metric);
        return last is null ? 0 : last.MetricPoints.Where(p => Tags(p).Contains(tag)).Sum(p => p.GetSumLong());
    }

    private static List<KeyValuePair<string, object?>> Tags(MetricPoint p)
    {
        var tags = new List<KeyValuePair<string, object?>>();
        foreach (var t in p.Tags)
        {
            tags.Add(t);
        }
        return tags;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Otlp.Dispose();
    }
}

[Collection("telemetry")]
public sealed class TelemetryTests(TelemetryFactory factory) : IClassFixture<TelemetryFactory>
{
    private const string Cpr = "180575-4321";
    private const string Name = "Telemetri Testesen";

    private async Task<(HttpClient Client, Guid Grant)> GrantAsync(string municipality)
    {
        var (client, _, grant) = await factory.Granted(municipality, start: "2026-04-01");
        return (client, grant);
    }

    private static async Task<T> Eventually<T>(Func<T?> find, string what) where T : class
    {
        // The server span ends just after the answer is sent, so it may be exported a moment after the client has it.
        for (var i = 0; i < 100; i++)
        {
            if (find() is { } found)
            {
                return found;
            }
            await Task.Delay(50);
        }
        throw new ShouldAssertException($"not exported: {what}");
    }

    [Fact]
    public async Task ASessionRegistration_IsTracedThroughAspNetCoreTheDatabaseAndTheLedger_AndCounted()
    {
        var (client, grant) = await GrantAsync("lejre");
        factory.Flush();
        var municipality = new KeyValuePair<string, object?>(Telemetry.MunicipalityTag, "lejre");
        var before = factory.Sum("ledsag.sessions.registered", municipality);

        await client.Post($"/api/grants/{grant}/sessions", new { date = "2026-04-10", hours = 2, activity = "cinema" }, HttpStatusCode.Created);

        var path = $"/api/grants/{grant}/sessions";
        var server = await Eventually(() => factory.Spans.Snapshot().FirstOrDefault(a =>
            a.Kind == ActivityKind.Server && a.GetTagItem("url.path") as string == path && a.GetTagItem("http.request.method") as string == "POST"), "the ASP.NET Core span");
        var trace = factory.Spans.Snapshot().Where(a => a.TraceId == server.TraceId).ToList();
        server.GetTagItem("http.response.status_code").ShouldBe(201);
        var register = trace.Single(a => a.OperationName == "ledsag.session.register");
        var ledger = trace.Single(a => a.OperationName == "ledsag.ledger.use");
        var replay = trace.Single(a => a.OperationName == "ledsag.ledger.replay");
        (register.ParentSpanId, ledger.ParentSpanId, replay.ParentSpanId).ShouldBe((server.SpanId, register.SpanId, ledger.SpanId));
        // The replay reads the grant's sessions: its database commands are spans under it.
        trace.ShouldContain(a => a.Kind == ActivityKind.Client && a.ParentSpanId == replay.SpanId && (a.GetTagItem("db.system") ?? a.GetTagItem("db.system.name")) as string == "sqlite",
            $"a database span under the replay; in the trace: {string.Join(", ", trace.Select(a => $"{a.OperationName}/{a.DisplayName}"))}");
        ledger.GetTagItem(Telemetry.OutcomeTag).ShouldBe("accepted");
        ledger.GetTagItem(Telemetry.CacheResultTag).ShouldBe("miss"); // the grant's first session: nothing kept yet
        register.GetTagItem(Telemetry.MunicipalityTag).ShouldBe("lejre");

        factory.Flush();
        (factory.Sum("ledsag.sessions.registered", municipality) - before).ShouldBe(1);
    }

    [Fact]
    public async Task ARefusedRegistration_IsCountedByItsReasonCode()
    {
        var (client, grant) = await GrantAsync("gribskov");
        factory.Flush();
        var reason = new KeyValuePair<string, object?>(Telemetry.ReasonTag, "OUTSIDE_GRANT");
        var before = factory.Sum("ledsag.sessions.refused", reason);

        await client.Post($"/api/grants/{grant}/sessions", new { date = "2026-03-10", hours = 2, activity = "cinema" }, HttpStatusCode.UnprocessableEntity);

        factory.Flush();
        (factory.Sum("ledsag.sessions.refused", reason) - before).ShouldBe(1);
        factory.Spans.Snapshot().ShouldContain(a => a.OperationName == "ledsag.ledger.use" && a.GetTagItem(Telemetry.OutcomeTag) as string == "OUTSIDE_GRANT");
    }

    [Fact]
    public async Task TracesAndMetrics_ReachAnOtlpReceiver_WithoutACprNumberOrANameInAnySpan()
    {
        var (client, grant) = await GrantAsync("haderslev");
        await client.Post($"/api/grants/{grant}/sessions", new { date = "2026-04-11", hours = 1, activity = "cinema" }, HttpStatusCode.Created);
        var citizen = (await client.Post("/api/citizens", new { cpr = Cpr, name = Name }, HttpStatusCode.Created)).Id();
        await client.Get($"/api/citizens/{citizen}");
        await client.Get("/api/citizens");
        await client.Post("/api/citizens", new { cpr = Cpr, name = "Dublet" }, HttpStatusCode.BadRequest);

        factory.Flush();

        var traces = factory.Otlp.Received("/v1/traces");
        traces.ShouldNotBeEmpty("no OTLP trace export arrived");
        traces.ShouldAllBe(r => r.ContentType == "application/x-protobuf" && r.Body.Length > 0);
        factory.Otlp.Received("/v1/metrics").ShouldNotBeEmpty("no OTLP metric export arrived");
        var exported = Encoding.UTF8.GetString([.. traces.SelectMany(r => r.Body)]);
        exported.ShouldContain("ledsag.ledger.use"); // the payload is readable here: protobuf keeps strings as UTF-8
        foreach (var secret in new[] { Cpr, Cpr.Replace("-", ""), Name })
        {
            exported.ShouldNotContain(secret);
        }
        var spans = factory.Spans.Snapshot();
        spans.Count.ShouldBeGreaterThan(20);
        // Commands outside any span (the migration at start, the tests' own setup) are not a trace each.
        var database = spans.Where(a => a.Kind == ActivityKind.Client && (a.GetTagItem("db.system") ?? a.GetTagItem("db.system.name")) is not null).ToList();
        database.ShouldNotBeEmpty();
        database.ShouldAllBe(a => a.ParentSpanId != default);
        foreach (var a in spans)
        {
            var texts = a.TagObjects.Select(t => $"{t.Key}={t.Value}").Append(a.DisplayName).Append(a.StatusDescription ?? "")
                .Concat(a.Events.SelectMany(e => e.Tags.Select(t => $"{t.Key}={t.Value}")));
            texts.ShouldNotContain(t => t.Contains(Cpr) || t.Contains(Cpr.Replace("-", "")) || t.Contains(Name), a.OperationName);
        }
    }

    [Fact]
    public async Task WithNothingConfigured_NoTelemetryIsRegistered_AndLogsStayPlain()
    {
        factory.Services.GetService<TracerProvider>().ShouldNotBeNull(); // what the other host would have, were it on
        using var plain = new SqliteFactory();
        plain.Services.GetService<TracerProvider>().ShouldBeNull();
        plain.Services.GetService<MeterProvider>().ShouldBeNull();
        plain.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName.ShouldNotBe("json");

        using var json = new SqliteFactory();
        var host = json.WithWebHostBuilder(b => b.UseSetting("Logging:Format", "json"));
        host.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName.ShouldBe("json");
        (await host.CreateClient().GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public void SealingABatch_RecordsItsSizeAndTime_OnlyWhenItCommits()
    {
        var measured = new List<(string Instrument, double Value)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name == Telemetry.Name && i.Name.StartsWith("ledsag.audit.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(i);
            }
        };
        void Record<T>(Instrument i, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        {
            foreach (var t in tags)
            {
                if (t.Key == Telemetry.ChainTag && t.Value as string == "telemetry-test")
                {
                    lock (measured)
                    {
                        measured.Add((i.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)));
                    }
                }
            }
        }
        meters.SetMeasurementEventCallback<int>(Record);
        meters.SetMeasurementEventCallback<long>(Record);
        meters.SetMeasurementEventCallback<double>(Record);
        meters.Start();
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == Telemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (spans) { spans.Add(a); } },
        };
        ActivitySource.AddActivityListener(listener);

        using (var failed = Telemetry.StartAuditSeal("telemetry-test", 3))
        {
            // not committed: another instance sealed first
        }
        measured.ShouldBeEmpty();
        using (var seal = Telemetry.StartAuditSeal("telemetry-test", 7))
        {
            seal.Committed();
            seal.Committed(); // once only
        }

        measured.Where(m => m.Instrument == "ledsag.audit.entries.sealed").Select(m => m.Value).ShouldBe(new[] { 7.0 });
        measured.Where(m => m.Instrument == "ledsag.audit.seal.batch_size").Select(m => m.Value).ShouldBe(new[] { 7.0 });
        measured.Where(m => m.Instrument == "ledsag.audit.seal.duration").ShouldHaveSingleItem().Value.ShouldBeGreaterThanOrEqualTo(0);
        var ours = spans.Where(a => a.GetTagItem(Telemetry.ChainTag) as string == "telemetry-test").ToList();
        ours.Select(a => (a.OperationName, a.Status, Convert.ToInt32(a.GetTagItem(Telemetry.BatchTag), System.Globalization.CultureInfo.InvariantCulture))).ShouldBe(
            [("ledsag.audit.seal", ActivityStatusCode.Error, 3), ("ledsag.audit.seal", ActivityStatusCode.Unset, 7)]);
    }
}

/// <summary>A list the exporters add to from their own threads while a test reads it.</summary>
public sealed class LockedList<T> : ICollection<T>
{
    private readonly List<T> _items = [];

    public List<T> Snapshot()
    {
        lock (_items)
        {
            return [.. _items];
        }
    }

    public int Count
    {
        get
        {
            lock (_items)
            {
                return _items.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public void Add(T item)
    {
        lock (_items)
        {
            _items.Add(item);
        }
    }

    public void Clear()
    {
        lock (_items)
        {
            _items.Clear();
        }
    }

    public bool Contains(T item) => Snapshot().Contains(item);

    public void CopyTo(T[] array, int arrayIndex) => Snapshot().CopyTo(array, arrayIndex);

    public bool Remove(T item)
    {
        lock (_items)
        {
            return _items.Remove(item);
        }
    }

    public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>An OTLP/HTTP collector's front door, on a free local port: keeps every POST it receives and answers 200.</summary>
public sealed class OtlpReceiver : IDisposable
{
    public sealed record Request(string Path, string? ContentType, byte[] Body);

    private readonly HttpListener _listener = new();
    private readonly LockedList<Request> _received = new();

    public OtlpReceiver()
    {
        var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Address = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Address + "/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public string Address { get; }

    public List<Request> Received(string path) => _received.Snapshot().Where(r => r.Path == path).ToList();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            _received.Add(new Request(context.Request.Url!.AbsolutePath, context.Request.ContentType, body.ToArray()));
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    public void Dispose() => _listener.Close();
}
