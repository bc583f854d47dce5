using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ledsag.Bench;
using Ledsag.Domain;
using Ledsag.Domain.Cases;
using Ledsag.Domain.Hours;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime;

// Ledsag's benchmark suite: every user path beside this machine's own floor, measured in the same run.
// Usage: dotnet run -c Release --project bench/Ledsag.Bench [-- --citizens 20000 --seconds 8 --out bench/results]
// (--only replay,http,national,import,citizens and --db Sqlite,Postgres run a subset, for working on one scenario; a committed result runs all.)
var options = args.Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(x => x.a[2..], x => x.i + 1 < args.Length && !args[x.i + 1].StartsWith("--", StringComparison.Ordinal) ? args[x.i + 1] : "true");
var citizens = int.Parse(options.GetValueOrDefault("citizens", "20000"), CultureInfo.InvariantCulture);
var seconds = double.Parse(options.GetValueOrDefault("seconds", "8"), CultureInfo.InvariantCulture);
var importRows = int.Parse(options.GetValueOrDefault("import-rows", "1000000"), CultureInfo.InvariantCulture);
var citizenRows = int.Parse(options.GetValueOrDefault("citizen-rows", "1000000"), CultureInfo.InvariantCulture);
var nationalMunicipalities = int.Parse(options.GetValueOrDefault("national-municipalities", "98"), CultureInfo.InvariantCulture);
var nationalGrants = int.Parse(options.GetValueOrDefault("national-grants", "15000"), CultureInfo.InvariantCulture);
var only = options.TryGetValue("only", out var o) ? o.Split(',').ToHashSet() : ["replay", "http", "national", "import", "citizens"];
var repo = Ledsag.Testing.RepositoryRoot.Path;
var outDir = Path.GetFullPath(options.GetValueOrDefault("out", Path.Combine(repo, "bench", "results")));
var work = Directory.CreateTempSubdirectory("ledsag-bench-").FullName;
var total = Stopwatch.StartNew();
var results = new List<Result>();
var today = SystemClock.Instance.GetCurrentInstant().InZone(DateTimeZoneProviders.Tzdb["Europe/Copenhagen"]).Date;
var standards = StandardsDirectory.Load(Path.Combine(repo, "standards"));
void Say(string text) => Console.WriteLine($"[{total.Elapsed:mm\\:ss}] {text}");

Say($"Data: {citizens} borgere over fem år …");
var data = new Generator(standards, today, citizens);
data.Build();
Say($"  {data.SessionCount} ledsagelser på {data.Grants.Count} bevillinger");

// 1. Ledger replay, one core: every grant's five years through the real ledger, against summing the same minutes in a flat array.
if (only.Contains("replay"))
{
    var rules = Generator.Municipalities.ToDictionary(m => m, m => LedgerRules.Timeline(standards.Municipalities[m]));
    var flat = data.Grants.SelectMany(g => g.Minutes).ToArray();
    long sink = 0;
    double Replay()
    {
        var watch = Stopwatch.StartNew();
        foreach (var g in data.Grants)
        {
            var ledger = new HoursLedger(g.Domain, rules[g.Municipality]);
            var dates = g.Dates;
            var minutes = g.Minutes;
            for (var i = 0; i < dates.Length; i++)
            {
                sink += ledger.Use(dates[i], new Minutes(minutes[i])).Accepted ? 1 : 0;
            }
            sink += ledger.BalanceAt(today).Available.Value;
        }
        return data.SessionCount / watch.Elapsed.TotalSeconds;
    }
    double Flat()
    {
        var watch = Stopwatch.StartNew();
        long sum = 0;
        for (var i = 0; i < flat.Length; i++)
        {
            sum += flat[i];
        }
        sink += sum;
        return flat.Length / watch.Elapsed.TotalSeconds;
    }
    Replay();
    Flat();
    var replay = Enumerable.Range(0, 5).Select(_ => Replay()).Max();
    var baseline = Enumerable.Range(0, 5).Select(_ => Flat()).Max();
    results.Add(Result.AtLeast("Ledger replay (20,000 citizens × 5 years, one core)", replay, "sessions/s", baseline, 20_000_000));
    Say($"  replay {replay / 1e6:0.0} M/s, flat array {baseline / 1e6:0} M/s ({sink % 2})");
}

