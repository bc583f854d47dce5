using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using Ledsag.Domain;
using Ledsag.Domain.Cases;
using Ledsag.Domain.Hours;
using Ledsag.Domain.Standards;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using NodaTime;
using NodaTime.Text;

namespace Ledsag.Cli;

/// <summary>
/// <c>ledsag import citizens|sessions FILE</c>: CSV as a municipality exports it from Excel (UTF-8 or
/// Windows-1252, <c>;</c>, fields in quotes with <c>;</c> or line breaks, decimal commas, dd-mm-yyyy or ISO dates),
/// read record by record (<see cref="CsvRecords"/>). A dry run by default that reports every bad row and imports
/// nothing while any row is bad; <c>--apply</c> imports; <c>--skip-invalid</c> imports the good rows and writes the bad
/// ones to FILE.fejl.csv. Importing the same file twice adds nothing. Rows are saved in batches as they are read; what a
/// kind must remember across rows is kept per key (a CPR number, a grant), never the rows themselves.
/// </summary>
public static class ImportCommand
{
    public sealed record RowError(int Row, string Column, string Reason);

    private sealed record Kind(string[] Columns, string[] Required);

    private static readonly Dictionary<string, Kind> Kinds = new()
    {
        ["citizens"] = new(["cpr", "navn", "adresse", "telefon", "email", "førtidspension"], ["cpr", "navn"]),
        ["sessions"] = new(["cpr", "dato", "start", "slut", "timer", "aktivitet", "km"], ["cpr", "dato", "aktivitet"]),
        ["grants"] = new(["cpr", "start", "slut", "timer_pr_måned", "begrundelse"], ["cpr", "start"]),
        ["agreements"] = new(["cpr", "fra", "til", "formål", "aftalt"], ["cpr", "fra", "til", "formål"]),
        ["companions"] = new(["navn", "cpr", "telefon", "email", "område", "kørekort", "kørestol", "status"], ["navn", "cpr"]),
    };

    public static async Task<int> RunAsync(string kind, string file, string municipality, bool apply, bool skipInvalid, bool json,
        string? provider, string? connection, string standardsDir, TextWriter output, TextWriter error)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var standards = StandardsDirectory.Load(standardsDir);
            if (!standards.Municipalities.TryGetValue(municipality, out var standard))
            {
                throw new ArgumentException($"--municipality: ukendt kommune '{municipality}'");
            }
            if (!Kinds.TryGetValue(kind, out var spec))
            {
                throw new ArgumentException($"'{kind}' kan ikke importeres (kan: citizens, grants, agreements, sessions, companions)");
            }
            var errors = new List<RowError>();
            int rows, added = 0, skippedAsKnown = 0;
            using (var records = CsvRecords.Open(file, spec.Columns, spec.Required, errors))
            {
                await using var db = DatabaseCommands.Open(provider, connection);
                var today = SystemClock.Instance.GetCurrentInstant().InZone(DateTimeZoneProviders.Tzdb["Europe/Copenhagen"]).Date;
                var run = new Run(db, records, errors, new Progress(records, json ? TextWriter.Null : error), apply || skipInvalid, skipInvalid);
                if (errors.Count == 0)
                {
                    (added, skippedAsKnown) = kind switch
                    {
                        "citizens" => await CitizensAsync(run, municipality),
                        "sessions" => await SessionsAsync(run, standard, today),
                        "grants" => await GrantsAsync(run, standard),
                        "agreements" => await AgreementsAsync(run, standard),
                        _ => await CompanionsAsync(run, standard),
                    };
                }
                else
                {
                    while (records.Read())
                    {
                        // Only counted, for the summary: with a bad header no row is checked.
                    }
                }
                rows = records.Count;
            }
            string? rejectedFile = null;
            if (skipInvalid && errors.Any(e => e.Row > 1))
            {
                rejectedFile = file + ".fejl.csv";
                WriteRejected(file, rejectedFile, spec, errors);
            }
            var rate = rows / Math.Max(clock.Elapsed.TotalSeconds, 0.001);
            var imported = (apply && errors.Count == 0) || skipInvalid;
            if (json)
            {
                output.WriteLine(JsonSerializer.Serialize(new { kind, file, rows, errors, imported, added, alreadyKnown = skippedAsKnown, rejectedFile, rowsPerSecond = Math.Round(rate) },
                    new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
            }
            else
            {
                foreach (var e in errors.Take(1000))
                {
                    error.WriteLine(e.Column.Length == 0 ? $"{file}: række {e.Row}: {e.Reason}" : $"{file}: række {e.Row}, kolonne {e.Column}: {e.Reason}");
                }
                if (errors.Count > 1000)
                {
                    error.WriteLine($"… og {errors.Count - 1000} fejl mere");
                }
                var badRows = errors.Select(e => e.Row).Distinct().Count();
                output.WriteLine(imported
                    ? $"Importeret: {added} nye, {skippedAsKnown} fandtes i forvejen, {badRows} rækker afvist{(rejectedFile is null ? "" : $" (skrevet til {rejectedFile})")}. {rows} rækker på {clock.Elapsed.TotalSeconds:0.0} s ({rate:0} rækker/s)."
                    : errors.Count > 0
                        ? $"Intet importeret: {badRows} af {rows} rækker har fejl. Ret dem, eller brug --skip-invalid."
                        : $"Prøvekørsel: alle {rows} rækker er gyldige ({added} nye, {skippedAsKnown} fandtes i forvejen). Kør med --apply for at importere.");
            }
            return errors.Count > 0 && !skipInvalid ? LedsagCommand.Failed : LedsagCommand.Ok;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or FormatException)
        {
            error.WriteLine($"fejl: {e.Message}");
            return LedsagCommand.BadInput;
        }
        catch (MaxFieldSizeException e)
        {
            error.WriteLine($"fejl: {file}, række {e.Context?.Parser?.Row}: et felt er over 100.000 tegn; et anførselstegn (\") er nok ikke lukket");
            return LedsagCommand.BadInput;
        }
        catch (CsvHelperException e)
        {
            error.WriteLine($"fejl: {file} kan ikke læses som CSV ({e.Message})");
            return LedsagCommand.BadInput;
        }
    }

