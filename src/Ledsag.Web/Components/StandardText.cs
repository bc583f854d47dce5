using Ledsag.Domain;
using Ledsag.Domain.Calendar;
using Ledsag.Domain.Standards;

namespace Ledsag.Web.Components;

/// <summary>
/// A quality standard's rules in the words of the people who read it: each parameter by its Danish meaning, its
/// value in Danish (ja/nej, «8 uger», «15 timer», the enum words translated, contacts and lists as text), grouped
/// under Danish headings. No parameter key or code word reaches the page.
/// </summary>
public static class StandardText
{
    /// <summary>A rule as the page shows it.</summary>
    public sealed record Rule(string Key, string Label, IReadOnlyList<string> Value, bool IsList, NodaTime.LocalDate From, string Source, bool National);

    /// <summary>A heading and its rules.</summary>
    public sealed record Group(string Heading, IReadOnlyList<Rule> Rules);

    /// <summary>The Danish headings, by the first part of a key, in the order the page shows them.</summary>
    public static readonly IReadOnlyList<(string Prefix, string Heading)> Headings =
    [
        ("hours_per_month", "Timer"),
        ("savings", "Opsparing af timer"),
        ("lapse_reminder_days", "Opsparing af timer"),
        ("botilbud", "Timer"),
        ("own_home", "Timer"),
        ("sessions", "Timer"),
        ("criteria", "Målgruppe"),
        ("excluded_activities", "Aktiviteter, der ikke er ledsagelse"),
        ("intake", "Ansøgning og sagsbehandling"),
        ("processing_time", "Ansøgning og sagsbehandling"),
        ("consultation_period", "Ansøgning og sagsbehandling"),
        ("consultation", "Ansøgning og sagsbehandling"),
        ("start_period", "Bevilling og opfølgning"),
        ("follow_up", "Bevilling og opfølgning"),
        ("grant", "Bevilling og opfølgning"),
        ("companion", "Ledsageren"),
        ("mileage", "Ledsageren"),
        ("cash_grant", "Penge"),
        ("subsidy", "Penge"),
        ("complaint", "Klage"),
        ("letters", "Breve"),
    ];

