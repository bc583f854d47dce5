using NodaTime;

namespace Ledsag.Domain.Standards;

/// <summary>
/// One municipality's quality standard (kvalitetsstandard): its own dated parameters over the
/// national base. A lookup takes the municipality's value where it has one, else the national one;
/// of the dated values, the latest that has taken effect on the day.
/// </summary>
public sealed class MunicipalStandard
{
    internal MunicipalStandard(string id, string name, string? cvr, string document, string file, NationalRules national,
        IReadOnlyDictionary<string, IReadOnlyList<DatedValue>> parameters)
    {
        Id = id;
        Name = name;
        Cvr = cvr;
        Document = document;
        File = file;
        National = national;
        Parameters = parameters;
    }

    /// <summary>The municipality's id (<c>haderslev</c>).</summary>
    public string Id { get; }

    /// <summary>Its name (<c>Haderslev Kommune</c>).</summary>
    public string Name { get; }

    /// <summary>
    /// The municipality's CVR number (<c>29189773</c>): the sender of its letters in Digital Post. Null in a standard
    /// that does not give it; such a municipality's letters cannot be made into MeMo messages.
    /// </summary>
    public string? Cvr { get; }

    /// <summary>The published document the values are quoted from.</summary>
    public string Document { get; }

    /// <summary>The file the standard was read from.</summary>
    public string File { get; }

    /// <summary>The national base.</summary>
    public NationalRules National { get; }

    /// <summary>The municipality's own parameters (overrides of the base and its own values).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<DatedValue>> Parameters { get; }

    /// <summary>Every parameter key in effect for this municipality, own and national.</summary>
    public IEnumerable<string> Keys => National.Parameters.Keys.Union(Parameters.Keys).Order(StringComparer.Ordinal);

    /// <summary>The value of <paramref name="key"/> in force on <paramref name="date"/>.</summary>
    /// <remarks>
    /// A day before a parameter's first recorded value gets that first value: Ledsag holds no
    /// older version of the standard, and the trace shows the value's own effective date.
    /// </remarks>
    public Effective<T> Get<T>(string key, LocalDate date)
    {
        if (!Parameters.TryGetValue(key, out var values) && !National.Parameters.TryGetValue(key, out values))
        {
            throw new KeyNotFoundException($"The standard '{Id}' has no parameter '{key}'.");
        }
        var chosen = values[0];
        foreach (var v in values)
        {
            if (v.From <= date)
            {
                chosen = v;
            }
        }
        return new Effective<T>(key, (T)chosen.Value!, chosen.From, chosen.Source, chosen.DefinedIn);
    }

    /// <summary>Every date on which some value of this standard takes effect, in order.</summary>
    public IReadOnlyList<LocalDate> EffectiveDates =>
        Parameters.Values.Concat(National.Parameters.Values).SelectMany(v => v).Select(v => v.From).Distinct().Order().ToList();
}

/// <summary>The national base and the five (or more) municipalities' standards.</summary>
public sealed class StandardSet(NationalRules national, IReadOnlyDictionary<string, MunicipalStandard> municipalities)
{
    /// <summary>The national base.</summary>
    public NationalRules National { get; } = national;

    /// <summary>The municipalities by id.</summary>
    public IReadOnlyDictionary<string, MunicipalStandard> Municipalities { get; } = municipalities;

    /// <summary>One municipality's standard; an unknown id is a programming error.</summary>
    public MunicipalStandard this[string id] => Municipalities[id];
}
