using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ledsag.Domain;
using Ledsag.Domain.Cases;
using Ledsag.Domain.Hours;
using Ledsag.Domain.Standards;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;

namespace Ledsag.Cli;

/// <summary>
/// <c>ledsag import citizens|sessions FILE</c>: CSV as a municipality exports it from Excel (UTF-8 or
/// Windows-1252, <c>;</c>, decimal commas, dd-mm-yyyy or ISO dates). A dry run by default that reports every
/// bad row and imports nothing while any row is bad; <c>--apply</c> imports; <c>--skip-invalid</c> imports the
/// good rows and writes the bad ones to FILE.fejl.csv. Importing the same file twice adds nothing.
/// </summary>
public static class ImportCommand
{
    public sealed record RowError(int Row, string Column, string Reason);

    private static readonly string[] CitizenColumns = ["cpr", "navn", "adresse", "telefon", "email", "førtidspension"];
    private static readonly string[] SessionColumns = ["cpr", "dato", "start", "slut", "timer", "aktivitet", "km"];
    private static readonly string[] GrantColumns = ["cpr", "start", "slut", "timer_pr_måned", "begrundelse"];
    private static readonly string[] AgreementColumns = ["cpr", "fra", "til", "formål", "aftalt"];
    private static readonly string[] CompanionColumns = ["navn", "cpr", "telefon", "email", "område", "kørekort", "kørestol", "status"];

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
            var lines = ReadLines(file);
            await using var db = DatabaseCommands.Open(provider, connection);
            var today = SystemClock.Instance.GetCurrentInstant().InZone(DateTimeZoneProviders.Tzdb["Europe/Copenhagen"]).Date;
            var progress = new Progress(lines.Count - 1, json ? TextWriter.Null : error);
            var (errors, added, skippedAsKnown) = kind switch
            {
                "citizens" => await CitizensAsync(db, municipality, lines, apply || skipInvalid, skipInvalid, progress),
                "sessions" => await SessionsAsync(db, standard, lines, today, apply || skipInvalid, skipInvalid, progress),
                "grants" => await GrantsAsync(db, standard, lines, apply || skipInvalid, skipInvalid, progress),
                "agreements" => await AgreementsAsync(db, standard, lines, apply || skipInvalid, skipInvalid, progress),
                "companions" => await CompanionsAsync(db, standard, lines, apply || skipInvalid, skipInvalid, progress),
                _ => throw new ArgumentException($"'{kind}' kan ikke importeres (kan: citizens, grants, agreements, sessions, companions)"),
            };
            string? rejectedFile = null;
            if (skipInvalid && errors.Count > 0)
            {
                rejectedFile = file + ".fejl.csv";
                var bad = errors.Select(e => e.Row).Distinct().Order().ToList();
                File.WriteAllLines(rejectedFile, [lines[0] + ";fejl", .. bad.Select(r => lines[r - 1] + ";" + string.Join(" / ", errors.Where(e => e.Row == r).Select(e => $"{e.Column}: {e.Reason}")))], new UTF8Encoding(true));
            }
            var rate = (lines.Count - 1) / Math.Max(clock.Elapsed.TotalSeconds, 0.001);
            var imported = (apply && errors.Count == 0) || skipInvalid;
            if (json)
            {
                output.WriteLine(JsonSerializer.Serialize(new { kind, file, rows = lines.Count - 1, errors, imported, added, alreadyKnown = skippedAsKnown, rejectedFile, rowsPerSecond = Math.Round(rate) },
                    new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
            }
            else
            {
                foreach (var e in errors.Take(1000))
                {
                    error.WriteLine($"{file}: række {e.Row}, kolonne {e.Column}: {e.Reason}");
                }
                if (errors.Count > 1000)
                {
                    error.WriteLine($"… og {errors.Count - 1000} fejl mere");
                }
                output.WriteLine(imported
                    ? $"Importeret: {added} nye, {skippedAsKnown} fandtes i forvejen, {errors.Select(e => e.Row).Distinct().Count()} rækker afvist{(rejectedFile is null ? "" : $" (skrevet til {rejectedFile})")}. {lines.Count - 1} rækker på {clock.Elapsed.TotalSeconds:0.0} s ({rate:0} rækker/s)."
                    : errors.Count > 0
                        ? $"Intet importeret: {errors.Select(e => e.Row).Distinct().Count()} af {lines.Count - 1} rækker har fejl. Ret dem, eller brug --skip-invalid."
                        : $"Prøvekørsel: alle {lines.Count - 1} rækker er gyldige ({added} nye, {skippedAsKnown} fandtes i forvejen). Kør med --apply for at importere.");
            }
            return errors.Count > 0 && !skipInvalid ? LedsagCommand.Failed : LedsagCommand.Ok;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or FormatException)
        {
            error.WriteLine($"fejl: {e.Message}");
            return LedsagCommand.BadInput;
        }
    }

