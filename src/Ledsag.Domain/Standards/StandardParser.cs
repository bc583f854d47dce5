using Ledsag.Domain.Calendar;
using Ledsag.Domain.Text;
using NodaTime;

namespace Ledsag.Domain.Standards;

/// <summary>
/// Reads standard files (national.yaml and one file per municipality) from their text. A file with
/// an unknown key, a wrong type or a missing value fails with file, line, key and reason.
/// </summary>
public static class StandardParser
{
    /// <summary>The national base's file name; every other file of a standards folder is a municipality.</summary>
    public const string NationalFileName = "national.yaml";

    /// <summary>Reads a standards folder's files: <see cref="NationalFileName"/> and one file per municipality.</summary>
    public static StandardSet Parse(IEnumerable<(string File, string Text)> files)
    {
        var all = files.ToList();
        var national = all.Where(f => Path.GetFileName(f.File) == NationalFileName).ToList();
        return national.Count == 1
            ? Parse(national[0], all.Where(f => Path.GetFileName(f.File) != NationalFileName).OrderBy(f => f.File, StringComparer.Ordinal))
            : throw new RuleFileException(new RuleFileError(NationalFileName, 0, "", "standardmappen skal have præcis én national.yaml"));
    }

    /// <summary>Reads the national base and every municipality's standard into a <see cref="StandardSet"/>.</summary>
    public static StandardSet Parse((string File, string Text) national, IEnumerable<(string File, string Text)> municipalities)
    {
        var rules = ParseNational(national.Text, national.File);
        var errors = new List<RuleFileError>();
        var map = new Dictionary<string, MunicipalStandard>(StringComparer.Ordinal);
        foreach (var (file, text) in municipalities)
        {
            try
            {
                var m = ParseMunicipal(text, file, rules);
                if (!map.TryAdd(m.Id, m))
                {
                    errors.Add(new RuleFileError(file, 1, "id", $"kommunen '{m.Id}' findes allerede i {map[m.Id].File}"));
                }
            }
            catch (RuleFileException e)
            {
                errors.AddRange(e.Errors);
            }
        }
        return errors.Count > 0 ? throw new RuleFileException(errors) : new StandardSet(rules, map);
    }

    /// <summary>Reads national.yaml.</summary>
    public static NationalRules ParseNational(string text, string file)
    {
        var root = StrictYaml.Parse(text, file);
        var id = root.Required("id");
        if (id.String() != "national")
        {
            throw id.Error("national.yaml skal have id: national");
        }
        root.Required("name").String();

        var ages = root.Required("age_limits");
        var adult = ReadSourcedInt(ages.Required("adult_age"));
        var minimum = ReadSourcedInt(ages.Required("minimum_limit"));
        var table = ages.Required("pension_age_by_birth").Items().Select(ReadPensionRow).ToList();
        ages.RejectUnknownKeys();
        CheckPensionTable(table, ages.Required("pension_age_by_birth"));

        var subsidies = root.Required("subsidy_amounts").Items().Select(n =>
        {
            var row = new SubsidyAmount(n.Required("year").Int(), n.Required("amount").Decimal(), Source(n));
            n.RejectUnknownKeys();
            return row.Amount <= 0 ? throw n.Error("beløbet skal være positivt") : row;
        }).ToList();
        foreach (var dup in subsidies.GroupBy(s => s.Year).Where(g => g.Count() > 1))
        {
            throw root.Required("subsidy_amounts").Error($"året {dup.Key} står mere end én gang");
        }

        var kmRates = root.Required("km_rates").Items().Select(n =>
        {
            var rate = new KmRate(n.Required("from").Date(), n.Required("to").Date(), n.Required("rate").Decimal(), Source(n));
            n.RejectUnknownKeys();
            return rate.To < rate.From ? throw n.Error("'to' ligger før 'from'")
                : rate.Rate <= 0 ? throw n.Error("taksten skal være positiv") : rate;
        }).ToList();
        var kmNode = root.Required("km_rates");
        for (var i = 1; i < kmRates.Count; i++)
        {
            if (kmRates[i].From <= kmRates[i - 1].To)
            {
                throw kmNode.Items()[i].Error("perioden overlapper den forrige eller står ikke i datoorden");
            }
        }

        var holidays = root.Required("holidays").Items().Select(ReadHoliday)
            .Concat(root.Required("closed_days").Items().Select(ReadHoliday)).ToList();

        var reasons = new Dictionary<string, ReasonInfo>(StringComparer.Ordinal);
        var reasonsNode = root.Required("reasons");
        foreach (var (code, node) in reasonsNode.Entries())
        {
            if (!ReasonCodes.All.Contains(code))
            {
                throw node.Error($"ukendt årsagskode '{code}'");
            }
            reasons[code] = new ReasonInfo(code, node.Required("text").String(), Source(node));
            node.RejectUnknownKeys();
        }
        foreach (var code in ReasonCodes.All.Where(c => !reasons.ContainsKey(c)))
        {
            throw reasonsNode.Error($"årsagskoden {code} mangler tekst og kilde");
        }

        var activities = new Dictionary<string, ActivityInfo>(StringComparer.Ordinal);
        foreach (var (code, node) in root.Required("activities").Entries())
        {
            activities[code] = new ActivityInfo(code, node.Required("label").String());
            node.RejectUnknownKeys();
        }

        var parametersNode = root.Required("parameters");
        var parameters = ReadParameters(parametersNode, "national", activities.Keys.ToHashSet(), scope =>
            scope == ParameterScope.Municipal ? "skal fastsættes af hver kommune, ikke i national.yaml" : null);
        foreach (var def in Parameters.Definitions.Where(d => d.Scope != ParameterScope.Municipal && !parameters.ContainsKey(d.Key)))
        {
            throw parametersNode.Error($"mangler parameteren '{def.Key}' ({def.Meaning})");
        }
        foreach (var code in Eligibility.EligibilityCriteria.Codes.Where(c => !parameters.ContainsKey(Parameters.CriteriaPrefix + c)))
        {
            throw parametersNode.Error($"mangler parameteren '{Parameters.CriteriaPrefix}{code}'");
        }
        root.RejectUnknownKeys();

        var rules = new NationalRules(file, adult, minimum, table, subsidies, kmRates, new WorkingDayCalendar(holidays),
            reasons, activities, parameters);
        CheckSavingsCeiling(parameters, parametersNode);
        return rules;
    }

