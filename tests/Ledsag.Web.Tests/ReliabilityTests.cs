using System.Net;
using System.Net.Http.Json;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>
/// Concurrency: 1,000 registrations at once against 100 grants. Accepted must be exactly what each
/// grant's balance allows — no overspending under contention and no spurious refusals either.
/// </summary>
public abstract class ConcurrencyTests(LedsagFactory factory, string database)
{
    [Fact]
    public async Task AThousandParallelRegistrationsOnAHundredGrants_OverspendNothing_AndAcceptExactlyWhatTheBalancesAllow()
    {
        var caseworker = await factory.SignedIn("haderslev", Role.Caseworker);
        var start = new LocalDate(2026, 6, 1);
        var grants = await Load.GrantsAsync(caseworker, 100, start, seed: database.Length);
        var before = await Load.AvailableAsync(caseworker, grants);
        var outcome = await Load.RegisterAsync([caseworker], grants, perGrant: 10, hours: 2m, start, new LocalDate(2026, 6, 15));
        var after = await Load.AvailableAsync(caseworker, grants);
        var stored = await factory.WithDb(db => Reliability.MinutesPerGrantAsync(db, grants));
        Summary.Line(Reliability.Check($"Concurrency ({database}, one server)", outcome, before, after, stored, 10, 2m));
    }
}

[Collection("sqlite")]
public sealed class SqliteConcurrencyTests(SqliteFactory factory) : ConcurrencyTests(factory, "SQLite"), IClassFixture<SqliteFactory>;

[Collection("postgres")]
public sealed class PostgresConcurrencyTests(PostgresFactory factory) : ConcurrencyTests(factory, "PostgreSQL"), IClassFixture<PostgresFactory>;

/// <summary>Tests that run the server as separate processes: they run alone, after the rest.</summary>
[CollectionDefinition("processes", DisableParallelization = true)]
public sealed class ProcessCollection;

/// <summary>Several instances on one PostgreSQL, and the server killed with SIGKILL under load.</summary>
[Collection("processes")]
public sealed class ProcessReliabilityTests
{
    private static readonly DateTimeZone Copenhagen = DateTimeZoneProviders.Tzdb["Europe/Copenhagen"];

    private static LocalDate Today => SystemClock.Instance.GetCurrentInstant().InZone(Copenhagen).Date;

    private static string NewPostgresDatabase() =>
        new Npgsql.NpgsqlConnectionStringBuilder(Postgres.ConnectionString) { Database = $"ledsag_proc_{Guid.NewGuid():N}" }.ToString();

    [Fact]
    public async Task TwoServerProcessesOnOnePostgres_OverspendNothing_AndRunTheLapseRemindersOnce()
    {
        var connection = NewPostgresDatabase();
        await using var a = await ServerProcess.StartAsync("Postgres", connection, demo: true);
        await using var b = await ServerProcess.StartAsync("Postgres", connection);
        var onA = await a.SignInAsync("sagsbehandler.haderslev");
        var onB = await b.SignInAsync("sagsbehandler.haderslev");
        var start = Today.With(DateAdjusters.StartOfMonth);
        var grants = await Load.GrantsAsync(onA, 100, start, seed: 11);
        var before = await Load.AvailableAsync(onB, grants);
        var outcome = await Load.RegisterAsync([onA, onB], grants, perGrant: 10, hours: 2m, start, Today);
        var after = await Load.AvailableAsync(onA, grants);
        await using (var db = Cli.DatabaseCommands.Open("Postgres", connection))
        {
            var stored = await Reliability.MinutesPerGrantAsync(db, grants);
            Summary.Line(Reliability.Check("Concurrency (PostgreSQL, two server processes)", outcome, before, after, stored, 10, 2m));
        }

        // Background work: both instances run the day's lapse reminders for every municipality at the same moment.
        var runs = new List<Task<int>>();
        foreach (var municipality in DemoData.Municipalities)
        {
            foreach (var server in new[] { a, b })
            {
                var admin = await server.SignInAsync($"admin.{municipality}");
                runs.Add(Task.Run(async () => (await admin.Post("/api/admin/lapse-reminders", new { })).GetProperty("created").GetInt32()));
            }
        }
        var created = (await Task.WhenAll(runs)).Sum();
        await using (var db = Cli.DatabaseCommands.Open("Postgres", connection))
        {
            var letters = await db.Letters.Where(l => l.Kind == "lapse_reminder").Select(l => l.DedupKey).ToListAsync();
            letters.Count.ShouldBe(created);
            letters.Count.ShouldBeGreaterThan(0, "the demo data has hours that lapse within the reminder period");
            letters.Distinct().Count().ShouldBe(letters.Count, "a lapse was told twice");
            Summary.Line($"Background work (two instances, 5 municipalities at once): {letters.Count} lapse reminders sent, each once (duplicates 0)");
        }
    }

