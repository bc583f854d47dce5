using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Ledsag.Domain;
using Ledsag.Domain.Cases;
using Ledsag.Domain.Hours;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using DomainGrant = Ledsag.Domain.Hours.Grant;
using Grant = Ledsag.Web.Data.Grant;

namespace Ledsag.Bench;

/// <summary>
/// The whole country on one PostgreSQL: 98 municipalities (each a copy of one of the five real standards under its
/// own id, so each has its own audit chain), 15,000 grants with a year of sessions booked through the real ledger,
/// three citizens per companion, and two server instances. The Sunday-evening burst: every companion registers the
/// weekend (Saturday and Sunday, one session per citizen each day) at once, a twentieth of them sent twice with the
/// same idempotency key as a phone on a poor connection does; the registrations are split over both instances. The
/// same number of minimal inserts through both instances is the baseline. Afterwards: every accepted registration is
/// in the database once, no grant's ledger is overspent when replayed from the stored sessions, and every audit
/// chain is sealed and verifies.
/// </summary>
public static class National
{
    // Connections in flight over both instances (LEDSAG_BENCH_WORKERS to try another number).
    private static readonly int Workers = int.TryParse(Environment.GetEnvironmentVariable("LEDSAG_BENCH_WORKERS"), out var w) ? w : 64;