    /// <summary>Reads one municipality's standard over <paramref name="national"/>.</summary>
    public static MunicipalStandard ParseMunicipal(string text, string file, NationalRules national)
    {
        var root = StrictYaml.Parse(text, file);
        var idNode = root.Required("id");
        var id = idNode.String();
        if (id.Length == 0 || !id.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-'))
        {
            throw idNode.Error($"'{id}' er ikke et gyldigt id (små bogstaver a-z, tal og bindestreg)");
        }
        var name = root.Required("name").String();
        var cvrNode = root.Optional("cvr");
        var cvr = cvrNode?.String();
        if (cvr is not null && !Cvr.IsValid(cvr))
        {
            throw cvrNode!.Error($"'{cvr}' er ikke et gyldigt CVR-nummer (8 cifre, og kontrolcifferet skal passe)");
        }
        var document = root.Required("document").String();
        var parametersNode = root.Required("parameters");
        var parameters = ReadParameters(parametersNode, id, national.Activities.Keys.ToHashSet(), scope =>
            scope == ParameterScope.National ? "er fastsat ved lov og kan kun stå i national.yaml" : null);
        foreach (var def in Parameters.Definitions.Where(d => d.Scope == ParameterScope.Municipal && !parameters.ContainsKey(d.Key)))
        {
            throw parametersNode.Error($"mangler parameteren '{def.Key}' ({def.Meaning}); skriv value: null med kilde, hvis standarden ikke fastsætter den");
        }
        root.RejectUnknownKeys();
        var standard = new MunicipalStandard(id, name, cvr, document, file, national, parameters);
        CheckBotilbud(standard, parametersNode);
        return standard;
    }

    private static Dictionary<string, IReadOnlyList<DatedValue>> ReadParameters(
        YNode node, string definedIn, IReadOnlySet<string> activities, Func<ParameterScope, string?> scopeError)
    {
        var result = new Dictionary<string, IReadOnlyList<DatedValue>>(StringComparer.Ordinal);
        void Walk(YNode map, string prefix)
        {
            foreach (var (key, value) in map.Entries())
            {
                var full = prefix + key;
                if (value.IsMapping && Parameters.Find(full, activities) is null)
                {
                    Walk(value, full + ".");
                    continue;
                }
                var def = Parameters.Find(full, activities) ?? throw value.Error($"ukendt parameter '{full}'");
                if (scopeError(def.Scope) is { } why)
                {
                    throw value.Error($"'{full}' {why}");
                }
                result[full] = ReadDatedValues(value, def, definedIn);
            }
        }
        Walk(node, "");
        return result;
    }

    private static List<DatedValue> ReadDatedValues(YNode node, ParameterDefinition def, string definedIn)
    {
        var list = new List<DatedValue>();
        var items = node.Items();
        if (items.Count == 0)
        {
            throw node.Error("skal have mindst én dateret værdi (from, value, source)");
        }
        foreach (var item in items)
        {
            var from = item.Required("from").Date();
            var valueNode = item.Required("value");
            var value = ReadValue(valueNode, def);
            var entry = new DatedValue(from, value, Source(item), definedIn, item.Line);
            item.RejectUnknownKeys();
            if (list.Count > 0 && from <= list[^1].From)
            {
                throw item.Required("from").Error("datoerne skal stå i stigende orden uden gentagelser");
            }
            list.Add(entry);
        }
        return list;
    }

    private static object? ReadValue(YNode node, ParameterDefinition def)
    {
        if (node.IsNull)
        {
            return def.Type is ParameterType.PeriodOrNull or ParameterType.HoursOrNull or ParameterType.ContactOrNull or ParameterType.TextOrNull
                ? null
                : throw node.Error($"'{def.Key}' skal have en værdi ({def.Meaning})");
        }
        switch (def.Type)
        {
            case ParameterType.Bool:
                return node.Bool();
            case ParameterType.Int:
                var i = node.Int();
                return i < 0 ? throw node.Error("må ikke være negativ") : i;
            case ParameterType.Hours:
            case ParameterType.HoursOrNull:
                var h = node.Hours();
                return h.Value < 0 ? throw node.Error("må ikke være negativ") : h;
            case ParameterType.Period:
            case ParameterType.PeriodOrNull:
                var text = node.String();
                return DeadlinePeriod.TryParse(text, out var p) ? p
                    : throw node.Error($"'{text}' er ikke en periode (fx '8 uger', '14 dage', '40 hverdage', '6 måneder', '1 år')");
            case ParameterType.Enum:
                var word = node.String();
                return def.Allowed.Contains(word) ? word
                    : throw node.Error($"'{word}' er ikke tilladt (tilladt: {string.Join(", ", def.Allowed)})");
            case ParameterType.Routes:
                var routes = node.Items().Select(ReadRoute).ToList();
                if (routes.Count == 0 || routes[^1].AgeAtLeast is not null || routes[^1].EarlyRetirementPension is not null)
                {
                    throw node.Error("den sidste rute skal være uden betingelse, så enhver ansøgning har et sted at gå hen");
                }
                return routes;
            case ParameterType.Contact:
            case ParameterType.ContactOrNull:
                return ReadContact(node);
            case ParameterType.TextOrNull:
                var sentence = node.String().Trim();
                return sentence.Length == 0 ? throw node.Error("teksten må ikke være tom; skriv value: null, hvis standarden intet siger") : sentence;
            case ParameterType.TextList:
                var texts = node.Items().Select(i => i.String().Trim()).ToList();
                return texts.Any(t => t.Length == 0) ? throw node.Error("en linje i listen må ikke være tom") : texts;
            default:
                throw new ArgumentOutOfRangeException(nameof(def));
        }
    }

    private static IntakeRoute ReadRoute(YNode n)
    {
        int? age = null;
        bool? pension = null;
        if (n.Optional("when") is { } when)
        {
            age = when.Optional("age_at_least")?.Int();
            pension = when.Optional("early_retirement_pension")?.Bool();
            when.RejectUnknownKeys();
            if (age is null && pension is null)
            {
                throw when.Error("en betingelse skal have age_at_least eller early_retirement_pension");
            }
        }
        var route = new IntakeRoute(n.Required("unit").String(), n.Optional("phone")?.String(), age, pension);
        n.RejectUnknownKeys();
        return route;
    }

    private static Contact ReadContact(YNode n)
    {
        var contact = new Contact(n.Required("unit").String(), n.Optional("street")?.String(), n.Optional("postal_code")?.String(),
            n.Optional("town")?.String(), n.Optional("phone")?.String(), n.Optional("email")?.String());
        n.RejectUnknownKeys();
        if ((contact.PostalCode is null) != (contact.Town is null) || (contact.PostalCode is { } code && !(code.Length == 4 && code.All(char.IsAsciiDigit))))
        {
            throw n.Error("postal_code (fire cifre) og town skal stå sammen");
        }
        return contact;
    }

    private static Effective<int> ReadSourcedInt(YNode n)
    {
        var v = new Effective<int>(n.Path, n.Required("years").Int(), n.Required("from").Date(), Source(n), "national");
        n.RejectUnknownKeys();
        return v;
    }

    private static PensionAgeRow ReadPensionRow(YNode n)
    {
        var row = new PensionAgeRow(n.Optional("born_from")?.Date(), n.Optional("born_to")?.Date(),
            n.Required("years").Int(), n.Optional("months")?.Int() ?? 0, Source(n));
        n.RejectUnknownKeys();
        return row.Months is < 0 or > 11 ? throw n.Error("months skal være 0–11") : row;
    }

    private static void CheckPensionTable(List<PensionAgeRow> rows, YNode node)
    {
        // The table must cover every birth date exactly once: open start, contiguous rows, open end.
        var ok = rows.Count > 0 && rows[0].BornFrom is null && rows[^1].BornTo is null;
        for (var i = 1; ok && i < rows.Count; i++)
        {
            ok = rows[i - 1].BornTo is { } to && rows[i].BornFrom == to.PlusDays(1);
        }
        if (!ok)
        {
            throw node.Error("tabellen skal dække alle fødselsdatoer uden huller eller overlap (første uden born_from, sidste uden born_to)");
        }
    }

    private static HolidayRule ReadHoliday(YNode n)
    {
        var name = n.Required("name").String();
        int? month = null, day = null, offset = null;
        if (n.Optional("date") is { } date)
        {
            var parts = date.String().Split('-');
            if (parts.Length != 2 || !int.TryParse(parts[0], out var m) || !int.TryParse(parts[1], out var d) ||
                m is < 1 or > 12 || d < 1 || d > DateTimeDaysIn(m))
            {
                throw date.Error("skal være MM-DD, fx 12-24");
            }
            (month, day) = (m, d);
        }
        if (n.Optional("easter_offset") is { } off)
        {
            offset = off.Int();
        }
        if ((month is null) == (offset is null))
        {
            throw n.Error("en helligdag skal have enten date (MM-DD) eller easter_offset");
        }
        var rule = new HolidayRule(name, month, day, offset, n.Optional("from_year")?.Int(), n.Optional("to_year")?.Int(), Source(n));
        n.RejectUnknownKeys();
        return rule;
    }

    private static int DateTimeDaysIn(int month) => month == 2 ? 29 : DateTime.DaysInMonth(2001, month);

    private static string Source(YNode n)
    {
        var node = n.Required("source");
        var s = node.String().Trim();
        return s.Length == 0 ? throw node.Error("kilden må ikke være tom") : s;
    }

    private static void CheckSavingsCeiling(IReadOnlyDictionary<string, IReadOnlyList<DatedValue>> p, YNode node)
    {
        // BEK 235/2012 § 6 stk. 1: savings within 6 months means at most 90 hours in one month.
        foreach (var date in p.Values.SelectMany(v => v).Select(v => v.From).Distinct())
        {
            var hours = (Minutes)At(p[Parameters.HoursPerMonth], date)!;
            var months = (int)At(p[Parameters.SavingsValidityMonths], date)!;
            var max = (Minutes)At(p[Parameters.SavingsMaxAvailable], date)!;
            if (hours.Value * months > max.Value)
            {
                throw node.Error($"{hours} timer × {months} måneder overstiger loftet på {max} timer pr. {date:yyyy-MM-dd}");
            }
        }
    }

    private static void CheckBotilbud(MunicipalStandard s, YNode node)
    {
        foreach (var date in s.EffectiveDates)
        {
            if (s.Get<string>(Parameters.BotilbudRule, date).Value == "fixed" &&
                s.Get<Minutes?>(Parameters.BotilbudFixedHours, date).Value is null)
            {
                throw node.Error($"botilbud.rule er 'fixed' pr. {date:yyyy-MM-dd}, men botilbud.fixed_hours mangler en værdi");
            }
        }
    }

    private static object? At(IReadOnlyList<DatedValue> values, LocalDate date) =>
        (values.LastOrDefault(v => v.From <= date) ?? values[0]).Value;
}