    /// <summary>
    /// The bad rows to FILE.fejl.csv, read again from the file (only their row numbers and reasons were kept), with their
    /// fields as the file had them and the reasons in a «fejl» column, quoted where needed, in the file's separator (so
    /// numbers mean the same when the corrected file is imported again: its «fejl» column is then ignored).
    /// </summary>
    private static void WriteRejected(string file, string rejectedFile, Kind spec, List<RowError> errors)
    {
        var reasons = errors.Where(e => e.Row > 1).GroupBy(e => e.Row)
            .ToDictionary(g => g.Key, g => string.Join(" / ", g.Select(e => e.Column.Length == 0 ? e.Reason : $"{e.Column}: {e.Reason}")));
        using var records = CsvRecords.Open(file, spec.Columns, [], []);
        using var writer = new StreamWriter(rejectedFile, false, new UTF8Encoding(true));
        using var csv = new CsvWriter(writer, new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = records.Delimiter, NewLine = "\r\n", HasHeaderRecord = false, InjectionOptions = InjectionOptions.None,
        });
        var width = records.Header.Count;
        var errorColumn = records.Header.ToList().FindIndex(h => h.Equals(CsvRecords.ErrorColumn, StringComparison.OrdinalIgnoreCase));
        foreach (var h in errorColumn >= 0 ? records.Header : [.. records.Header, CsvRecords.ErrorColumn])
        {
            csv.WriteField(h);
        }
        csv.NextRecord();
        while (records.Read())
        {
            if (!reasons.TryGetValue(records.Row, out var reason))
            {
                continue;
            }
            var fields = records.Fields;
            for (var i = 0; i < width; i++)
            {
                csv.WriteField(i == errorColumn ? reason : i < fields.Count ? fields[i] : "");
            }
            if (errorColumn < 0)
            {
                csv.WriteField(reason);
            }
            // Cells beyond the header are kept too, after the reasons, rather than lost.
            for (var i = width; i < fields.Count; i++)
            {
                csv.WriteField(fields[i]);
            }
            csv.NextRecord();
        }
    }

    private static readonly LocalDatePattern DanishDate = LocalDatePattern.CreateWithInvariantCulture("dd-MM-uuuu");

    private static LocalDate? Date(string? text) =>
        text is null ? null : LocalDatePattern.Iso.Parse(text) is { Success: true } iso ? iso.Value
            : DanishDate.Parse(text.Replace('.', '-').Replace('/', '-')) is { Success: true } dk ? dk.Value : null;

    /// <summary>A CPR number's ten digits as one number: a set of these is a fifth of the size of a set of strings.</summary>
    private static long Key(Cpr cpr) => long.Parse(cpr.Digits, CultureInfo.InvariantCulture);

    private static async Task<HashSet<long>> CprKeysAsync(IQueryable<string?> cprs)
    {
        var keys = new HashSet<long>();
        await foreach (var digits in cprs.AsAsyncEnumerable())
        {
            if (long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var key))
            {
                keys.Add(key);
            }
        }
        return keys;
    }

    private static async Task<(int Added, int Already)> CitizensAsync(Run run, string municipality)
    {
        var (records, errors) = (run.Records, run.Errors);
        var known = await CprKeysAsync(run.Db.Citizens.Where(c => c.MunicipalityId == municipality).Select(c => (string?)c.Cpr));
        var seen = new HashSet<long>(); // the file's CPR numbers so far: the only thing kept across rows
        var added = 0;
        var already = 0;
        await using var batches = new Batches<Citizen>(run);
        while (records.Read())
        {
            var row = records.Row;
            var before = run.BeginRow();
            if (!Cpr.TryParse(records["cpr"], out var cpr, out var reason))
            {
                errors.Add(new RowError(row, "cpr", reason));
            }
            var name = records["navn"];
            if (name is null) { errors.Add(new RowError(row, "navn", "skal udfyldes")); }
            var pension = records["førtidspension"]?.ToLowerInvariant();
            if (pension is not (null or "ja" or "nej")) { errors.Add(new RowError(row, "førtidspension", $"'{pension}' er hverken ja eller nej")); }
            if (errors.Count == before && !seen.Add(Key(cpr))) { errors.Add(new RowError(row, "cpr", "samme CPR-nummer står tidligere i filen")); }
            run.Progress.Tick();
            if (errors.Count > before)
            {
                continue;
            }
            if (known.Contains(Key(cpr)))
            {
                already++;
                continue;
            }
            added++;
            await batches.AddAsync(new Citizen
            {
                MunicipalityId = municipality, Cpr = cpr.Digits, BirthDate = cpr.BirthDate, Name = name!, Address = records["adresse"],
                Phone = records["telefon"], Email = records["email"], EarlyRetirementPension = pension == "ja",
            });
        }
        await batches.CommitAsync(municipality, "citizens", added);
        run.Progress.Done();
        return (added, already);
    }

    /// <summary>
    /// One good row of a sessions file, kept without text (40 bytes) from reading until its grant's ledger: a grant's
    /// sessions go through the ledger in date order, merged with those already booked, and a file need not be sorted, so
    /// these are the one thing an import keeps per row. Times are minutes after midnight (−1: none); the activity is an
    /// index into the file's distinct activity names.
    /// </summary>
    private readonly record struct PendingSession(int Row, int Grant, LocalDate Date, short Start, short End, int Minutes, short Activity, decimal Km);

    private static async Task<(int Added, int Already)> SessionsAsync(Run run, MunicipalStandard standard, LocalDate today)
    {
        var (db, records, errors) = (run.Db, run.Records, run.Errors);
        var citizens = await db.Citizens.Where(c => c.MunicipalityId == standard.Id).Select(c => new { c.Id, c.Cpr }).ToDictionaryAsync(c => c.Cpr, c => c.Id);
        var grantList = await db.Grants.Where(g => g.MunicipalityId == standard.Id).ToListAsync();
        var grants = grantList.Select((g, i) => (Grant: g, Index: i)).ToLookup(x => x.Grant.CitizenId);
        var activities = new List<string>();
        var activityIndex = new Dictionary<string, short>();
        var pending = new List<PendingSession>();
        while (records.Read())
        {
            var row = records.Row;
            var before = run.BeginRow();
            Guid citizenId = default;
            if (!Cpr.TryParse(records["cpr"], out var cpr, out var reason)) { errors.Add(new RowError(row, "cpr", reason)); }
            else if (!citizens.TryGetValue(cpr.Digits, out citizenId)) { errors.Add(new RowError(row, "cpr", "borgeren findes ikke i kommunen (importér borgere først)")); }
            var date = Date(records["dato"]);
            if (date is null) { errors.Add(new RowError(row, "dato", $"'{records["dato"]}' er ikke en dato (dd-mm-åååå eller åååå-mm-dd)")); }
            else if (date > today) { errors.Add(new RowError(row, "dato", "en gennemført ledsagelse kan ikke ligge i fremtiden")); }
            var start = Time(records, "start", errors);
            var end = Time(records, "slut", errors);
            int minutes = 0;
            if (records["timer"] is { } hoursText)
            {
                var h = records.Number(hoursText);
                if (h is null || h <= 0 || h * 60 != decimal.Truncate(h.Value * 60)) { errors.Add(new RowError(row, "timer", $"'{hoursText}' skal være et positivt antal timer i hele minutter, fx 2,5")); }
                else { minutes = (int)(h.Value * 60); }
            }
            else if (start is not null && end is not null)
            {
                if (end <= start) { errors.Add(new RowError(row, "slut", "sluttidspunktet skal ligge efter starttidspunktet")); }
                else { minutes = (int)Period.Between(start.Value, end.Value, PeriodUnits.Minutes).Minutes; }
            }
            else if (errors.Count == before) { errors.Add(new RowError(row, "timer", "angiv timer, eller start og slut")); }
            var activity = records["aktivitet"];
            if (activity is null || !standard.National.Activities.ContainsKey(activity)) { errors.Add(new RowError(row, "aktivitet", $"ukendt aktivitet '{activity}'")); }
            else if (date is not null && (standard.Parameters.ContainsKey(Parameters.ExcludedActivityPrefix + activity) || standard.National.Parameters.ContainsKey(Parameters.ExcludedActivityPrefix + activity))
                     && standard.Get<bool>(Parameters.ExcludedActivityPrefix + activity, date.Value) is { Value: true } excluded)
            {
                errors.Add(new RowError(row, "aktivitet", $"udelukket aktivitet: {excluded.Source}"));
            }
            var km = records.Number(records["km"] ?? "0");
            if (km is null or < 0) { errors.Add(new RowError(row, "km", $"'{records["km"]}' skal være et tal ≥ 0")); }
            var grant = date is null ? default : grants[citizenId].FirstOrDefault(x => x.Grant.Start <= date && (x.Grant.End is null || x.Grant.End >= date));
            if (errors.Count == before && grant.Grant is null) { errors.Add(new RowError(row, "dato", "borgeren har ingen bevilling den dag")); }
            run.Progress.Tick();
            if (errors.Count > before)
            {
                continue;
            }
            if (!activityIndex.TryGetValue(activity!, out var a))
            {
                activityIndex[activity!] = a = (short)activities.Count;
                activities.Add(activity!);
            }
            pending.Add(new PendingSession(row, grant.Index, date!.Value, ClockMinutes(start), ClockMinutes(end), minutes, a, km!.Value));
        }

        // Through the engine, grant by grant: the file's sessions merged with those already booked, in date order (a day's
        // booked sessions before the file's, the file's in file order). What is booked is read in two queries for the
        // whole municipality, not two per grant.
        pending.Sort((x, y) => x.Grant != y.Grant ? x.Grant.CompareTo(y.Grant) : x.Date != y.Date ? x.Date.CompareTo(y.Date) : x.Row.CompareTo(y.Row));
        var inMunicipality = db.Grants.Where(g => g.MunicipalityId == standard.Id);
        var booked = (pending.Count == 0 ? [] : await db.Sessions.AsNoTracking().Where(s => inMunicipality.Any(g => g.Id == s.GrantId)).ToListAsync()).ToLookup(s => s.GrantId);
        var allAgreements = (pending.Count == 0 ? [] : await db.SavingsAgreements.AsNoTracking().Where(a => inMunicipality.Any(g => g.Id == a.GrantId)).ToListAsync()).ToLookup(a => a.GrantId);
        var cprOf = citizens.ToDictionary(c => c.Value, c => c.Key);
        var rules = LedgerRules.Timeline(standard);
        var now = SystemClock.Instance.GetCurrentInstant();
        var added = 0;
        var already = 0;
        var grantsChanged = new HashSet<Guid>();

        IEnumerable<SessionRow> Accepted()
        {
            for (var first = 0; first < pending.Count;)
            {
                var last = first;
                while (last < pending.Count && pending[last].Grant == pending[first].Grant)
                {
                    last++;
                }
                var g = grantList[pending[first].Grant];
                var existing = booked[g.Id].ToList();
                var keys = existing.Where(s => s.IdempotencyKey is not null).Select(s => s.IdempotencyKey!).ToHashSet();
                var agreements = allAgreements[g.Id].Select(a => new SavingsAgreement(a.From, a.To, a.AgreedOn)).ToList();
                var ledger = new HoursLedger(Ledsag.Web.Features.GrantEndpoints.ToDomain(g, agreements), rules);
                var sequence = existing.Count == 0 ? 0 : existing.Max(s => s.Sequence);
                var fromFile = new List<(PendingSession Session, string Key)>();
                for (var i = first; i < last; i++)
                {
                    var key = IdempotencyKey(cprOf[g.CitizenId], pending[i], activities);
                    if (keys.Contains(key))
                    {
                        already++;
                    }
                    else
                    {
                        fromFile.Add((pending[i], key));
                    }
                }
                var merged = Ledsag.Web.Features.GrantEndpoints.Standing(existing).Select(s => (s.Date, s.Minutes, New: -1))
                    .Concat(fromFile.Select((p, i) => (p.Session.Date, p.Session.Minutes, New: i)))
                    .OrderBy(x => x.Date).ThenBy(x => x.New >= 0).ToList();
                var inFile = new HashSet<string>();
                foreach (var (date, minutes, index) in merged)
                {
                    if (index >= 0 && !inFile.Add(fromFile[index].Key))
                    {
                        errors.Add(new RowError(fromFile[index].Session.Row, "cpr", "samme ledsagelse står tidligere i filen"));
                        continue;
                    }
                    var outcome = ledger.Use(date, new Minutes(minutes));
                    if (index < 0)
                    {
                        continue;
                    }
                    var s = fromFile[index].Session;
                    if (!outcome.Accepted)
                    {
                        errors.Add(new RowError(s.Row, "timer", standard.National.Reasons[outcome.Reason!].Text));
                        continue;
                    }
                    added++;
                    grantsChanged.Add(g.Id);
                    if (run.Writing)
                    {
                        yield return new SessionRow
                        {
                            GrantId = g.Id, Date = s.Date, StartTime = ClockTime(s.Start), EndTime = ClockTime(s.End), Minutes = s.Minutes,
                            Activity = activities[s.Activity], Km = s.Km, RegisteredBy = Guid.Empty, RegisteredByRole = "Import", RegisteredAt = now,
                            IdempotencyKey = fromFile[index].Key, ConfirmedAt = now, Sequence = ++sequence,
                        };
                    }
                }
                first = last;
            }
        }

        if (run.Writing && pending.Count > 0)
        {
            // One transaction; the rows stream into one prepared insert (COPY on PostgreSQL) as the ledgers accept them. A
            // bad row found on the way stops the writing (run.Writing), and the transaction is then rolled back.
            await using var transaction = await db.Database.BeginTransactionAsync();
            await BulkInsert.WriteAsync(db, Accepted());
            if (run.Writing && added > 0)
            {
                await NewVersionsAsync(db, grantsChanged);
                await AuditAsync(db, $"{added} sessions importeret for {standard.Id}", "sessions");
                await transaction.CommitAsync();
            }
        }
        else
        {
            foreach (var _ in Accepted())
            {
            }
        }
        var sorted = errors.OrderBy(e => e.Row).ToList(); // stable: a row's reasons stay in the order they were found
        errors.Clear();
        errors.AddRange(sorted);
        run.Progress.Done();
        return (added, already);
    }

    private static string IdempotencyKey(string cprDigits, PendingSession s, List<string> activities)
    {
        // The same text as before this file was read record by record, so sessions imported then are recognised now.
        var (start, end) = (ClockTime(s.Start), ClockTime(s.End));
        return "import:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{cprDigits}|{s.Date:yyyy-MM-dd}|{start}|{end}|{s.Minutes}|{activities[s.Activity]}")))[..32];
    }

    private static short ClockMinutes(LocalTime? time) => time is { } t ? (short)((t.Hour * 60) + t.Minute) : (short)-1;

    private static LocalTime? ClockTime(short minutes) => minutes < 0 ? null : new LocalTime(minutes / 60, minutes % 60);

    private static readonly Dictionary<string, CompanionStatus> Statuses = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ansøger"] = CompanionStatus.Applicant, ["godkendt"] = CompanionStatus.Approved, ["ansat"] = CompanionStatus.Employed, ["ophørt"] = CompanionStatus.Ended,
    };

    /// <summary>Grants from the old case system: each becomes a granted case with its grant, marked as imported.</summary>
    private static async Task<(int Added, int Already)> GrantsAsync(Run run, MunicipalStandard standard)
    {
        var (db, records, errors) = (run.Db, run.Records, run.Errors);
        var citizens = await db.Citizens.Where(c => c.MunicipalityId == standard.Id).Select(c => new { c.Id, c.Cpr }).ToDictionaryAsync(c => c.Cpr, c => c.Id);
        var existing = (await db.Grants.Where(g => g.MunicipalityId == standard.Id).Select(g => new { g.CitizenId, g.Start }).ToListAsync()).Select(g => (g.CitizenId, g.Start)).ToHashSet();
        var added = 0;
        var already = 0;
        var inFile = new HashSet<(Guid, LocalDate)>();
        var max = standard.Get<Minutes>(Parameters.HoursPerMonth, new LocalDate(2100, 1, 1)).Value;
        await using var batches = new Batches<object>(run);
        while (records.Read())
        {
            var row = records.Row;
            var before = run.BeginRow();
            var citizenId = Guid.Empty;
            if (!Cpr.TryParse(records["cpr"], out var cpr, out var reason)) { errors.Add(new RowError(row, "cpr", reason)); }
            else if (!citizens.TryGetValue(cpr.Digits, out citizenId)) { errors.Add(new RowError(row, "cpr", "borgeren findes ikke i kommunen (importér borgere først)")); }
            var start = Date(records["start"]);
            if (start is null) { errors.Add(new RowError(row, "start", $"'{records["start"]}' er ikke en dato")); }
            var endText = records["slut"];
            var end = Date(endText);
            if (endText is not null && end is null) { errors.Add(new RowError(row, "slut", $"'{endText}' er ikke en dato")); }
            else if (end is not null && start is not null && end < start) { errors.Add(new RowError(row, "slut", "slutdatoen ligger før startdatoen")); }
            var hours = records.Number(records["timer_pr_måned"] ?? max.Hours.ToString(CultureInfo.InvariantCulture));
            if (hours is null || hours < 0 || hours * 60 > max.Value || hours * 60 != decimal.Truncate(hours.Value * 60))
            {
                errors.Add(new RowError(row, "timer_pr_måned", $"skal være 0–{max} timer i hele minutter (serviceloven § 97 stk. 1)"));
            }
            run.Progress.Tick();
            if (errors.Count > before)
            {
                continue;
            }
            if (existing.Contains((citizenId, start!.Value)))
            {
                already++;
                continue;
            }
            if (!inFile.Add((citizenId, start.Value)))
            {
                errors.Add(new RowError(row, "start", "samme bevilling står tidligere i filen"));
                continue;
            }
            var c = new Case
            {
                MunicipalityId = standard.Id, CitizenId = citizenId, Number = $"{standard.Id[..3].ToUpperInvariant()}-IMP-{cpr.Digits[..6]}-{start.Value:yyyyMMdd}",
                State = end is { } e && e < SystemClock.Instance.GetCurrentInstant().InUtc().Date ? CaseState.Closed : CaseState.Granted,
                ReceivedOn = start.Value, Channel = "import",
            };
            var step = new CaseStep
            {
                CaseId = c.Id, Kind = "decision", OccurredOn = start.Value, RecordedAt = SystemClock.Instance.GetCurrentInstant(),
                Reason = records["begrundelse"] ?? "Importeret fra tidligere sagssystem",
                DataJson = JsonSerializer.Serialize(new { outcome = "grant", imported = true, hoursPerMonth = hours }),
            };
            added++;
            // The case first: a batch may end between the three, and the case must already be saved when its step and grant are.
            await batches.AddAsync(c);
            await batches.AddAsync(step);
            await batches.AddAsync(new Ledsag.Web.Data.Grant
            {
                CaseId = c.Id, CitizenId = citizenId, MunicipalityId = standard.Id, Start = start.Value, End = end, MinutesPerMonth = (int)(hours!.Value * 60),
                HoursReason = hours * 60 != max.Value ? "Importeret timetal" : null,
            });
        }
        await batches.CommitAsync(standard.Id, "grants", added);
        run.Progress.Done();
        return (added, already);
    }

    private static async Task<(int Added, int Already)> AgreementsAsync(Run run, MunicipalStandard standard)
    {
        var (db, records, errors) = (run.Db, run.Records, run.Errors);
        var citizens = await db.Citizens.Where(c => c.MunicipalityId == standard.Id).Select(c => new { c.Id, c.Cpr }).ToDictionaryAsync(c => c.Cpr, c => c.Id);
        var grants = (await db.Grants.Where(g => g.MunicipalityId == standard.Id).ToListAsync()).ToLookup(g => g.CitizenId);
        // Those already saved and the file's so far: the same agreement twice is known, not an error.
        var existing = (await db.SavingsAgreements.Select(a => new { a.GrantId, a.From, a.To }).ToListAsync()).Select(a => (a.GrantId, a.From, a.To)).ToHashSet();
        var added = 0;
        var already = 0;
        var grantsChanged = new HashSet<Guid>();
        await using var batches = new Batches<SavingsAgreementRow>(run);
        while (records.Read())
        {
            var row = records.Row;
            var before = run.BeginRow();
            var citizenId = Guid.Empty;
            if (!Cpr.TryParse(records["cpr"], out var cpr, out var reason)) { errors.Add(new RowError(row, "cpr", reason)); }
            else if (!citizens.TryGetValue(cpr.Digits, out citizenId)) { errors.Add(new RowError(row, "cpr", "borgeren findes ikke i kommunen")); }
            var from = Date(records["fra"]);
            var to = Date(records["til"]);
            if (from is null) { errors.Add(new RowError(row, "fra", $"'{records["fra"]}' er ikke en dato")); }
            if (to is null) { errors.Add(new RowError(row, "til", $"'{records["til"]}' er ikke en dato")); }
            else if (from is not null && to < from) { errors.Add(new RowError(row, "til", "slutdatoen ligger før startdatoen")); }
            var purpose = records["formål"];
            if (purpose is null) { errors.Add(new RowError(row, "formål", "skal udfyldes")); }
            // The day the agreement was made (BEK 235/2012 § 6 stk. 1); an older system's file may not have it: then «fra».
            var agreedText = records["aftalt"];
            var agreed = agreedText is null ? from : Date(agreedText);
            if (agreedText is not null && agreed is null) { errors.Add(new RowError(row, "aftalt", $"'{agreedText}' er ikke en dato")); }
            var grant = from is null ? null : grants[citizenId].FirstOrDefault(g => g.Start <= from && (g.End is null || g.End >= from));
            if (errors.Count == before && grant is null) { errors.Add(new RowError(row, "fra", "borgeren har ingen bevilling den dag")); }
            run.Progress.Tick();
            if (errors.Count > before)
            {
                continue;
            }
            if (!existing.Add((grant!.Id, from!.Value, to!.Value)))
            {
                already++;
                continue;
            }
            added++;
            grantsChanged.Add(grant.Id);
            await batches.AddAsync(new SavingsAgreementRow { GrantId = grant.Id, From = from.Value, To = to.Value, Purpose = purpose!, AgreedOn = agreed ?? from.Value });
        }
        await batches.CommitAsync(standard.Id, "agreements", added, grantsChanged);
        run.Progress.Done();
        return (added, already);
    }

    private static async Task<(int Added, int Already)> CompanionsAsync(Run run, MunicipalStandard standard)
    {
        var (records, errors) = (run.Records, run.Errors);
        // Those already saved and the file's so far: the same companion twice is known, not an error.
        var known = await CprKeysAsync(run.Db.Companions.Where(k => k.MunicipalityId == standard.Id && k.Cpr != null).Select(k => k.Cpr));
        var added = 0;
        var already = 0;
        bool? YesNo(string column, int row)
        {
            var v = records[column]?.ToLowerInvariant();
            if (v is null or "ja" or "nej") { return v == "ja"; }
            errors.Add(new RowError(row, column, $"'{v}' er hverken ja eller nej"));
            return null;
        }
        await using var batches = new Batches<Companion>(run);
        while (records.Read())
        {
            var row = records.Row;
            var before = run.BeginRow();
            var name = records["navn"];
            if (name is null) { errors.Add(new RowError(row, "navn", "skal udfyldes")); }
            // The CPR number is what makes a re-import recognise the companion; payroll needs it too.
            if (!Cpr.TryParse(records["cpr"], out var cpr, out var reason)) { errors.Add(new RowError(row, "cpr", reason)); }
            var driving = YesNo("kørekort", row);
            var wheelchair = YesNo("kørestol", row);
            var statusText = records["status"] ?? "ansat";
            if (!Statuses.TryGetValue(statusText, out var status)) { errors.Add(new RowError(row, "status", $"'{statusText}' er ikke en status (ansøger, godkendt, ansat, ophørt)")); }
            run.Progress.Tick();
            if (errors.Count > before)
            {
                continue;
            }
            if (!known.Add(Key(cpr)))
            {
                already++;
                continue;
            }
            added++;
            await batches.AddAsync(new Companion
            {
                MunicipalityId = standard.Id, Name = name!, Cpr = cpr.Digits, Phone = records["telefon"], Email = records["email"],
                Area = records["område"], DrivingLicence = driving ?? false, WheelchairExperience = wheelchair ?? false, Status = status,
            });
        }
        await batches.CommitAsync(standard.Id, "companions", added);
        run.Progress.Done();
        return (added, already);
    }

    private static readonly LocalTimePattern Clock = LocalTimePattern.CreateWithInvariantCulture("H:mm");

    private static LocalTime? Time(CsvRecords records, string column, List<RowError> errors)
    {
        if (records[column] is not { } t)
        {
            return null;
        }
        if (Clock.Parse(t.Replace('.', ':')) is { Success: true } p)
        {
            return p.Value;
        }
        errors.Add(new RowError(records.Row, column, $"'{t}' er ikke et klokkeslæt (tt:mm)"));
        return null;
    }

    private static async Task AuditAsync(LedsagDb db, string detail, string what)
    {
        var audit = new AuditLog(SystemClock.Instance, MasterKey.FromEnvironment());
        audit.Add(db, null, "import", what, null, detail);
        await audit.SaveAsync(db);
    }

    // The grants' ledgers changed: a new version tells a running server's cached ledger, and any registration in flight, to read again.
    private static async Task NewVersionsAsync(LedsagDb db, IReadOnlyCollection<Guid> grants)
    {
        foreach (var chunk in grants.Chunk(500))
        {
            await db.Grants.Where(g => chunk.Contains(g.Id)).ExecuteUpdateAsync(u => u.SetProperty(g => g.Version, g => g.Version + 1));
        }
    }

    /// <summary>One import: the file being read, the errors so far, and whether rows are written.</summary>
    private sealed class Run(LedsagDb db, CsvRecords records, List<RowError> errors, Progress progress, bool write, bool skipInvalid)
    {
        public LedsagDb Db => db;

        public CsvRecords Records => records;

        public List<RowError> Errors => errors;

        public Progress Progress => progress;

        /// <summary>Rows are written with --apply while the file has no bad row so far, and with --skip-invalid always.</summary>
        public bool Writing => write && (skipInvalid || errors.Count == 0);

        /// <summary>Starts checking the current record: a quoted field left open is its first error. Returns the errors before it.</summary>
        public int BeginRow()
        {
            var before = errors.Count;
            if (records.BadQuotes)
            {
                errors.Add(new RowError(records.Row, "", "et felt i anførselstegn (\") slutter ikke rigtigt; et \" inde i feltet skrives \"\""));
            }
            return before;
        }
    }

    /// <summary>
    /// Saves rows 5,000 at a time as they are read, in one transaction begun with the first batch and committed only by
    /// <see cref="CommitAsync"/>: a bad row found after some batches were saved leaves nothing behind (disposing rolls back).
    /// </summary>
    private sealed class Batches<T>(Run run) : IAsyncDisposable where T : class
    {
        private const int Size = 5000;
        private readonly List<T> _pending = new(Size);
        private IDbContextTransaction? _transaction;

        public async Task AddAsync(T row)
        {
            if (!run.Writing)
            {
                _pending.Clear();
                return;
            }
            _pending.Add(row);
            if (_pending.Count >= Size)
            {
                await FlushAsync();
            }
        }

        private async Task FlushAsync()
        {
            if (_transaction is null)
            {
                run.Db.ChangeTracker.AutoDetectChangesEnabled = false;
                _transaction = await run.Db.Database.BeginTransactionAsync();
            }
            run.Db.AddRange(_pending);
            await run.Db.SaveChangesAsync();
            run.Db.ChangeTracker.Clear();
            _pending.Clear();
        }

        /// <summary>Saves the last batch, moves the changed grants' versions, audits and commits — when the import is to be written.</summary>
        public async Task CommitAsync(string municipality, string what, int count, IReadOnlyCollection<Guid>? grantsChanged = null)
        {
            if (!run.Writing || count == 0)
            {
                return;
            }
            await FlushAsync();
            await NewVersionsAsync(run.Db, grantsChanged ?? []);
            await AuditAsync(run.Db, $"{count} {what} importeret for {municipality}", what);
            await _transaction!.CommitAsync();
        }

        public async ValueTask DisposeAsync()
        {
            if (_transaction is not null)
            {
                await _transaction.DisposeAsync();
            }
        }
    }

    /// <summary>A progress line on stderr for long files: rows done, how far through the file, rate and time left.</summary>
    private sealed class Progress(CsvRecords records, TextWriter writer)
    {
        private const long LongFile = 1 << 20; // about 20,000 rows
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _lastReport;

        public void Tick()
        {
            if (records.Length >= LongFile && _clock.ElapsedMilliseconds - _lastReport > 1000)
            {
                _lastReport = _clock.ElapsedMilliseconds;
                var done = records.Fraction;
                var seconds = _clock.Elapsed.TotalSeconds;
                writer.WriteLine($"[{new string('#', (int)(20 * done)),-20}] {records.Count} rækker ({done:0%}), {records.Count / Math.Max(seconds, 0.001):0}/s, {seconds * (1 - done) / Math.Max(done, 0.001):0} s tilbage");
            }
        }

        public void Done()
        {
            if (records.Count >= 20_000)
            {
                writer.WriteLine($"[{new string('#', 20)}] {records.Count}/{records.Count} rækker på {_clock.Elapsed.TotalSeconds:0.0} s");
            }
        }
    }
}