// 2–4 and 6 on each database.
var port = 5600;
var providers = options.TryGetValue("db", out var dbs) ? dbs.Split(',') : ["Sqlite", "Postgres"];
foreach (var provider in only.Contains("http") ? providers : [])
{
    var connection = provider == "Sqlite" ? $"Data Source={Path.Combine(work, "bench.db")}" : BenchPostgres.Database("ledsag_bench");
    Say($"{provider}: skriver data …");
    await using (var db = Ledsag.Cli.DatabaseCommands.Open(provider, connection))
    {
        await Database.MigrateAsync(db);
        foreach (var m in Generator.Municipalities)
        {
            db.Municipalities.Add(new Municipality { Id = m, Name = standards.Municipalities[m].Name });
        }
        await db.SaveChangesAsync();
        await data.WriteAsync(db, new Progress<string>(s => Say("  " + s)));
        if (provider == "Postgres")
        {
            // Five years of history in a running database have long been vacuumed; a fresh bulk load has not
            // (its visibility map is empty, so no scan is index-only). Bring the load to that steady state.
            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
            await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE");
        }
    }
    using var server = await Server.StartAsync(repo, provider, connection, port++);
    var name = provider == "Sqlite" ? "SQLite" : "PostgreSQL";
    Say($"  server oppe efter {server.Startup.TotalSeconds:0.00} s");
    var staff = new List<HttpClient>();
    for (var i = 0; i < 32; i++)
    {
        staff.Add(await server.SignInAsync("bench.sagsbehandler.haderslev"));
    }
    var grants = data.Haderslev;
    var duration = TimeSpan.FromSeconds(seconds);
    var warmup = TimeSpan.FromSeconds(2);

    var raw = await Load.RunAsync(staff, (c, w, n) => c.PostAsync($"/bench/raw-insert?grant={grants[(int)(n % grants.Count)]}", null), duration, warmup);
    var register = await Load.RunAsync(staff, (c, w, n) => c.PostAsJsonAsync($"/api/grants/{grants[(int)(n * 7919 % grants.Count)]}/sessions",
        new { date = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), hours = 0.25m, activity = "cinema" }), duration, warmup);
    Say($"  registrering {register.PerSecond:0}/s p99 {register.P99:0.0} ms (fejl {register.Failures}: {register.FirstFailure}); rå indsættelse {raw.PerSecond:0}/s p99 {raw.P99:0.0} ms");
    results.Add(Result.Share($"Session registration over HTTP, 32 clients ({name})", register.PerSecond, "requests/s", raw.PerSecond, 0.5));
    results.Add(Result.RatioAtMost($"Session registration p99 ({name}; baseline: the minimal insert's own p99)", register.P99, "ms", raw.P99, 2));
    var rss = server.PeakRssMb();

    var citizensClients = new List<HttpClient>();
    for (var k = 0; k < 32; k++)
    {
        citizensClients.Add(await server.SignInAsync($"bench.borger.{k}"));
    }
    var own = data.Grants.Where(g => g.Municipality == "haderslev").Take(32).Select(g => g.Id).ToList();
    var rawRead = await Load.RunAsync(citizensClients, (c, w, n) => c.GetAsync($"/bench/raw-read?grant={own[w]}"), duration, warmup);
    var balance = await Load.RunAsync(citizensClients, (c, w, n) => c.GetAsync($"/api/grants/{own[w]}/balance"), duration, warmup);
    Say($"  saldo {balance.PerSecond:0}/s p99 {balance.P99:0.0} ms (fejl {balance.Failures}: {balance.FirstFailure}); rå læsning {rawRead.PerSecond:0}/s p99 {rawRead.P99:0.0} ms");
    results.Add(Result.Share($"Balance and forecast read over HTTP, 32 clients ({name})", balance.PerSecond, "requests/s", rawRead.PerSecond, 0.5));
    results.Add(Result.AtMost($"Balance and forecast read p99 ({name})", balance.P99, "ms", rawRead.P99, 10));

    var worklist = await Load.RunAsync([staff[0]], (c, w, n) => c.GetAsync("/api/worklist"), TimeSpan.FromSeconds(Math.Max(3, seconds / 2)), TimeSpan.FromSeconds(1));
    var oneRead = await Load.RunAsync([staff[0]], (c, w, n) => c.GetAsync($"/bench/raw-read?grant={grants[0]}"), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(0.5));
    Say($"  arbejdsliste (2.000 åbne sager) p95 {worklist.P95:0.0} ms over {worklist.Requests} kald");
    results.Add(Result.AtMost($"Caseworker worklist, 2,000 open cases, p95 ({name})", worklist.P95, "ms", oneRead.P95, 100));
    if (provider == "Sqlite")
    {
        results.Add(Result.AtMost("Server peak RSS during registration load (SQLite, 20,000 citizens)", rss, "MB", double.NaN, 300));
        var cli = Stopwatch.StartNew();
        using (var p = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(repo, "src", "Ledsag.Cli", "bin", "Release", "net10.0", "ledsag.dll"), "--help"]) { RedirectStandardOutput = true })!)
        {
            await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();
        }
        results.Add(Result.AtMost("Start to first successful request (SQLite, 20,000 citizens)", server.Startup.TotalSeconds, "s", cli.Elapsed.TotalSeconds, 3));
    }
    foreach (var c in staff.Concat(citizensClients))
    {
        c.Dispose();
    }
}

