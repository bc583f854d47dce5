using System.Globalization;
using System.Text.Json;
using Ledsag.Domain;
using Ledsag.Domain.Cases;
using Ledsag.Domain.Deadlines;
using Ledsag.Domain.Eligibility;
using Ledsag.Domain.Hours;
using Ledsag.Domain.Standards;
using Ledsag.Domain.Text;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Ledsag.Cli;

/// <summary><c>ledsag standards diff A B</c> and <c>ledsag simulate --standard FILE</c>: what a revised standard would change.</summary>
public static class OperatorCommands
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>One parameter that differs between two versions of a standard.</summary>
    public sealed record Difference(string Key, string? Before, string? After, string? SourceBefore, string? SourceAfter);

    private static MunicipalStandard LoadFile(string path, NationalRules national) =>
        StandardParser.ParseMunicipal(File.ReadAllText(path), path, national);

    public static int Diff(string a, string b, string? dateText, bool json, string standardsDir, TextWriter output, TextWriter error)
    {
        try
        {
            var set = StandardsDirectory.Load(standardsDir);
            var before = LoadFile(a, set.National);
            var after = LoadFile(b, set.National);
            var date = dateText is null ? (LocalDate?)null : NodaTime.Text.LocalDatePattern.Iso.Parse(dateText) is { Success: true } d ? d.Value
                : throw new ArgumentException($"--date: '{dateText}' er ikke en gyldig dato (ÅÅÅÅ-MM-DD)");
            var differences = Differences(before, after, date);
            if (json)
            {
                output.WriteLine(JsonSerializer.Serialize(new { before = a, after = b, differences }, Json));
                return LedsagCommand.Ok;
            }
            output.WriteLine($"{before.Name}: {a} → {b}{(date is { } x ? $" pr. {x:yyyy-MM-dd}" : " (seneste værdier)")}");
            foreach (var diff in differences)
            {
                output.WriteLine($"{diff.Key}: {diff.Before ?? "(ingen)"} → {diff.After ?? "(ingen)"}");
                output.WriteLine($"    før: {diff.SourceBefore ?? "—"}");
                output.WriteLine($"    nu:  {diff.SourceAfter ?? "—"}");
            }
            output.WriteLine(differences.Count == 0 ? "Ingen forskelle." : $"{differences.Count} forskel(le).");
            return LedsagCommand.Ok;
        }
        catch (RuleFileException e)
        {
            LedsagCommand.WriteErrors(e.Errors, error);
            return LedsagCommand.BadInput;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            error.WriteLine($"fejl: {e.Message}");
            return LedsagCommand.BadInput;
        }
    }

    /// <summary>Every effective parameter whose value differs (on a date, or between the latest values of each).</summary>
    public static List<Difference> Differences(MunicipalStandard before, MunicipalStandard after, LocalDate? date)
    {
        var list = new List<Difference>();
        foreach (var key in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            var x = Latest(before, key, date);
            var y = Latest(after, key, date);
            if (StandardsCommand.Format(x?.Value) != StandardsCommand.Format(y?.Value))
            {
                list.Add(new Difference(key, x is null ? null : StandardsCommand.Format(x.Value), y is null ? null : StandardsCommand.Format(y.Value), x?.Cite(), y?.Cite()));
            }
        }
        return list;
    }

    private static Effective<object?>? Latest(MunicipalStandard s, string key, LocalDate? date)
    {
        if (!s.Keys.Contains(key))
        {
            return null;
        }
        var on = date ?? s.EffectiveDates.LastOrDefault();
        return s.Get<object?>(key, on == default ? new LocalDate(2100, 1, 1) : on);
    }

    /// <summary>The simulation's finding for one citizen.</summary>
    public sealed record CitizenChange(string Citizen, string Cpr, string What, string Before, string After, decimal? LapseDifferenceHours);

    public static async Task<int> SimulateAsync(string file, string? municipality, string? onText, bool json, string? provider, string? connection,
        string standardsDir, TextWriter output, TextWriter error)
    {
        try
        {
            var set = StandardsDirectory.Load(standardsDir);
            var revised = LoadFile(file, set.National);
            var id = municipality ?? revised.Id;
            if (!set.Municipalities.TryGetValue(id, out var current))
            {
                throw new ArgumentException($"--municipality: ukendt kommune '{id}'");
            }
            var on = onText is null ? SystemClock.Instance.GetCurrentInstant().InZone(DateTimeZoneProviders.Tzdb["Europe/Copenhagen"]).Date
                : NodaTime.Text.LocalDatePattern.Iso.Parse(onText) is { Success: true } d ? d.Value : throw new ArgumentException($"--date: '{onText}' er ikke en gyldig dato");
            await using var db = DatabaseCommands.Open(provider, connection);
            var changes = await SimulateAsync(db, current, revised, on, CancellationToken.None);
            var lost = changes.Where(c => c.LapseDifferenceHours > 0).Sum(c => c.LapseDifferenceHours!.Value);
            var saved = -changes.Where(c => c.LapseDifferenceHours < 0).Sum(c => c.LapseDifferenceHours!.Value);
            if (json)
            {
                output.WriteLine(JsonSerializer.Serialize(new { municipality = id, standard = file, date = on.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), changes, hoursMoreLapsing = lost, hoursLessLapsing = saved }, Json));
                return LedsagCommand.Ok;
            }
            output.WriteLine($"Simulering af {file} for {current.Name} pr. {on:yyyy-MM-dd} (ingen data ændres)");
            foreach (var c in changes)
            {
                output.WriteLine($"{c.Citizen} ({c.Cpr}): {c.What}: {c.Before} → {c.After}");
            }
            output.WriteLine($"I alt: {changes.Select(c => c.Cpr).Distinct().Count()} borgere berørt, {changes.Count} ændringer; " +
                             $"{Hours(lost)} timer mere ville bortfalde, {Hours(saved)} timer mindre.");
            return LedsagCommand.Ok;
        }
        catch (RuleFileException e)
        {
            LedsagCommand.WriteErrors(e.Errors, error);
            return LedsagCommand.BadInput;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            error.WriteLine($"fejl: {e.Message}");
            return LedsagCommand.BadInput;
        }
    }

    /// <summary>
    /// Replays every current grant's sessions under both standards (hours lost to lapse by the date), recomputes
    /// open cases' decision deadlines and the recommendation of assessed cases. Reads only.
    /// </summary>
    public static async Task<List<CitizenChange>> SimulateAsync(LedsagDb db, MunicipalStandard current, MunicipalStandard revised, LocalDate on, CancellationToken ct)
    {
        var changes = new List<CitizenChange>();
        var citizens = await db.Citizens.AsNoTracking().Where(c => c.MunicipalityId == current.Id).ToDictionaryAsync(c => c.Id, ct);
        var grants = await db.Grants.AsNoTracking().Where(g => g.MunicipalityId == current.Id && (g.End == null || g.End >= on)).ToListAsync(ct);
        var grantIds = grants.Select(g => g.Id).ToList();
        var agreements = (await db.SavingsAgreements.AsNoTracking().Where(a => grantIds.Contains(a.GrantId)).ToListAsync(ct)).ToLookup(a => a.GrantId);
        var sessions = (await db.Sessions.AsNoTracking().Where(s => grantIds.Contains(s.GrantId)).ToListAsync(ct)).ToLookup(s => s.GrantId);
        foreach (var g in grants)
        {
            var grant = Ledsag.Web.Features.GrantEndpoints.ToDomain(g, agreements[g.Id].Select(a => new SavingsAgreement(a.From, a.To, a.AgreedOn)).ToList());
            var standing = Ledsag.Web.Features.GrantEndpoints.Standing(sessions[g.Id].OrderBy(s => s.Date).ThenBy(s => s.Sequence).ToList());
            decimal Lapsing(MunicipalStandard s)
            {
                var ledger = new HoursLedger(grant, LedgerRules.Timeline(s));
                foreach (var row in standing)
                {
                    ledger.Use(row.Date, new Minutes(row.Minutes));
                }
                // Whatever is left lapses sooner or later, so the forecast's total cannot differ; what differs is how
                // much the same usage would have lost to lapse by now under each standard.
                return ledger.BalanceAt(on).LapsedTotal.Hours;
            }
            var before = Lapsing(current);
            var after = Lapsing(revised);
            if (before != after && citizens.TryGetValue(g.CitizenId, out var z))
            {
                changes.Add(new CitizenChange(z.Name, Ledsag.Web.Features.CitizenEndpoints.Mask(z.Cpr), $"timer bortfaldet til {on:yyyy-MM-dd} med samme forbrug", Hours(before), Hours(after), after - before));
            }
        }

        var open = await db.Cases.AsNoTracking().Where(c => c.MunicipalityId == current.Id &&
            (c.State == CaseState.Received || c.State == CaseState.InAssessment || c.State == CaseState.Consultation)).ToListAsync(ct);
        foreach (var c in open)
        {
            var z = citizens[c.CitizenId];
            var x = DeadlineEngine.For(current, DeadlineEvent.ApplicationReceived, c.ReceivedOn).Single().Due;
            var y = DeadlineEngine.For(revised, DeadlineEvent.ApplicationReceived, c.ReceivedOn).Single().Due;
            if (x != y)
            {
                changes.Add(new CitizenChange(z.Name, Ledsag.Web.Features.CitizenEndpoints.Mask(z.Cpr), $"afgørelsesfrist for sag {c.Number}", Date(x), Date(y), null));
            }
            var assessment = await db.CaseSteps.AsNoTracking().Where(s => s.CaseId == c.Id && s.Kind == "assessment").OrderByDescending(s => s.RecordedAt).FirstOrDefaultAsync(ct);
            if (assessment is not null && JsonDocument.Parse(assessment.DataJson).RootElement.TryGetProperty("facts", out var f) &&
                f.Deserialize<EligibilityFacts>(new JsonSerializerOptions(JsonSerializerDefaults.Web)) is { } facts)
            {
                var r1 = EligibilityEngine.Recommend(current, assessment.OccurredOn, z.BirthDate, facts);
                var r2 = EligibilityEngine.Recommend(revised, assessment.OccurredOn, z.BirthDate, facts);
                string Text(Recommendation r) => $"{r.Kind.ToString().ToLowerInvariant()}{(r.HoursPerMonth is { } h ? $" {h} t/md" : "")}{(r.Reasons.Count > 0 ? $" [{string.Join(", ", r.Reasons)}]" : "")}";
                if (Text(r1) != Text(r2))
                {
                    changes.Add(new CitizenChange(z.Name, Ledsag.Web.Features.CitizenEndpoints.Mask(z.Cpr), $"anbefaling i sag {c.Number}", Text(r1), Text(r2), null));
                }
            }
        }
        return changes;
    }

    private static string Date(LocalDate? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "ingen frist";

    private static string Hours(decimal h) => h.ToString("0.##", CultureInfo.InvariantCulture).Replace('.', ',');
}