    public static async Task<List<Result>> RunAsync(string repo, string work, LocalDate today, int municipalities, int grantCount, int port, Action<string> say)
    {
        var results = new List<Result>();
        var standardsDir = WriteStandards(repo, Path.Combine(work, "national-standards"), municipalities);
        var standards = StandardsDirectory.Load(standardsDir);
        var ids = standards.Municipalities.Keys.Order(StringComparer.Ordinal).ToArray();
        var connection = BenchPostgres.Database("ledsag_national");
        var keyFile = Path.Combine(work, "national.key");
        say($"Landsdækkende: {ids.Length} kommuner, {grantCount} bevillinger, et års ledsagelser …");

        // A year of sessions per grant through the real ledger, and the companions (three citizens each).
        var random = new Random(98);
        var start = today.PlusYears(-1).With(DateAdjusters.StartOfMonth);
        var grants = new List<(Guid Id, Guid Citizen, string Municipality, LocalDate[] Dates, int[] Minutes)>();
        for (var i = 0; i < grantCount; i++)
        {
            var m = ids[i % ids.Length];
            var ledger = new HoursLedger(new DomainGrant(start, null, Minutes.FromHours(15), []), LedgerRules.Timeline(standards.Municipalities[m]));
            var dates = new List<LocalDate>();
            var minutes = new List<int>();
            for (var d = start.PlusDays(random.Next(10)); d < today.PlusDays(-7); d = d.PlusDays(8 + random.Next(5)))
            {
                var m0 = 90 + (15 * random.Next(7));
                if (ledger.Use(d, new Minutes(m0)).Accepted)
                {
                    dates.Add(d);
                    minutes.Add(m0);
                }
            }
            grants.Add((Guid.NewGuid(), Guid.NewGuid(), m, [.. dates], [.. minutes]));
        }
        var saturday = today.PlusDays(-1);
        while (saturday.DayOfWeek != IsoDayOfWeek.Saturday)
        {
            saturday = saturday.PlusDays(-1);
        }
        var now = SystemClock.Instance.GetCurrentInstant();
        var registrations = new List<Registration>();
        var companions = new List<Companion>();
        var users = new List<User>();
        var tokens = new List<ApiToken>();
        var assignments = new List<Assignment>();
        foreach (var group in grants.GroupBy(g => g.Municipality))
        {
            foreach (var three in group.Chunk(3))
            {
                var companion = new Companion { MunicipalityId = group.Key, Name = $"Ledsager {companions.Count + 1}", Status = CompanionStatus.Employed, CriminalRecordClean = true, CriminalRecordDate = start };
                companions.Add(companion);
                var user = new User { MunicipalityId = group.Key, UserName = $"national.ledsager.{companions.Count}", DisplayName = companion.Name, Role = Role.Companion, CompanionId = companion.Id };
                users.Add(user);
                var token = Convert.ToHexString(Guid.NewGuid().ToByteArray()) + Convert.ToHexString(Guid.NewGuid().ToByteArray());
                tokens.Add(new ApiToken { UserId = user.Id, Name = "bench", TokenHash = Authentication.HashToken(token), CreatedAt = now, ExpiresAt = now + Duration.FromDays(1) });
                for (var j = 0; j < three.Length; j++)
                {
                    assignments.Add(new Assignment { CompanionId = companion.Id, CitizenId = three[j].Citizen, From = start });
                    foreach (var day in new[] { saturday, saturday.PlusDays(1) })
                    {
                        var from = new LocalTime(10 + (3 * j), 0);
                        registrations.Add(new Registration(token, three[j].Id, day, from, from.PlusHours(2), Guid.NewGuid().ToString("N"), companions.Count % 2));
                    }
                }
            }
        }
        // A twentieth sent twice at once, with the same key (a retry on a poor connection).
        var twice = registrations.Where((_, i) => i % 20 == 0).ToList();
        var burst = registrations.Concat(twice).OrderBy(_ => random.Next()).ToList();

        await using (var db = Ledsag.Cli.DatabaseCommands.Open("Postgres", connection))
        {
            await Database.MigrateAsync(db);
            db.Municipalities.AddRange(ids.Select(m => new Municipality { Id = m, Name = standards.Municipalities[m].Name }));
            await db.SaveChangesAsync();
            var n = 0;
            var citizens = new List<Citizen>();
            var cases = new List<Case>();
            var grantRows = new List<Grant>();
            foreach (var g in grants)
            {
                n++;
                var birth = new LocalDate(1950 + (n % 50), 1 + (n % 12), 1 + (n % 28));
                citizens.Add(new Citizen { Id = g.Citizen, MunicipalityId = g.Municipality, Cpr = $"{birth:ddMMyy}{n % 4}{n / 4 % 1000:000}", BirthDate = birth, Name = $"Borger {n}" });
                var k = new Case { MunicipalityId = g.Municipality, CitizenId = g.Citizen, Number = $"NAT-{n:000000}", State = CaseState.Granted, ReceivedOn = start.PlusDays(-40), Channel = "brev" };
                cases.Add(k);
                grantRows.Add(new Grant { Id = g.Id, CaseId = k.Id, CitizenId = g.Citizen, MunicipalityId = g.Municipality, Start = start, MinutesPerMonth = 900, InForceCitizenId = g.Citizen });
            }
            await using var tx = await db.Database.BeginTransactionAsync();
            await BulkInsert.WriteAsync(db, users);
            await BulkInsert.WriteAsync(db, tokens);
            await BulkInsert.WriteAsync(db, companions);
            await BulkInsert.WriteAsync(db, citizens);
            await BulkInsert.WriteAsync(db, cases);
            await BulkInsert.WriteAsync(db, grantRows);
            await BulkInsert.WriteAsync(db, assignments);
            var written = await BulkInsert.WriteAsync(db, Generator.SessionRows(grants.Select(g => (g.Id, g.Dates, g.Minutes)), now));
            await tx.CommitAsync();
            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
            await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE");
            say($"  {citizens.Count} borgere, {companions.Count} ledsagere, {written} ledsagelser; weekendens registreringer: {registrations.Count} (+{twice.Count} sendt to gange)");
        }

        var env = new Dictionary<string, string> { ["Standards__Path"] = standardsDir, ["Security__MasterKeyFile"] = keyFile };
        using var first = await Server.StartAsync(repo, "Postgres", connection, port, env);
        using var second = await Server.StartAsync(repo, "Postgres", connection, port + 1, env);
        using var one = Client(first.Address);
        using var two = Client(second.Address);
        HttpClient On(int instance) => instance == 0 ? one : two;

        // Baseline: the same number of minimal inserts, through both instances, at the same concurrency.
        var rawTimes = await DrainAsync(burst.Count, async i =>
        {
            using var r = await On(i % 2).PostAsync($"/bench/raw-insert?grant={burst[i].Grant}", null);
            return ((int)r.StatusCode, null);
        });
        var answers = new ConcurrentBag<(Registration Registration, int Status, string? Body)>();
        var burstTimes = await DrainAsync(burst.Count, async i =>
        {
            var reg = burst[i];
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/grants/{reg.Grant}/sessions")
            {
                Content = JsonContent.Create(new
                {
                    date = reg.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), start = reg.Start.ToString("HH:mm", CultureInfo.InvariantCulture),
                    end = reg.End.ToString("HH:mm", CultureInfo.InvariantCulture), activity = "cinema", idempotencyKey = reg.Key,
                }),
            };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", reg.Token);
            using var response = await On(reg.Instance).SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            answers.Add((reg, (int)response.StatusCode, body));
            return ((int)response.StatusCode, body);
        });
        var byStatus = answers.GroupBy(a => a.Status).ToDictionary(g => g.Key, g => g.Count());
        var refusals = answers.Where(a => a.Status is 409 or 422).Select(a => Code(a.Body)).GroupBy(c => c).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}");
        say($"  søndagsbølge: {burst.Count} registreringer på {burstTimes.Seconds:0.0} s = {burstTimes.PerSecond:0}/s, p99 {burstTimes.P99:0.0} ms; svar {string.Join(", ", byStatus.OrderBy(k => k.Key).Select(k => $"{k.Key}: {k.Value}"))}; afvist: {string.Join(", ", refusals)}");
        say($"  rå indsættelse gennem begge instanser: {rawTimes.PerSecond:0}/s, p99 {rawTimes.P99:0.0} ms");

        // Nothing lost, nothing twice, nothing overspent; every audit chain sealed and intact.
        var accepted = answers.Where(a => a.Status is 200 or 201).Select(a => (a.Registration.Key, Id: JsonDocument.Parse(a.Body!).RootElement.GetProperty("session").GetProperty("id").GetGuid())).ToList();
        var sameKeySameId = accepted.GroupBy(a => a.Key).All(g => g.Select(x => x.Id).Distinct().Count() == 1);
        var acceptedIds = accepted.Select(a => a.Id).ToHashSet();
        await Task.Delay(TimeSpan.FromSeconds(3)); // the sealers' last pass
        long lost, duplicates, overspent, unsealed;
        string? auditProblem;
        long chains;
        await using (var db = Ledsag.Cli.DatabaseCommands.Open("Postgres", connection))
        {
            var stored = await db.Sessions.AsNoTracking().Where(s => s.IdempotencyKey != null).Select(s => new { s.Id, s.GrantId, s.IdempotencyKey }).ToListAsync();
            var storedIds = stored.Select(s => s.Id).ToHashSet();
            lost = acceptedIds.Count(id => !storedIds.Contains(id));
            duplicates = stored.GroupBy(s => (s.GrantId, s.IdempotencyKey)).Count(g => g.Count() > 1) + stored.Count(s => !acceptedIds.Contains(s.Id));
            var touched = stored.Select(s => s.GrantId).ToHashSet();
            var rows = await db.Sessions.AsNoTracking().Where(s => s.ReversalOf == null).Select(s => new { s.GrantId, s.Date, s.Sequence, s.Minutes }).ToListAsync();
            var municipalityOf = grants.ToDictionary(g => g.Id, g => g.Municipality);
            overspent = 0;
            foreach (var grant in rows.Where(r => touched.Contains(r.GrantId)).GroupBy(r => r.GrantId))
            {
                var ledger = new HoursLedger(new DomainGrant(start, null, Minutes.FromHours(15), []), LedgerRules.Timeline(standards.Municipalities[municipalityOf[grant.Key]]));
                overspent += grant.OrderBy(r => r.Date).ThenBy(r => r.Sequence).Count(r => !ledger.Use(r.Date, new Minutes(r.Minutes)).Accepted);
            }
            unsealed = await db.Audit.CountAsync(a => a.Sequence == 0);
            chains = await db.Audit.Select(a => a.Chain).Distinct().CountAsync();
            var key = MasterKey.Load(null, keyFile);
            (_, auditProblem) = await new AuditLog(SystemClock.Instance, key).VerifyAsync(db);
        }
        say($"  tabt {lost}, dobbelt {duplicates}, samme nøgle samme svar: {sameKeySameId}, overforbrug {overspent}, uforseglede auditposter {unsealed}, {chains} auditkæder: {auditProblem ?? "intakte"}");

        var where = $"{ids.Length} municipalities, {grantCount:#,0} grants, 2 instances, PostgreSQL";
        results.Add(Result.Share($"National Sunday burst: session registrations, {Workers} connections ({where})", burstTimes.PerSecond, "requests/s", rawTimes.PerSecond, 0.5));
        results.Add(Result.RatioAtMost($"National Sunday burst: registration p99 ({where}; baseline: the minimal insert's p99)", burstTimes.P99, "ms", rawTimes.P99, 2));
        results.Add(Result.AtMost("National Sunday burst: accepted registrations not stored, or stored twice", lost + duplicates + (sameKeySameId ? 0 : 1), "sessions", double.NaN, 0));
        results.Add(Result.AtMost("National Sunday burst: sessions over a grant's hours when the ledger is replayed", overspent, "sessions", double.NaN, 0));
        results.Add(Result.AtMost("National Sunday burst: server errors (5xx) and failed requests", answers.Count(a => a.Status >= 500 || a.Status == 0), "requests", double.NaN, 0));
        results.Add(Result.AtMost($"National Sunday burst: audit entries unsealed or chains failing verification ({chains} chains)", unsealed + (auditProblem is null ? 0 : 1), "entries", double.NaN, 0));
        results.Add(Result.Measured("National Sunday burst: registrations accepted (others refused by the rules, e.g. hours used up)", accepted.Select(a => a.Id).Distinct().Count(), "sessions"));
        return results;
    }

    private sealed record Registration(string Token, Guid Grant, LocalDate Date, LocalTime Start, LocalTime End, string Key, int Instance);

    private sealed record Drained(double Seconds, double PerSecond, double P99);

    private static HttpClient Client(Uri address) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = Workers, UseCookies = false }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(120) };

    // Workers take the next item until none is left; latency is each request's own (from sending to the answer).
    private static async Task<Drained> DrainAsync(int count, Func<int, Task<(int Status, string? Body)>> send)
    {
        var next = -1;
        var latencies = new ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    await send(i);
                }
                catch (HttpRequestException)
                {
                }
                latencies.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }
        })));
        var seconds = clock.Elapsed.TotalSeconds;
        var sorted = latencies.Order().ToArray();
        return new Drained(seconds, count / seconds, sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(0.99 * sorted.Length) - 1)]);
    }

    private static string Code(string? body)
    {
        try
        {
            return body is null ? "?" : JsonDocument.Parse(body).RootElement.TryGetProperty("code", out var c) ? c.GetString() ?? "?" : "?";
        }
        catch (JsonException)
        {
            return "?";
        }
    }

    // Each of the country's municipalities as a copy of one of the five real standards under its own id and name.
    private static string WriteStandards(string repo, string dir, int count)
    {
        Directory.CreateDirectory(dir);
        var source = Path.Combine(repo, "standards");
        File.Copy(Path.Combine(source, "national.yaml"), Path.Combine(dir, "national.yaml"), overwrite: true);
        for (var i = 1; i <= count; i++)
        {
            var model = Generator.Municipalities[i % Generator.Municipalities.Length];
            var id = $"kommune{i:00}";
            var text = File.ReadAllLines(Path.Combine(source, $"{model}.yaml"))
                .Select(l => l.StartsWith("id: ", StringComparison.Ordinal) ? $"id: {id}" : l.StartsWith("name: ", StringComparison.Ordinal) ? $"name: Kommune {i:00} (som {model})" : l);
            File.WriteAllLines(Path.Combine(dir, $"{id}.yaml"), text);
        }
        return dir;
    }
}