// 8. The whole country on one PostgreSQL with two server instances: the Sunday-evening burst.
if (only.Contains("national"))
{
    results.AddRange(await National.RunAsync(repo, work, today, nationalMunicipalities, nationalGrants, port, Say));
    port += 2;
}

// 5. Import of historical sessions from CSV (SQLite), against a raw bulk insert of the same rows.
if (only.Contains("import"))
{
    Say($"Import: {importRows} ledsagelser fra CSV …");
    var perGrant = 250;
    var importGrants = importRows / perGrant;
    var random = new Random(5);
    var start = today.PlusYears(-5).With(DateAdjusters.StartOfMonth);
    var people = Enumerable.Range(0, importGrants).Select(i =>
    {
        var birth = new LocalDate(1950 + (i % 50), 1 + (i % 12), 1 + (i % 28));
        var citizen = new Citizen { MunicipalityId = "gribskov", Cpr = $"{birth:ddMMyy}{i % 4}{i / 4 % 1000:000}", BirthDate = birth, Name = $"Import {i}" };
        var k = new Case { MunicipalityId = "gribskov", CitizenId = citizen.Id, Number = $"IMP-{i:000000}", State = CaseState.Granted, ReceivedOn = start.PlusDays(-40), Channel = "brev" };
        var g = new Ledsag.Web.Data.Grant { CaseId = k.Id, CitizenId = citizen.Id, MunicipalityId = "gribskov", Start = start, MinutesPerMonth = 900, InForceCitizenId = citizen.Id };
        return (citizen, k, g);
    }).ToList();
    var csv = Path.Combine(work, "sessions.csv");
    var rows = new List<SessionRow>(importRows);
    var now = SystemClock.Instance.GetCurrentInstant();
    var activities = new[] { "cinema", "culture", "sport", "shopping", "social" };
    await using (var writer = new StreamWriter(csv, false, new UTF8Encoding(true)))
    {
        await writer.WriteLineAsync("cpr;dato;start;slut;timer;aktivitet;km");
        foreach (var (citizen, _, g) in people)
        {
            var d = start;
            for (var s = 0; s < perGrant; s++)
            {
                d = d.PlusDays(5 + random.Next(4));
                var minutes = 60 + (15 * random.Next(3));
                var activity = activities[s % activities.Length];
                await writer.WriteLineAsync($"{citizen.Cpr[..6]}-{citizen.Cpr[6..]};{d:dd-MM-yyyy};;;{minutes / 60m:0.##};{activity};{(s % 4 == 0 ? "12,5" : "0")}".Replace('.', ','));
                rows.Add(new SessionRow { GrantId = g.Id, Date = d, Minutes = minutes, Activity = activity, Km = s % 4 == 0 ? 12.5m : 0, RegisteredBy = Guid.Empty, RegisteredByRole = "Import", RegisteredAt = now, ConfirmedAt = now, Sequence = s + 1 });
            }
        }
    }
    async Task<string> FreshDb(string file)
    {
        var connection = $"Data Source={Path.Combine(work, file)}";
        await using var db = Ledsag.Cli.DatabaseCommands.Open("Sqlite", connection);
        await Database.MigrateAsync(db);
        db.Municipalities.Add(new Municipality { Id = "gribskov", Name = "Gribskov" });
        await db.SaveChangesAsync();
        await using var tx = await db.Database.BeginTransactionAsync();
        await BulkInsert.WriteAsync(db, people.Select(p => p.citizen));
        await BulkInsert.WriteAsync(db, people.Select(p => p.k));
        await BulkInsert.WriteAsync(db, people.Select(p => p.g));
        await tx.CommitAsync();
        return connection;
    }
    var target = await FreshDb("import.db");
    var rawTarget = await FreshDb("raw.db");
    var rawClock = Stopwatch.StartNew();
    await using (var db = Ledsag.Cli.DatabaseCommands.Open("Sqlite", rawTarget))
    {
        await using var tx = await db.Database.BeginTransactionAsync();
        await BulkInsert.WriteAsync(db, rows);
        await tx.CommitAsync();
    }
    var rawRate = rows.Count / rawClock.Elapsed.TotalSeconds;
    var importClock = Stopwatch.StartNew();
    using var output = new StringWriter();
    var exit = await Ledsag.Cli.ImportCommand.RunAsync("sessions", csv, "gribskov", apply: true, skipInvalid: false, json: false, "Sqlite", target,
        Path.Combine(repo, "standards"), output, TextWriter.Null);
    var importRate = importRows / importClock.Elapsed.TotalSeconds;
    Say($"  import {importRate:0} rækker/s (exit {exit}: {output.ToString().Trim()}); rå bulk-indsættelse {rawRate:0} rækker/s");
    if (exit != 0)
    {
        throw new InvalidOperationException("the import failed: " + output);
    }
    results.Add(Result.AtLeast("Import of 1,000,000 sessions from CSV (SQLite)", importRate, "rows/s", rawRate, 100_000));
    results.Add(Result.Share("Import against a raw bulk insert of the same rows (SQLite)", importRate, "rows/s", rawRate, 0.3));
}