    /// <summary>The file's lines, as UTF-8 when it is valid UTF-8, else Windows-1252 (what Danish Excel writes).</summary>
    public static List<string> ReadLines(string file)
    {
        var bytes = File.ReadAllBytes(file);
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
            text = Encoding.GetEncoding(1252).GetString(bytes);
        }
        var lines = text.TrimStart('\uFEFF').Replace("\r\n", "\n").Split('\n').ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }
        if (lines.Count == 0)
        {
            throw new FormatException($"{file}: filen er tom");
        }
        return lines;
    }

    private static Dictionary<string, int> Header(string line, string[] expected, List<RowError> errors, params string[] required)
    {
        var names = line.Split(';').Select(h => h.Trim().ToLowerInvariant()).ToList();
        foreach (var unknown in names.Where(n => !expected.Contains(n)))
        {
            errors.Add(new RowError(1, unknown, $"ukendt kolonne (kendte: {string.Join(", ", expected)})"));
        }
        foreach (var missing in required.Where(r => !names.Contains(r)))
        {
            errors.Add(new RowError(1, missing, "kolonnen mangler"));
        }
        return names.Select((n, i) => (n, i)).Where(x => expected.Contains(x.n)).ToDictionary(x => x.n, x => x.i);
    }

    private static string? Cell(string[] cells, Dictionary<string, int> columns, string name) =>
        columns.TryGetValue(name, out var i) && i < cells.Length && cells[i].Trim().Length > 0 ? cells[i].Trim().Trim('"') : null;

    private static readonly LocalDatePattern DanishDate = LocalDatePattern.CreateWithInvariantCulture("dd-MM-uuuu");

    private static LocalDate? Date(string? text) =>
        text is null ? null : LocalDatePattern.Iso.Parse(text) is { Success: true } iso ? iso.Value
            : DanishDate.Parse(text.Replace('.', '-').Replace('/', '-')) is { Success: true } dk ? dk.Value : null;

    private static decimal? Number(string? text) =>
        text is not null && decimal.TryParse(text.Replace(".", "").Replace(',', '.'), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var d) ? d : null;

    private static async Task<(List<RowError>, int, int)> CitizensAsync(LedsagDb db, string municipality, List<string> lines, bool write, bool skipInvalid, Progress progress)
    {
        var errors = new List<RowError>();
        var columns = Header(lines[0], CitizenColumns, errors, "cpr", "navn");
        if (errors.Count > 0)
        {
            return (errors, 0, 0);
        }
        var known = (await db.Citizens.Where(c => c.MunicipalityId == municipality).Select(c => c.Cpr).ToListAsync()).ToHashSet();
        var fresh = new List<Citizen>();
        var seen = new HashSet<string>();
        var already = 0;
        for (var i = 1; i < lines.Count; i++)
        {
            var row = i + 1;
            var cells = lines[i].Split(';');
            var rowErrors = new List<RowError>();
            Cpr cpr = default;
            if (!Cpr.TryParse(Cell(cells, columns, "cpr"), out cpr, out var reason))
            {
                rowErrors.Add(new RowError(row, "cpr", reason));
            }
            var name = Cell(cells, columns, "navn");
            if (name is null) { rowErrors.Add(new RowError(row, "navn", "skal udfyldes")); }
            var pension = Cell(cells, columns, "førtidspension")?.ToLowerInvariant();
            if (pension is not (null or "ja" or "nej")) { rowErrors.Add(new RowError(row, "førtidspension", $"'{pension}' er hverken ja eller nej")); }
            if (rowErrors.Count == 0 && !seen.Add(cpr.Digits)) { rowErrors.Add(new RowError(row, "cpr", "samme CPR-nummer står tidligere i filen")); }
            errors.AddRange(rowErrors);
            progress.Tick();
            if (rowErrors.Count > 0)
            {
                continue;
            }
            if (known.Contains(cpr.Digits))
            {
                already++;
                continue;
            }
            fresh.Add(new Citizen
            {
                MunicipalityId = municipality, Cpr = cpr.Digits, BirthDate = cpr.BirthDate, Name = name!, Address = Cell(cells, columns, "adresse"),
                Phone = Cell(cells, columns, "telefon"), Email = Cell(cells, columns, "email"), EarlyRetirementPension = pension == "ja",
            });
        }
        if (write && (errors.Count == 0 || skipInvalid) && fresh.Count > 0)
        {
            await SaveInBatchesAsync(db, fresh, municipality, "citizens");
        }
        progress.Done();
        return (errors, fresh.Count, already);
    }

    private static async Task<(List<RowError>, int, int)> SessionsAsync(LedsagDb db, MunicipalStandard standard, List<string> lines, LocalDate today,
        bool write, bool skipInvalid, Progress progress)
    {
        var errors = new List<RowError>();
        var columns = Header(lines[0], SessionColumns, errors, "cpr", "dato", "aktivitet");
        if (errors.Count > 0)
        {
            return (errors, 0, 0);
        }
        var citizens = await db.Citizens.Where(c => c.MunicipalityId == standard.Id).Select(c => new { c.Id, c.Cpr }).ToDictionaryAsync(c => c.Cpr, c => c.Id);
        var grants = (await db.Grants.Where(g => g.MunicipalityId == standard.Id).ToListAsync()).ToLookup(g => g.CitizenId);
        var parsed = new List<(int Row, Ledsag.Web.Data.Grant Grant, SessionRow Session)>();
        for (var i = 1; i < lines.Count; i++)
        {
            var row = i + 1;
            var cells = lines[i].Split(';');
            var before = errors.Count;
            var cprText = Cell(cells, columns, "cpr");
            Guid citizenId = default;
            if (!Cpr.TryParse(cprText, out var cpr, out var reason)) { errors.Add(new RowError(row, "cpr", reason)); }
            else if (!citizens.TryGetValue(cpr.Digits, out citizenId)) { errors.Add(new RowError(row, "cpr", "borgeren findes ikke i kommunen (importér borgere først)")); }
            var date = Date(Cell(cells, columns, "dato"));
            if (date is null) { errors.Add(new RowError(row, "dato", $"'{Cell(cells, columns, "dato")}' er ikke en dato (dd-mm-åååå eller åååå-mm-dd)")); }
            else if (date > today) { errors.Add(new RowError(row, "dato", "en gennemført ledsagelse kan ikke ligge i fremtiden")); }
            var start = Time(cells, columns, "start", row, errors);
            var end = Time(cells, columns, "slut", row, errors);
            int minutes = 0;
            if (Cell(cells, columns, "timer") is { } hoursText)
            {
                var h = Number(hoursText);
                if (h is null || h <= 0 || h * 60 != decimal.Truncate(h.Value * 60)) { errors.Add(new RowError(row, "timer", $"'{hoursText}' skal være et positivt antal timer i hele minutter, fx 2,5")); }
                else { minutes = (int)(h.Value * 60); }
            }
            else if (start is not null && end is not null)
            {
                if (end <= start) { errors.Add(new RowError(row, "slut", "sluttidspunktet skal ligge efter starttidspunktet")); }
                else { minutes = (int)Period.Between(start.Value, end.Value, PeriodUnits.Minutes).Minutes; }
            }
            else if (errors.Count == before) { errors.Add(new RowError(row, "timer", "angiv timer, eller start og slut")); }
            var activity = Cell(cells, columns, "aktivitet");
            if (activity is null || !standard.National.Activities.ContainsKey(activity)) { errors.Add(new RowError(row, "aktivitet", $"ukendt aktivitet '{activity}'")); }
            else if (date is not null && (standard.Parameters.ContainsKey(Parameters.ExcludedActivityPrefix + activity) || standard.National.Parameters.ContainsKey(Parameters.ExcludedActivityPrefix + activity))
                     && standard.Get<bool>(Parameters.ExcludedActivityPrefix + activity, date.Value) is { Value: true } excluded)
            {
                errors.Add(new RowError(row, "aktivitet", $"udelukket aktivitet: {excluded.Source}"));
            }
            var km = Number(Cell(cells, columns, "km") ?? "0");
            if (km is null or < 0) { errors.Add(new RowError(row, "km", $"'{Cell(cells, columns, "km")}' skal være et tal ≥ 0")); }
            var grant = date is null ? null : grants[citizenId].FirstOrDefault(g => g.Start <= date && (g.End is null || g.End >= date));
            if (errors.Count == before && grant is null) { errors.Add(new RowError(row, "dato", "borgeren har ingen bevilling den dag")); }
            progress.Tick();
            if (errors.Count > before)
            {
                continue;
            }
            var key = "import:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{cpr.Digits}|{date:yyyy-MM-dd}|{start}|{end}|{minutes}|{activity}")))[..32];
            parsed.Add((row, grant!, new SessionRow
            {
                GrantId = grant!.Id, Date = date!.Value, StartTime = start, EndTime = end, Minutes = minutes, Activity = activity!, Km = km!.Value,
                RegisteredBy = Guid.Empty, RegisteredByRole = "Import", RegisteredAt = SystemClock.Instance.GetCurrentInstant(), IdempotencyKey = key,
                ConfirmedAt = SystemClock.Instance.GetCurrentInstant(),
            }));
        }

        // Through the engine, grant by grant: the file's sessions merged with those already booked, in date order.
        // What is already booked is read in two queries for the whole municipality, not two per grant.
        var fresh = new List<SessionRow>();
        var already = 0;
        var inMunicipality = db.Grants.Where(g => g.MunicipalityId == standard.Id);
        var booked = (parsed.Count == 0 ? [] : await db.Sessions.AsNoTracking().Where(s => inMunicipality.Any(g => g.Id == s.GrantId)).ToListAsync()).ToLookup(s => s.GrantId);
        var allAgreements = (parsed.Count == 0 ? [] : await db.SavingsAgreements.AsNoTracking().Where(a => inMunicipality.Any(g => g.Id == a.GrantId)).ToListAsync()).ToLookup(a => a.GrantId);
        var rules = LedgerRules.Timeline(standard);
        foreach (var group in parsed.GroupBy(p => p.Grant.Id))
        {
            var g = group.First().Grant;
            var existing = booked[g.Id].ToList();
            var keys = existing.Where(s => s.IdempotencyKey is not null).Select(s => s.IdempotencyKey!).ToHashSet();
            var agreements = allAgreements[g.Id].Select(a => new SavingsAgreement(a.From, a.To, a.AgreedOn)).ToList();
            var ledger = new HoursLedger(Ledsag.Web.Features.GrantEndpoints.ToDomain(g, agreements), rules);
            var sequence = existing.Count == 0 ? 0 : existing.Max(s => s.Sequence);
            var merged = Ledsag.Web.Features.GrantEndpoints.Standing(existing).Select(s => (Row: 0, Session: s, New: false))
                .Concat(group.Where(p => !keys.Contains(p.Session.IdempotencyKey!)).Select(p => (p.Row, p.Session, New: true)))
                .OrderBy(x => x.Session.Date).ThenBy(x => x.New).ToList();
            already += group.Count(p => keys.Contains(p.Session.IdempotencyKey!));
            var inFile = new HashSet<string>();
            foreach (var (row, session, isNew) in merged)
            {
                if (isNew && !inFile.Add(session.IdempotencyKey!))
                {
                    errors.Add(new RowError(row, "cpr", "samme ledsagelse står tidligere i filen"));
                    continue;
                }
                var outcome = ledger.Use(session.Date, new Minutes(session.Minutes));
                if (isNew && !outcome.Accepted)
                {
                    errors.Add(new RowError(row, "timer", standard.National.Reasons[outcome.Reason!].Text));
                }
                else if (isNew)
                {
                    session.Sequence = ++sequence;
                    fresh.Add(session);
                }
            }
        }
        errors.Sort((a, b) => a.Row.CompareTo(b.Row));
        if (write && (errors.Count == 0 || skipInvalid) && fresh.Count > 0)
        {
            await BulkSaveAsync(db, fresh, standard.Id, "sessions", [.. fresh.Select(s => s.GrantId).Distinct()]);
        }
        progress.Done();
        return (errors, fresh.Count, already);
    }

    private static readonly Dictionary<string, CompanionStatus> Statuses = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ansøger"] = CompanionStatus.Applicant, ["godkendt"] = CompanionStatus.Approved, ["ansat"] = CompanionStatus.Employed, ["ophørt"] = CompanionStatus.Ended,
    };

    /// <summary>Grants from the old case system: each becomes a granted case with its grant, marked as imported.</summary>
    private static async Task<(List<RowError>, int, int)> GrantsAsync(LedsagDb db, MunicipalStandard standard, List<string> lines, bool write, bool skipInvalid, Progress progress)
    {
        var errors = new List<RowError>();
        var columns = Header(lines[0], GrantColumns, errors, "cpr", "start");
        if (errors.Count > 0)
        {
            return (errors, 0, 0);
        }
        var citizens = await db.Citizens.Where(c => c.MunicipalityId == standard.Id).ToDictionaryAsync(c => c.Cpr);
        var existing = (await db.Grants.Where(g => g.MunicipalityId == standard.Id).Select(g => new { g.CitizenId, g.Start }).ToListAsync()).Select(g => (g.CitizenId, g.Start)).ToHashSet();
        var fresh = new List<object>();
        var already = 0;
        var inFile = new HashSet<(Guid, LocalDate)>();
        var max = standard.Get<Minutes>(Parameters.HoursPerMonth, new LocalDate(2100, 1, 1)).Value;
        for (var i = 1; i < lines.Count; i++)
        {
            var row = i + 1;
            var cells = lines[i].Split(';');
            var before = errors.Count;
            Citizen? citizen = null;
            if (!Cpr.TryParse(Cell(cells, columns, "cpr"), out var cpr, out var reason)) { errors.Add(new RowError(row, "cpr", reason)); }
            else if (!citizens.TryGetValue(cpr.Digits, out citizen)) { errors.Add(new RowError(row, "cpr", "borgeren findes ikke i kommunen (importér borgere først)")); }
            var start = Date(Cell(cells, columns, "start"));
            if (start is null) { errors.Add(new RowError(row, "start", $"'{Cell(cells, columns, "start")}' er ikke en dato")); }
            var endText = Cell(cells, columns, "slut");
            var end = Date(endText);
            if (endText is not null && end is null) { errors.Add(new RowError(row, "slut", $"'{endText}' er ikke en dato")); }
            else if (end is not null && start is not null && end < start) { errors.Add(new RowError(row, "slut", "slutdatoen ligger før startdatoen")); }
            var hours = Number(Cell(cells, columns, "timer_pr_måned") ?? max.Hours.ToString(CultureInfo.InvariantCulture));
            if (hours is null || hours < 0 || hours * 60 > max.Value || hours * 60 != decimal.Truncate(hours.Value * 60))
            {
                errors.Add(new RowError(row, "timer_pr_måned", $"skal være 0–{max} timer i hele minutter (serviceloven § 97 stk. 1)"));
            }
            progress.Tick();
            if (errors.Count > before)
            {
                continue;
            }
            if (existing.Contains((citizen!.Id, start!.Value)))
            {
                already++;
                continue;
            }
            if (!inFile.Add((citizen.Id, start.Value)))
            {
                errors.Add(new RowError(row, "start", "samme bevilling står tidligere i filen"));
                continue;
            }
            var c = new Case
            {
                MunicipalityId = standard.Id, CitizenId = citizen.Id, Number = $"{standard.Id[..3].ToUpperInvariant()}-IMP-{citizen.Cpr[..6]}-{start.Value:yyyyMMdd}",
                State = end is { } e && e < SystemClock.Instance.GetCurrentInstant().InUtc().Date ? CaseState.Closed : CaseState.Granted,
                ReceivedOn = start.Value, Channel = "import",
            };
            var step = new CaseStep
            {
                CaseId = c.Id, Kind = "decision", OccurredOn = start.Value, RecordedAt = SystemClock.Instance.GetCurrentInstant(),
                Reason = Cell(cells, columns, "begrundelse") ?? "Importeret fra tidligere sagssystem",
                DataJson = JsonSerializer.Serialize(new { outcome = "grant", imported = true, hoursPerMonth = hours }),
            };
            fresh.AddRange([c, step, new Ledsag.Web.Data.Grant
            {
                CaseId = c.Id, CitizenId = citizen.Id, MunicipalityId = standard.Id, Start = start.Value, End = end, MinutesPerMonth = (int)(hours!.Value * 60),
                HoursReason = hours * 60 != max.Value ? "Importeret timetal" : null,
            }]);
        }
        if (write && (errors.Count == 0 || skipInvalid) && fresh.Count > 0)
        {
            await SaveInBatchesAsync(db, fresh, standard.Id, "grants");
        }
        progress.Done();
        return (errors, fresh.Count / 3, already);
    }

    private static async Task<(List<RowError>, int, int)> AgreementsAsync(LedsagDb db, MunicipalStandard standard, List<string> lines, bool write, bool skipInvalid, Progress progress)
    {
        var errors = new List<RowError>();
        var columns = Header(lines[0], AgreementColumns, errors, "cpr", "fra", "til", "formål");
        if (errors.Count > 0)
        {
            return (errors, 0, 0);
        }
        var citizens = await db.Citizens.Where(c => c.MunicipalityId == standard.Id).ToDictionaryAsync(c => c.Cpr, c => c.Id);
        var grants = (await db.Grants.Where(g => g.MunicipalityId == standard.Id).ToListAsync()).ToLookup(g => g.CitizenId);
        var existing = (await db.SavingsAgreements.Select(a => new { a.GrantId, a.From, a.To }).ToListAsync()).Select(a => (a.GrantId, a.From, a.To)).ToHashSet();
        var fresh = new List<SavingsAgreementRow>();
        var already = 0;
        for (var i = 1; i < lines.Count; i++)
        {
            var row = i + 1;
            var cells = lines[i].Split(';');
            var before = errors.Count;
            var citizenId = Guid.Empty;
            if (!Cpr.TryParse(Cell(cells, columns, "cpr"), out var cpr, out var reason)) { errors.Add(new RowError(row, "cpr", reason)); }
            else if (!citizens.TryGetValue(cpr.Digits, out citizenId)) { errors.Add(new RowError(row, "cpr", "borgeren findes ikke i kommunen")); }
            var from = Date(Cell(cells, columns, "fra"));
            var to = Date(Cell(cells, columns, "til"));
            if (from is null) { errors.Add(new RowError(row, "fra", $"'{Cell(cells, columns, "fra")}' er ikke en dato")); }
            if (to is null) { errors.Add(new RowError(row, "til", $"'{Cell(cells, columns, "til")}' er ikke en dato")); }
            else if (from is not null && to < from) { errors.Add(new RowError(row, "til", "slutdatoen ligger før startdatoen")); }
            var purpose = Cell(cells, columns, "formål");
            if (purpose is null) { errors.Add(new RowError(row, "formål", "skal udfyldes")); }
            // The day the agreement was made (BEK 235/2012 § 6 stk. 1); an older system's file may not have it: then «fra».
            var agreedText = Cell(cells, columns, "aftalt");
            var agreed = agreedText is null ? from : Date(agreedText);
            if (agreedText is not null && agreed is null) { errors.Add(new RowError(row, "aftalt", $"'{agreedText}' er ikke en dato")); }
            var grant = from is null ? null : grants[citizenId].FirstOrDefault(g => g.Start <= from && (g.End is null || g.End >= from));
            if (errors.Count == before && grant is null) { errors.Add(new RowError(row, "fra", "borgeren har ingen bevilling den dag")); }
            progress.Tick();
            if (errors.Count > before)
            {
                continue;
            }
            if (!existing.Add((grant!.Id, from!.Value, to!.Value)))
            {
                already++;
                continue;
            }
            fresh.Add(new SavingsAgreementRow { GrantId = grant.Id, From = from.Value, To = to.Value, Purpose = purpose!, AgreedOn = agreed ?? from.Value });
        }
        if (write && (errors.Count == 0 || skipInvalid) && fresh.Count > 0)
        {
            await SaveInBatchesAsync(db, fresh, standard.Id, "agreements", [.. fresh.Select(a => a.GrantId).Distinct()]);
        }
        progress.Done();
        return (errors, fresh.Count, already);
    }

    private static async Task<(List<RowError>, int, int)> CompanionsAsync(LedsagDb db, MunicipalStandard standard, List<string> lines, bool write, bool skipInvalid, Progress progress)
    {
        var errors = new List<RowError>();
        var columns = Header(lines[0], CompanionColumns, errors, "navn", "cpr");
        if (errors.Count > 0)
        {
            return (errors, 0, 0);
        }
        var known = (await db.Companions.Where(k => k.MunicipalityId == standard.Id && k.Cpr != null).Select(k => k.Cpr!).ToListAsync()).ToHashSet();
        var fresh = new List<Companion>();
        var already = 0;
        bool? YesNo(string[] cells, string column, int row)
        {
            var v = Cell(cells, columns, column)?.ToLowerInvariant();
            if (v is null or "ja" or "nej") { return v == "ja"; }
            errors.Add(new RowError(row, column, $"'{v}' er hverken ja eller nej"));
            return null;
        }
        for (var i = 1; i < lines.Count; i++)
        {
            var row = i + 1;
            var cells = lines[i].Split(';');
            var before = errors.Count;
            var name = Cell(cells, columns, "navn");
            if (name is null) { errors.Add(new RowError(row, "navn", "skal udfyldes")); }
            // The CPR number is what makes a re-import recognise the companion; payroll needs it too.
            if (!Cpr.TryParse(Cell(cells, columns, "cpr"), out var cpr, out var reason)) { errors.Add(new RowError(row, "cpr", reason)); }
            var driving = YesNo(cells, "kørekort", row);
            var wheelchair = YesNo(cells, "kørestol", row);
            var statusText = Cell(cells, columns, "status") ?? "ansat";
            if (!Statuses.TryGetValue(statusText, out var status)) { errors.Add(new RowError(row, "status", $"'{statusText}' er ikke en status (ansøger, godkendt, ansat, ophørt)")); }
            progress.Tick();
            if (errors.Count > before)
            {
                continue;
            }
            if (!known.Add(cpr.Digits))
            {
                already++;
                continue;
            }
            fresh.Add(new Companion
            {
                MunicipalityId = standard.Id, Name = name!, Cpr = cpr.Digits, Phone = Cell(cells, columns, "telefon"), Email = Cell(cells, columns, "email"),
                Area = Cell(cells, columns, "område"), DrivingLicence = driving ?? false, WheelchairExperience = wheelchair ?? false, Status = status,
            });
        }
        if (write && (errors.Count == 0 || skipInvalid) && fresh.Count > 0)
        {
            await SaveInBatchesAsync(db, fresh, standard.Id, "companions");
        }
        progress.Done();
        return (errors, fresh.Count, already);
    }

    /// <summary>Many rows at once (COPY on PostgreSQL, a prepared insert on SQLite) and the audit entry, in one transaction.</summary>
    private static async Task BulkSaveAsync<T>(LedsagDb db, List<T> rows, string municipality, string what, List<Guid> grantsChanged) where T : class
    {
        await using var transaction = await db.Database.BeginTransactionAsync();
        await BulkInsert.WriteAsync(db, rows);
        await NewVersionsAsync(db, grantsChanged);
        var audit = new AuditLog(SystemClock.Instance, MasterKey.FromEnvironment());
        audit.Add(db, null, "import", what, null, $"{rows.Count} {what} importeret for {municipality}");
        await audit.SaveAsync(db);
        await transaction.CommitAsync();
    }

    private static readonly LocalTimePattern Clock = LocalTimePattern.CreateWithInvariantCulture("H:mm");

    private static LocalTime? Time(string[] cells, Dictionary<string, int> columns, string column, int row, List<RowError> errors)
    {
        if (Cell(cells, columns, column) is not { } t)
        {
            return null;
        }
        if (Clock.Parse(t.Replace('.', ':')) is { Success: true } p)
        {
            return p.Value;
        }
        errors.Add(new RowError(row, column, $"'{t}' er ikke et klokkeslæt (tt:mm)"));
        return null;
    }

    private static async Task SaveInBatchesAsync<T>(LedsagDb db, List<T> rows, string municipality, string what, List<Guid>? grantsChanged = null) where T : class
    {
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync();
        foreach (var batch in rows.Chunk(5000))
        {
            db.AddRange(batch);
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
        }
        await NewVersionsAsync(db, grantsChanged ?? []);
        var audit = new AuditLog(SystemClock.Instance, MasterKey.FromEnvironment());
        audit.Add(db, null, "import", what, null, $"{rows.Count} {what} importeret for {municipality}");
        await audit.SaveAsync(db);
        await transaction.CommitAsync();
    }

    // The grants' ledgers changed: a new version tells a running server's cached ledger, and any registration in flight, to read again.
    private static async Task NewVersionsAsync(LedsagDb db, List<Guid> grants)
    {
        foreach (var chunk in grants.Chunk(500))
        {
            await db.Grants.Where(g => chunk.Contains(g.Id)).ExecuteUpdateAsync(u => u.SetProperty(g => g.Version, g => g.Version + 1));
        }
    }

    /// <summary>A progress line on stderr for long files: rows done, rate and time left.</summary>
    private sealed class Progress(int total, TextWriter writer)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private int _done;
        private long _lastReport;

        public void Tick()
        {
            _done++;
            if (total >= 20_000 && _clock.ElapsedMilliseconds - _lastReport > 1000)
            {
                _lastReport = _clock.ElapsedMilliseconds;
                var rate = _done / Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
                writer.WriteLine($"[{new string('#', 20 * _done / total),-20}] {_done}/{total} rækker, {rate:0}/s, {(total - _done) / Math.Max(rate, 1):0} s tilbage");
            }
        }

        public void Done()
        {
            if (total >= 20_000)
            {
                writer.WriteLine($"[{new string('#', 20)}] {total}/{total} rækker på {_clock.Elapsed.TotalSeconds:0.0} s");
            }
        }
    }
}
