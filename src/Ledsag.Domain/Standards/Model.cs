using NodaTime;
using Ledsag.Domain.Text;

namespace Ledsag.Domain.Standards;

/// <summary>One dated value of a parameter as a file states it.</summary>
/// <param name="From">The day the value takes effect.</param>
/// <param name="Value">The typed value (null where the type allows it).</param>
/// <param name="Source">The quoted sentence of the standard or the law it comes from.</param>
/// <param name="DefinedIn">The file's id: <c>national</c> or a municipality.</param>
/// <param name="Line">Its line in that file.</param>
public sealed record DatedValue(LocalDate From, object? Value, string Source, string DefinedIn, int Line);

/// <summary>A parameter's value in force on a day, with where it comes from.</summary>
public sealed record Effective<T>(string Key, T Value, LocalDate From, string Source, string DefinedIn)
{
    /// <summary>The source with where and from when it applies, as the trace shows it.</summary>
    public string Cite() => $"{Source} (gældende fra {DanishDate.Of(From)})";
}

/// <summary>Where an application goes (Brønderslev: 30+ or førtidspension to Visitationen, otherwise UngeCenter).</summary>
/// <param name="Unit">The receiving unit, as the standard names it.</param>
/// <param name="Phone">Its phone number, where published.</param>
/// <param name="AgeAtLeast">Applies from this age.</param>
/// <param name="EarlyRetirementPension">Applies to applicants with (true) førtidspension.</param>
public sealed record IntakeRoute(string Unit, string? Phone, int? AgeAtLeast, bool? EarlyRetirementPension)
{
    /// <summary>True when the route has no condition, or one of its conditions holds.</summary>
    public bool Matches(int age, bool earlyRetirementPension) =>
        (AgeAtLeast is null && EarlyRetirementPension is null)
        || (AgeAtLeast is { } min && age >= min)
        || (EarlyRetirementPension is { } p && p == earlyRetirementPension);
}

/// <summary>A unit as a standard prints it: name, postal address, phone and e-mail (each optional but the name).</summary>
public sealed record Contact(string Unit, string? Street, string? PostalCode, string? Town, string? Phone, string? Email)
{
    /// <summary>The postal lines: street, then «2750 Ballerup».</summary>
    public IEnumerable<string> AddressLines()
    {
        if (Street is { } street)
        {
            yield return street;
        }
        if (PostalCode is { } code)
        {
            yield return $"{code} {Town}";
        }
    }
}

/// <summary>A row of the folkepensionsalder table (pensionsloven § 1 a).</summary>
public sealed record PensionAgeRow(LocalDate? BornFrom, LocalDate? BornTo, int Years, int Months, string Source)
{
    /// <summary>True when <paramref name="birth"/> falls in the row's range.</summary>
    public bool Covers(LocalDate birth) => (BornFrom is null || birth >= BornFrom) && (BornTo is null || birth <= BornTo);
}

/// <summary>The § 97 stk. 7 yearly amount for one year.</summary>
public sealed record SubsidyAmount(int Year, decimal Amount, string Source);

/// <summary>Statens lave takst for kørselsgodtgørelse, kr. per km, in force from–to.</summary>
public sealed record KmRate(LocalDate From, LocalDate To, decimal Rate, string Source);

/// <summary>A reason code's Danish text and legal source.</summary>
public sealed record ReasonInfo(string Code, string Text, string Source);

/// <summary>An activity category that sessions are registered with.</summary>
public sealed record ActivityInfo(string Code, string Label);

/// <summary>A value looked up by its key when a rule needs a rate that is not known: an error that names it.</summary>
public sealed class MissingRateException(string rate) : Exception($"{rate} er ikke registreret i Ledsag; en administrator skal indtaste den, før den kan bruges")
{
    /// <summary>The missing rate, named in Danish.</summary>
    public string Rate { get; } = rate;
}