// 7. Import of 1,000,000 citizens from CSV as its own process, dry run and --apply (SQLite): the file is read record by
// record, so peak memory at 1,000,000 rows stays near the peak at 100,000 (the baseline), and the rate is reported.
if (only.Contains("citizens"))
{
    var cliDll = Path.Combine(repo, "src", "Ledsag.Cli", "bin", "Release", "net10.0", "ledsag.dll");
    var measured = new List<CitizenImport.Measurement>();
    foreach (var n in new[] { citizenRows / 10, citizenRows })
    {
        var csv = Path.Combine(work, $"borgere-{n}.csv");
        CitizenImport.Generate(csv, n);
        Say($"Import af {n} borgere fra CSV ({new FileInfo(csv).Length / 1e6:0} MB) …");
        foreach (var apply in new[] { false, true })
        {
            var connection = await CitizenImport.FreshDatabaseAsync(Path.Combine(work, $"borgere-{n}-{apply}.db"));
            var m = await CitizenImport.MeasureAsync(cliDll, Path.Combine(repo, "standards"), csv, n, connection, apply, work);
            Say($"  {(apply ? "--apply" : "prøvekørsel")}: {m.Seconds:0.0} s, {m.RowsPerSecond:0} rækker/s, højeste RSS {m.PeakRssMb:0} MB — {m.Output}");
            measured.Add(m);
        }
        File.Delete(csv);
    }
    foreach (var apply in new[] { false, true })
    {
        var (small, large) = (measured.First(m => m.Apply == apply), measured.Last(m => m.Apply == apply));
        var how = apply ? "--apply" : "dry run";
        results.Add(Result.Measured($"Import of {small.Rows:#,0} citizens from CSV, {how} (SQLite)", small.RowsPerSecond, "rows/s"));
        results.Add(Result.Measured($"Import of {large.Rows:#,0} citizens from CSV, {how} (SQLite)", large.RowsPerSecond, "rows/s"));
        results.Add(Result.Measured($"Peak RSS importing {small.Rows:#,0} citizens, {how}", small.PeakRssMb, "MB"));
        results.Add(Result.RatioAtMost($"Peak RSS importing {large.Rows:#,0} citizens, {how} (baseline: {small.Rows:#,0} rows)", large.PeakRssMb, "MB", small.PeakRssMb, 1.5));
    }
}

