using Ledsag.Domain.Calendar;
using Ledsag.Domain.Standards;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Ledsag.Web.Features;

/// <summary>
/// Management figures for a municipality: grants, hours used and lapsed per month, decisions within
/// the published processing time, complaints and their outcomes — as JSON, a page and an Excel workbook.
/// </summary>
public static class StatisticsEndpoints
{
    public sealed record MonthFigures(string Month, string Label, int ActiveGrants, decimal HoursUsed, decimal HoursLapsed, int Decisions,
        int DecisionsWithinDeadline, int Complaints, int CheckDefectsFound = 0, int CheckDefectsFixed = 0, int CheckWarningsOverridden = 0);

    public sealed record Statistics(string Municipality, int Year, string? ProcessingTime, IReadOnlyList<MonthFigures> Months, int Grants, int Refusals,
        decimal? ShareWithinDeadline, IReadOnlyDictionary<string, int> ComplaintOutcomes);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/statistics", Json).WithTags("Statistik").RequireAuthorization().WithName("GetStatistics").Produces<Statistics>();
        app.MapGet("/api/statistics.xlsx", Excel).WithTags("Statistik").RequireAuthorization().WithName("GetStatisticsWorkbook")
            .Produces(200, contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    }

    private static Actor Allowed(HttpContext http)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator, Role.Finance);
        return actor;
    }

    private static async Task<IResult> Json(HttpContext http, LedsagDb db, Standards standards, Today today, int? year, CancellationToken ct) =>
        Results.Ok(await ComputeAsync(db, standards, today, Allowed(http).MunicipalityId, ValidYear(year, today), ct));

    private static int ValidYear(int? year, Today today) =>
        year is null ? today.Date.Year : year is >= 2000 and <= 2100 ? year.Value : throw ProblemException.Invalid("year", "Angiv et år fra 2000 til 2100.");

    public static async Task<Statistics> ComputeAsync(LedsagDb db, Standards standards, Today today, string municipalityId, int year, CancellationToken ct)
    {
        var standard = standards.For(municipalityId);
        var first = new LocalDate(year, 1, 1);
        var last = new LocalDate(year, 12, 31);
        var cutoff = last < today.Date ? last : today.Date;
        // A replaced grant's months belong to the grant that replaced it (its ledger runs over the chain).
        var grants = await db.Grants.Where(g => g.MunicipalityId == municipalityId && g.EndReason != "replaced" && (g.LedgerStart ?? g.Start) <= last && (g.End == null || g.End >= first))
            .ToListAsync(ct);
        var used = new decimal[12];
        var lapsed = new decimal[12];
        var active = new int[12];
        foreach (var g in grants)
        {
            var ledger = await GrantEndpoints.ReplayAsync(db, g, standard, ct);
            var history = GrantEndpoints.History(ledger, cutoff, cutoff.Month);
            for (var i = 0; i < history.Count; i++)
            {
                used[i] += history[i].Used;
                lapsed[i] += history[i].Lapsed;
                var monthStart = new LocalDate(year, i + 1, 1);
                if (g.Start <= monthStart.PlusMonths(1).PlusDays(-1) && (g.End is null || g.End >= monthStart))
                {
                    active[i]++;
                }
            }
        }

        var steps = await db.CaseSteps.Where(s => s.OccurredOn >= first && s.OccurredOn <= last && (s.Kind == "decision" || s.Kind == "complaint_received" || s.Kind == "reassessment"))
            .Join(db.Cases.Where(c => c.MunicipalityId == municipalityId), s => s.CaseId, c => c.Id, (s, c) => new { s, c.ReceivedOn }).ToListAsync(ct);
        var decisions = steps.Where(x => x.s.Kind == "decision").ToList();
        var checks = await CheckFiguresAsync(db, municipalityId, first, last, ct);
        var processing = standard.Get<DeadlinePeriod?>(Parameters.ProcessingTime, cutoff).Value;
        bool Within(LocalDate received, LocalDate decided) =>
            processing is null || decided <= standard.National.Calendar.DueDate(received, processing);
        var outcomes = steps.Where(x => x.s.Kind == "reassessment")
            .GroupBy(x => CaseWorkflow.Data<System.Text.Json.JsonElement>(x.s).TryGetProperty("outcome", out var o) ? o.GetString() ?? "?" : "?")
            .ToDictionary(g => g.Key switch { "full" => "medhold", "partial" => "delvist medhold", "upheld" => "fastholdt", _ => g.Key }, g => g.Count());
        var months = Enumerable.Range(0, 12).Select(i =>
        {
            var inMonth = decisions.Where(d => d.s.OccurredOn.Month == i + 1).ToList();
            return new MonthFigures($"{year}-{i + 1:00}", $"{Letters.Danish.Month(i + 1)[..3]}", active[i], used[i], lapsed[i], inMonth.Count,
                inMonth.Count(d => Within(d.ReceivedOn, d.s.OccurredOn)), steps.Count(x => x.s.Kind == "complaint_received" && x.s.OccurredOn.Month == i + 1),
                checks.Found[i], checks.Fixed[i], checks.Overridden[i]);
        }).ToList();
        var grantsDecided = decisions.Count(d => CaseWorkflow.Data<System.Text.Json.JsonElement>(d.s).GetProperty("outcome").GetString() == "grant");
        return new Statistics(standard.Name, year, processing?.ToString(), months, grantsDecided, decisions.Count - grantsDecided,
            decisions.Count == 0 || processing is null ? null : Math.Round(100m * decisions.Count(d => Within(d.ReceivedOn, d.s.OccurredOn)) / decisions.Count, 1),
            outcomes);
    }

    /// <summary>
    /// What the decision check did, per month: defects it found (each check run), defects found on a case that were gone when
    /// its decision was sent (fixed), and warnings sent with a decision (overridden).
    /// </summary>
    private static async Task<(int[] Found, int[] Fixed, int[] Overridden)> CheckFiguresAsync(LedsagDb db, string municipalityId, LocalDate first, LocalDate last,
        CancellationToken ct)
    {
        var (found, fixedOnes, overridden) = (new int[12], new int[12], new int[12]);
        var rows = (await db.CaseSteps.Where(s => s.OccurredOn >= first && s.OccurredOn <= last && (s.Kind == "decision_check" || s.Kind == "decision" || s.Kind == "grant_ended"))
            .Join(db.Cases.Where(c => c.MunicipalityId == municipalityId), s => s.CaseId, c => c.Id, (s, c) => s).ToListAsync(ct))
            .OrderBy(s => s.RecordedAt).ThenBy(s => s.CaseVersion);
        static IEnumerable<(string Code, string Severity)> Defects(CaseStep s, string property)
        {
            var data = CaseWorkflow.Data<System.Text.Json.JsonElement>(s);
            return data.ValueKind == System.Text.Json.JsonValueKind.Object && data.TryGetProperty(property, out var list) && list.ValueKind == System.Text.Json.JsonValueKind.Array
                ? list.EnumerateArray().Select(d => (d.GetProperty("code").GetString() ?? "", d.GetProperty("severity").GetString() ?? ""))
                : [];
        }
        var seen = new Dictionary<Guid, HashSet<string>>();
        foreach (var s in rows)
        {
            var month = s.OccurredOn.Month - 1;
            if (s.Kind == "decision_check")
            {
                var codes = Defects(s, "defects").Select(d => d.Code).ToList();
                found[month] += codes.Count;
                (seen.TryGetValue(s.CaseId, out var set) ? set : seen[s.CaseId] = []).UnionWith(codes);
                continue;
            }
            var sent = Defects(s, "warnings").Select(d => d.Code).ToHashSet();
            overridden[month] += sent.Count;
            if (seen.Remove(s.CaseId, out var before))
            {
                fixedOnes[month] += before.Count(code => !sent.Contains(code));
            }
        }
        return (found, fixedOnes, overridden);
    }

    private static async Task<IResult> Excel(HttpContext http, LedsagDb db, Standards standards, Today today, AuditLog audit, int? year, CancellationToken ct)
    {
        var actor = Allowed(http);
        var stats = await ComputeAsync(db, standards, today, actor.MunicipalityId, ValidYear(year, today), ct);
        audit.Add(db, actor, "export", "statistics", stats.Year.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await audit.SaveAsync(db, ct);
        string[] headers = ["Måned", "Aktive bevillinger", "Timer brugt", "Timer bortfaldet", "Afgørelser", "Heraf inden for fristen", "Klager",
            "Fejl fundet ved tjek", "Fejl rettet før afsendelse", "Advarsler sendt med afgørelsen"];
        var months = stats.Months.Select(m => (IReadOnlyList<object?>)[m.Month, m.ActiveGrants, m.HoursUsed, m.HoursLapsed, m.Decisions, m.DecisionsWithinDeadline,
            m.Complaints, m.CheckDefectsFound, m.CheckDefectsFixed, m.CheckWarningsOverridden]).ToList();
        var overview = new List<IReadOnlyList<object?>>
        {
            new object?[] { "År", stats.Year },
            new object?[] { "Offentliggjort sagsbehandlingstid", stats.ProcessingTime ?? "ingen" },
            new object?[] { "Andel afgørelser inden for fristen (%)", stats.ShareWithinDeadline is { } share ? share.ToString(System.Globalization.CultureInfo.InvariantCulture) : "—" },
            new object?[] { "Bevillinger / afslag", $"{stats.Grants} / {stats.Refusals}" },
        };
        overview.AddRange(stats.ComplaintOutcomes.Select(o => (IReadOnlyList<object?>)[$"Klager: {o.Key}", o.Value]));
        using var stream = new MemoryStream();
        await Exports.XlsxAsync(stream, [new ExportSheet("Måneder", headers, months), new ExportSheet("Overblik", ["Kommune", stats.Municipality], overview)], ct);
        return Results.File(stream.ToArray(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"ledsag-statistik-{actor.MunicipalityId}-{stats.Year}.xlsx");
    }
}
