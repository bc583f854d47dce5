using NodaTime;

namespace Ledsag.Domain;

/// <summary>
/// A CPR number (personnummer). The birth date comes from DDMMYY and the century from the 7th digit
/// with the year (CPR-kontoret's table); modulus 11 is not a validity test, since numbers without it
/// have been issued since 2007. Never written to a URL or a log: <see cref="ToString"/> masks it.
/// </summary>
public readonly record struct Cpr
{
    private readonly string _digits;

    private Cpr(string digits, LocalDate birthDate)
    {
        _digits = digits;
        BirthDate = birthDate;
    }

    /// <summary>The ten digits, for storage only.</summary>
    public string Digits => _digits;

    /// <summary>The birth date the number encodes.</summary>
    public LocalDate BirthDate { get; }

    /// <summary>True when the 10th digit is odd.</summary>
    public bool IsMale => (_digits[9] - '0') % 2 == 1;

    /// <summary>Parses "DDMMYY-SSSS" or "DDMMYYSSSS"; on failure the Danish reason is returned.</summary>
    public static bool TryParse(string? text, out Cpr cpr, out string reason)
    {
        cpr = default;
        var digits = (text ?? "").Trim().Replace("-", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        if (digits.Length != 10 || !digits.All(char.IsAsciiDigit))
        {
            reason = "CPR-nummeret skal have 10 cifre (DDMMÅÅ-XXXX).";
            return false;
        }
        int day = int.Parse(digits[..2], System.Globalization.CultureInfo.InvariantCulture);
        int month = int.Parse(digits[2..4], System.Globalization.CultureInfo.InvariantCulture);
        int yy = int.Parse(digits[4..6], System.Globalization.CultureInfo.InvariantCulture);
        var seventh = digits[6] - '0';
        var century = seventh switch
        {
            <= 3 => 1900,
            4 or 9 => yy <= 36 ? 2000 : 1900,
            _ => yy <= 57 ? 2000 : 1800,
        };
        var year = century + yy;
        if (month is < 1 or > 12 || day < 1 || day > CalendarSystem.Iso.GetDaysInMonth(year, month))
        {
            reason = "CPR-nummerets første seks cifre er ikke en gyldig fødselsdato.";
            return false;
        }
        cpr = new Cpr(digits, new LocalDate(year, month, day));
        reason = "";
        return true;
    }

    /// <summary>Masked: the birth date part and four x'es ("120490-xxxx").</summary>
    public string Masked => $"{_digits[..6]}-xxxx";

    /// <summary>Masked, so a CPR number can never leak through a log line or an interpolated string.</summary>
    public override string ToString() => _digits is null ? "" : Masked;
}