BenchPostgres.Stop();
Directory.Delete(work, recursive: true);
Directory.CreateDirectory(outDir);
var run = new
{
    date = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    machine = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}",
    citizens, sessions = data.SessionCount, seconds = Math.Round(total.Elapsed.TotalSeconds),
    scenarios = results,
};
await File.WriteAllTextAsync(Path.Combine(outDir, "latest.json"), JsonSerializer.Serialize(run, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }) + "\n");
var md = new StringBuilder($"# Ledsag benchmark — {run.date}\n\n{run.machine}; {citizens} citizens, {data.SessionCount} sessions; the run took {total.Elapsed.TotalMinutes:0.0} min.\n\n");
md.AppendLine("| Scenario | Value | Baseline (same run) | Ratio | Goal | Met |").AppendLine("|---|---:|---:|---:|---|:-:|");
foreach (var r in results)
{
    md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Name} | {Fmt(r.Value)} {r.Unit} | {(r.Baseline is { } b ? Fmt(b) : "—")} | {(r.Ratio is { } q ? q.ToString("0.00", CultureInfo.InvariantCulture) : "—")} | {r.Goal} | {(r.Met ? "yes" : "**no**")} |");
}
await File.WriteAllTextAsync(Path.Combine(outDir, "latest.md"), md.ToString());
Console.WriteLine();
Console.WriteLine(md);
return results.All(r => r.Met) ? 0 : 1;

static string Fmt(double v) => v >= 1000 ? v.ToString("#,0", CultureInfo.InvariantCulture) : v.ToString("0.0#", CultureInfo.InvariantCulture);

/// <summary>One scenario's figure beside its baseline measured in the same run.</summary>
public sealed record Result(string Name, double Value, string Unit, double? Baseline, double? Ratio, string Goal, bool Met)
{
    private static double? Known(double v) => double.IsNaN(v) || double.IsInfinity(v) ? null : v;

    public static Result AtLeast(string name, double value, string unit, double baseline, double goal) =>
        new(name, Math.Round(value, 1), unit, Known(Math.Round(baseline, 1)), Known(Math.Round(value / baseline, 3)), $"≥ {goal.ToString("#,0", CultureInfo.InvariantCulture)} {unit}", value >= goal);

    public static Result AtMost(string name, double value, string unit, double baseline, double goal) =>
        new(name, Math.Round(value, 2), unit, Known(Math.Round(baseline, 2)), Known(Math.Round(value / baseline, 3)), $"≤ {goal.ToString(CultureInfo.InvariantCulture)} {unit}", value <= goal);

    /// <summary>A figure reported for the record, with no goal of its own.</summary>
    public static Result Measured(string name, double value, string unit) => new(name, Math.Round(value, 1), unit, null, null, "—", true);

    public static Result RatioAtMost(string name, double value, string unit, double baseline, double ratio) =>
        new(name, Math.Round(value, 1), unit, Known(Math.Round(baseline, 1)), Known(Math.Round(value / baseline, 3)), $"≤ {ratio.ToString("0.0#", CultureInfo.InvariantCulture)} × baseline", value / baseline <= ratio);

    public static Result Share(string name, double value, string unit, double baseline, double goal) =>
        new(name, Math.Round(value, 1), unit, Known(Math.Round(baseline, 1)), Known(Math.Round(value / baseline, 3)), $"≥ {goal * 100:0}% of baseline", value / baseline >= goal);
}
