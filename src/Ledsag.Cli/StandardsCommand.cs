using Ledsag.Web.Infrastructure;
using System.Globalization;
using Ledsag.Domain;
using Ledsag.Domain.Calendar;
using Ledsag.Domain.Standards;
using Ledsag.Domain.Text;
using NodaTime;
using NodaTime.Text;

namespace Ledsag.Cli;

/// <summary><c>ledsag standards show ID</c> and <c>ledsag standards validate</c>.</summary>
public static class StandardsCommand
{
    /// <summary>Prints one municipality's effective rules on a date, each with its source.</summary>
    public static int Show(string id, string? dateText, string dir, TextWriter output, TextWriter error)
    {
        var date = SystemClock.Instance.GetCurrentInstant().InZone(DateTimeZoneProviders.Tzdb["Europe/Copenhagen"]).Date;
        if (dateText is not null)
        {
            var parsed = LocalDatePattern.Iso.Parse(dateText);
            if (!parsed.Success)
            {
                error.WriteLine($"fejl: --date: '{dateText}' er ikke en gyldig dato (ÅÅÅÅ-MM-DD)");
                return LedsagCommand.BadInput;
            }
            date = parsed.Value;
        }
        StandardSet set;
        try
        {
            set = StandardsDirectory.Load(dir);
        }
        catch (RuleFileException e)
        {
            LedsagCommand.WriteErrors(e.Errors, error);
            return LedsagCommand.BadInput;
        }
        if (!set.Municipalities.TryGetValue(id, out var standard))
        {
            error.WriteLine($"fejl: ID: ukendt kommune '{id}' (kendte: {string.Join(", ", set.Municipalities.Keys.Order())})");
            return LedsagCommand.BadInput;
        }

        output.WriteLine($"{standard.Name} — gældende regler pr. {date:yyyy-MM-dd}");
        output.WriteLine($"Dokument: {standard.Document}");
        output.WriteLine($"Fil: {standard.File} over {set.National.File}");
        output.WriteLine();
        foreach (var key in standard.Keys)
        {
            var e = standard.Get<object?>(key, date);
            var origin = e.DefinedIn == "national" ? "landsregel" : "kommunens";
            output.WriteLine($"{key} = {Format(e.Value)}   ({origin}, gældende fra {e.From:yyyy-MM-dd})");
            output.WriteLine($"    kilde: {e.Source}");
        }
        output.WriteLine();
        var national = set.National;
        output.WriteLine("Landsdækkende satser:");
        var subsidy = national.SubsidyMax(date.Year);
        output.WriteLine(subsidy is null
            ? $"  § 97 stk. 7-beløb {date.Year}: ikke registreret — en administrator skal indtaste det"
            : $"  § 97 stk. 7-beløb {date.Year}: {subsidy.Amount.ToString(CultureInfo.InvariantCulture)} kr.   kilde: {subsidy.Source}");
        var km = national.KmRateOn(date);
        output.WriteLine(km is null
            ? $"  Statens lave takst pr. {date:yyyy-MM-dd}: ikke registreret"
            : $"  Statens lave takst pr. {date:yyyy-MM-dd}: {km.Rate.ToString(CultureInfo.InvariantCulture)} kr./km   kilde: {km.Source}");
        output.WriteLine($"  Aldersgrænse: folkepensionsalderen, mindst {national.MinimumAgeLimit.Value} år   kilde: {national.MinimumAgeLimit.Source}");
        output.WriteLine($"  Helligdage og lukkedage {date.Year}: " + string.Join(", ",
            national.Calendar.HolidaysIn(date.Year).OrderBy(kv => kv.Key).Select(kv => $"{kv.Value.Name} {kv.Key:dd-MM}")));
        return LedsagCommand.Ok;
    }

    /// <summary>Validates every standard file; prints each file's status and exits 0 or 2.</summary>
    public static int Validate(string dir, TextWriter output, TextWriter error)
    {
        try
        {
            var set = StandardsDirectory.Load(dir);
            output.WriteLine($"OK {set.National.File}: {set.National.Parameters.Count} parametre, {set.National.Reasons.Count} årsagskoder, " +
                             $"{set.National.SubsidyAmounts.Count} tilskudsbeløb, {set.National.KmRates.Count} km-takster");
            foreach (var m in set.Municipalities.Values.OrderBy(m => m.Id, StringComparer.Ordinal))
            {
                output.WriteLine($"OK {m.File}: {m.Name}, {m.Parameters.Count} egne parametre");
            }
            output.WriteLine($"{set.Municipalities.Count + 1} filer er gyldige");
            return LedsagCommand.Ok;
        }
        catch (RuleFileException e)
        {
            LedsagCommand.WriteErrors(e.Errors, error);
            return LedsagCommand.BadInput;
        }
    }

    /// <summary>A parameter value as operators read it ("14 dage", "ja", "15 timer", the routes).</summary>
    internal static string Format(object? value) => value switch
    {
        null => "ingen",
        bool b => b ? "ja" : "nej",
        Minutes m => $"{m} timer",
        DeadlinePeriod p => p.ToString(),
        IReadOnlyList<IntakeRoute> routes => string.Join("; ", routes.Select(r =>
            r.Unit + (r.Phone is null ? "" : $" (tlf. {r.Phone})") +
            (r.AgeAtLeast is { } a ? $" hvis fyldt {a} år" : "") +
            (r.EarlyRetirementPension == true ? " hvis tilkendt førtidspension" : "") +
            (r.AgeAtLeast is null && r.EarlyRetirementPension is null ? " (ellers)" : ""))),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