    [Fact]
    public Task Crash_TwentySigkillsUnderLoad_OnSqlite_LoseNothingAcknowledged()
    {
        var file = Path.Combine(Path.GetTempPath(), $"ledsag-crash-{Guid.NewGuid():N}.db");
        return CrashLoop("SQLite (WAL, synchronous=FULL)", "Sqlite", $"Data Source={file}");
    }

    [Fact]
    public Task Crash_TwentySigkillsUnderLoad_OnPostgres_LoseNothingAcknowledged() =>
        CrashLoop("PostgreSQL", "Postgres", NewPostgresDatabase());

    private static async Task CrashLoop(string name, string provider, string connection)
    {
        const int Kills = 20, Workers = 6;
        var random = new Random(20);
        var server = await ServerProcess.StartAsync(provider, connection, demo: true);
        try
        {
            var caseworker = await server.SignInAsync("sagsbehandler.lejre");
            var start = Today.With(DateAdjusters.StartOfMonth);
            var grants = await Load.GrantsAsync(caseworker, 40, start, seed: 3);
            var before = await Load.AvailableAsync(caseworker, grants);
            var sent = new HashSet<string>();
            var acknowledged = new HashSet<string>();
            int inFlight = 0, inFlightCommitted = 0, balancesChecked = 0;
            // Signed in once: the cookies outlive the restarts (the Data Protection keys are in the database).
            var clients = new List<HttpClient>();
            for (var w = 0; w < Workers; w++)
            {
                clients.Add(await server.SignInAsync("sagsbehandler.lejre"));
            }
            for (var round = 0; round < Kills; round++)
            {
                var roundSent = new System.Collections.Concurrent.ConcurrentBag<string>();
                var roundAcked = new System.Collections.Concurrent.ConcurrentBag<string>();
                var workers = clients.Select((client, w) => Task.Run(async () =>
                {
                    for (var n = 0; ; n++)
                    {
                        var key = $"crash-{round}-{w}-{n}";
                        var grant = grants[(w * 7 + n) % grants.Count];
                        roundSent.Add(key);
                        try
                        {
                            var response = await client.PostAsJsonAsync($"/api/grants/{grant}/sessions",
                                new { date = start.Iso(), hours = 0.25m, activity = "cinema", idempotencyKey = key });
                            if ((int)response.StatusCode >= 500)
                            {
                                throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                            }
                            if (response.IsSuccessStatusCode)
                            {
                                roundAcked.Add(key);
                            }
                        }
                        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                        {
                            return; // the server is gone
                        }
                    }
                })).ToList();
                await Task.Delay(random.Next(200, 1500));
                server.Kill();
                await Task.WhenAll(workers);
                sent.UnionWith(roundSent);
                acknowledged.UnionWith(roundAcked);

                server = await ServerProcess.StartAsync(provider, connection, port: server.Port);
                List<(Guid Grant, string? Key, int Minutes)> rows;
                await using (var db = Cli.DatabaseCommands.Open(provider, connection))
                {
                    rows = (await db.Sessions.Where(s => grants.Contains(s.GrantId)).Select(s => new { s.GrantId, s.IdempotencyKey, s.Minutes }).ToListAsync())
                        .Select(r => (r.GrantId, r.IdempotencyKey, r.Minutes)).ToList();
                }
                var stored = rows.Select(r => r.Key!).ToList();
                stored.Distinct().Count().ShouldBe(stored.Count, $"round {round}: a registration was stored twice");
                acknowledged.Except(stored).ShouldBeEmpty($"round {round}: acknowledged registrations are missing after the restart");
                stored.Except(sent).ShouldBeEmpty($"round {round}: registrations no one sent appeared");
                var unacked = roundSent.Except(roundAcked).ToList();
                inFlight += unacked.Count;
                inFlightCommitted += unacked.Count(stored.Contains);

                foreach (var g in grants)
                {
                    var balance = await caseworker.Get($"/api/grants/{g}/balance");
                    var used = rows.Where(r => r.Grant == g).Sum(r => r.Minutes) / 60m;
                    balance.GetProperty("usedTotal").GetDecimal().ShouldBe(used, $"round {round}: grant {g}");
                    balance.GetProperty("available").GetDecimal().ShouldBe(before[g] - used, $"round {round}: grant {g}");
                    balancesChecked++;
                }
                // A client that never heard back sends again with the same key: stored once, whatever happened.
                foreach (var key in unacked)
                {
                    var grant = grants[(int.Parse(key.Split('-')[2], System.Globalization.CultureInfo.InvariantCulture) * 7 + int.Parse(key.Split('-')[3], System.Globalization.CultureInfo.InvariantCulture)) % grants.Count];
                    var again = await caseworker.PostAsJsonAsync($"/api/grants/{grant}/sessions", new { date = start.Iso(), hours = 0.25m, activity = "cinema", idempotencyKey = key });
                    ((int)again.StatusCode).ShouldBeOneOf([200, 201, 422], await again.Content.ReadAsStringAsync());
                    if (again.StatusCode == HttpStatusCode.OK && !stored.Contains(key))
                    {
                        throw new ShouldAssertException($"{key} was answered as a repeat but was not stored");
                    }
                    if (again.IsSuccessStatusCode)
                    {
                        acknowledged.Add(key);
                    }
                }
            }
            await using (var db = Cli.DatabaseCommands.Open(provider, connection))
            {
                var keys = await db.Sessions.Where(s => grants.Contains(s.GrantId)).Select(s => s.IdempotencyKey!).ToListAsync();
                keys.Distinct().Count().ShouldBe(keys.Count);
                acknowledged.Except(keys).ShouldBeEmpty();
                (await new AuditLog(NodaTime.SystemClock.Instance, MasterKey.FromEnvironment()).VerifyAsync(db)).Problem.ShouldBeNull();
            }
            Summary.Line($"Crash ({name}): {Kills} SIGKILLs under load of {Workers} clients — acknowledged {acknowledged.Count}, lost 0, phantom 0, duplicates 0; " +
                $"in flight at a kill {inFlight} ({inFlightCommitted} committed whole, {inFlight - inFlightCommitted} not at all); balances equal to their entries {balancesChecked}/{balancesChecked}; audit chain intact");
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}

internal static class Reliability
{
    public static async Task<Dictionary<Guid, int>> MinutesPerGrantAsync(LedsagDb db, IReadOnlyCollection<Guid> grants) =>
        (await db.Sessions.Where(s => grants.Contains(s.GrantId)).Select(s => new { s.GrantId, s.Minutes }).ToListAsync())
        .GroupBy(s => s.GrantId).ToDictionary(g => g.Key, g => g.Sum(s => s.Minutes));

    /// <summary>Checks a load's outcome against the balances before it and returns the summary line.</summary>
    public static string Check(string name, Load.Outcome outcome, Dictionary<Guid, decimal> before, Dictionary<Guid, decimal> after,
        Dictionary<Guid, int> storedMinutes, int perGrant, decimal hours)
    {
        outcome.ServerErrors.ShouldBe(0, string.Join("\n", outcome.Unexpected));
        outcome.Other.ShouldBe(0, string.Join("\n", outcome.Unexpected));
        var allowed = 0;
        var overspent = 0;
        foreach (var (grant, available) in before)
        {
            var expected = Math.Min(perGrant, (int)Math.Floor(available / hours));
            allowed += expected;
            var accepted = outcome.AcceptedPerGrant.GetValueOrDefault(grant);
            accepted.ShouldBe(expected, $"grant {grant}: {available} hours available");
            storedMinutes.GetValueOrDefault(grant).ShouldBe((int)(accepted * hours * 60), $"grant {grant}: stored minutes");
            after[grant].ShouldBe(available - accepted * hours, $"grant {grant}: balance after");
            if (after[grant] < 0)
            {
                overspent++;
            }
        }
        outcome.Accepted.ShouldBe(allowed);
        return $"{name}: {outcome.Sent} registrations at once on {before.Count} grants in {outcome.Elapsed.TotalSeconds:0.0} s — " +
            $"accepted {outcome.Accepted} = allowed {allowed}, refused {outcome.Rejected} (422, no hours left), overspent {overspent}, 5xx {outcome.ServerErrors}";
    }
}