    /// <summary>Every enum word the standards use, in Danish.</summary>
    public static readonly IReadOnlyDictionary<string, string> Words = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Parameters.DrawingOrders.OldestFirst] = "De ældste opsparede timer bruges først",
        [Parameters.DrawingOrders.CurrentFirst] = "Månedens egne timer bruges først, derefter de ældste opsparede",
        ["deduct"] = "Ledsagelse i botilbuddet trækkes fra de 15 timer",
        ["fixed"] = "Et fast antal timer",
        ["purpose"] = "Formålet med opsparingen",
        ["purpose_companion_expenses"] = "Formålet, ledsageren og hvem der betaler ledsagerens udgifter",
        ["municipality"] = "Kommunen",
        ["provider"] = "En leverandør, som kommunen samarbejder med",
        ["municipality_or_provider"] = "Kommunen eller en leverandør",
        ["probable_expenses"] = "Sandsynliggjorte udgifter",
        ["documented_expenses"] = "Dokumenterede udgifter",
        ["fixed_amount"] = "Et fast beløb om året",
        ["not_stated"] = "Standarden nævner det ikke",
        ["recommended"] = "Anbefales",
        ["required"] = "Skal bruges",
        [Parameters.CriterionEffects.Block] = "Ansøgningen afslås",
        [Parameters.CriterionEffects.Flag] = "Vurderes nærmere",
        [Parameters.CriterionEffects.Off] = "Bruges ikke i kommunen",
    };

    /// <summary>The standard's rules in force on <paramref name="date"/>, grouped under Danish headings.</summary>
    public static IReadOnlyList<Group> Groups(MunicipalStandard standard, NodaTime.LocalDate date) =>
        standard.Keys.Select(key => RuleOf(standard, key, date))
            .GroupBy(r => Heading(r.Key) ?? "Andre regler")
            .OrderBy(g => Order(g.Key))
            .Select(g => new Group(g.Key, g.OrderBy(r => r.Label, StringComparer.Ordinal).ToList()))
            .ToList();

    /// <summary>One rule: its Danish label, its value in Danish, from when and where it comes from.</summary>
    public static Rule RuleOf(MunicipalStandard standard, string key, NodaTime.LocalDate date)
    {
        var e = standard.Get<object?>(key, date);
        var def = Parameters.Find(key, standard.National.Activities.Keys.ToHashSet());
        var (lines, list) = Value(def, e.Value);
        return new Rule(key, Label(standard, key, def), lines, list, e.From, e.Source, e.DefinedIn == "national");
    }

    /// <summary>The heading of a key's group, or null for a key no heading covers.</summary>
    public static string? Heading(string key)
    {
        var first = key.Split('.')[0];
        return Headings.FirstOrDefault(h => h.Prefix == first).Heading;
    }

    private static int Order(string heading)
    {
        var i = Headings.Select(h => h.Heading).Distinct().ToList().IndexOf(heading);
        return i < 0 ? int.MaxValue : i;
    }

    /// <summary>The rule's name in Danish: its meaning with a capital, a criterion by its reason, an activity by its name.</summary>
    public static string Label(MunicipalStandard standard, string key, ParameterDefinition? def)
    {
        if (key.StartsWith(Parameters.CriteriaPrefix, StringComparison.Ordinal)
            && standard.National.Reasons.TryGetValue(key[Parameters.CriteriaPrefix.Length..], out var reason))
        {
            return $"Målgruppekriterium: {reason.Text}";
        }
        if (key.StartsWith(Parameters.ExcludedActivityPrefix, StringComparison.Ordinal)
            && standard.National.Activities.TryGetValue(key[Parameters.ExcludedActivityPrefix.Length..], out var activity))
        {
            return $"{activity.Label} er udelukket fra ledsagelse";
        }
        return def is null || def.Meaning.Length == 0 ? "" : char.ToUpperInvariant(def.Meaning[0]) + def.Meaning[1..];
    }

    /// <summary>A value in Danish: the lines to show and whether they are a list.</summary>
    public static (IReadOnlyList<string> Lines, bool IsList) Value(ParameterDefinition? def, object? value) => value switch
    {
        null => ([Nothing(def?.Type)], false),
        bool b => ([b ? "Ja" : "Nej"], false),
        int i when def?.Key == Parameters.SavingsValidityMonths => ([i == 1 ? "1 måned" : $"{i} måneder"], false),
        int i when def?.Key == Parameters.LapseReminderDays => ([i == 1 ? "1 dag" : $"{i} dage"], false),
        int i => ([i.ToString(System.Globalization.CultureInfo.InvariantCulture)], false),
        Minutes m => ([Letters.Danish.Hours(m.Hours)], false),
        DeadlinePeriod p => ([p.ToString()], false),
        string word when def?.Type == ParameterType.Enum => ([Words.TryGetValue(word, out var danish) ? danish : word], false),
        string text => ([text], false),
        Contact c => (ContactLines(c).ToList(), false),
        IReadOnlyList<IntakeRoute> routes => (routes.Select(Route).ToList(), true),
        IReadOnlyList<string> texts => (texts.Count == 0 ? ["Ingen"] : texts, texts.Count > 0),
        _ => ([value.ToString() ?? ""], false),
    };

    private static string Nothing(ParameterType? type) => type switch
    {
        ParameterType.PeriodOrNull => "Standarden fastsætter ingen frist",
        ParameterType.HoursOrNull => "Ingen",
        ParameterType.ContactOrNull => "Standarden nævner ingen",
        ParameterType.TextOrNull => "Standarden siger intet om det",
        _ => "Ingen",
    };

    private static IEnumerable<string> ContactLines(Contact c)
    {
        yield return c.Unit;
        foreach (var line in c.AddressLines())
        {
            yield return line;
        }
        if (c.Phone is { } phone)
        {
            yield return $"Telefon {phone}";
        }
        if (c.Email is { } email)
        {
            yield return $"E-mail {email}";
        }
    }

    private static string Route(IntakeRoute r)
    {
        var when = (r.AgeAtLeast, r.EarlyRetirementPension) switch
        {
            ({ } age, true) => $" – ansøgere på {age} år eller derover eller med førtidspension",
            ({ } age, _) => $" – ansøgere på {age} år eller derover",
            (null, true) => " – ansøgere med førtidspension",
            (null, false) => " – ansøgere uden førtidspension",
            _ => "",
        };
        return $"{r.Unit}{(r.Phone is { } phone ? $", telefon {phone}" : "")}{when}";
    }
}
