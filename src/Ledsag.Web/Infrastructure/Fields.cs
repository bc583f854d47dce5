using System.Globalization;
using Ledsag.Domain;
using NodaTime;
using NodaTime.Text;

namespace Ledsag.Web.Infrastructure;

/// <summary>Reads request fields with Danish errors that name the field; collects them in a <see cref="Validation"/>.</summary>
public static class Fields
{
    public static LocalDate? Date(this Validation v, string field, string? text, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required)
            {
                v.Add(field, "Skal udfyldes (ÅÅÅÅ-MM-DD).");
            }
            return null;
        }
        var r = LocalDatePattern.Iso.Parse(text.Trim());
        if (!r.Success)
        {
            v.Add(field, $"'{Clip(text)}' er ikke en gyldig dato (ÅÅÅÅ-MM-DD).");
            return null;
        }
        // Deadlines are computed from dates (up to years ahead, rolled past holidays): a date far outside any case is an error, not an overflow.
        if (r.Value.Year is < 1900 or > 2200)
        {
            v.Add(field, $"'{Clip(text)}' ligger uden for årene 1900–2200.");
            return null;
        }
        return r.Value;
    }

    /// <summary>A month (ÅÅÅÅ-MM) within the same years as <see cref="Date"/>; null with an error naming the field otherwise.</summary>
    public static YearMonth? Month(this Validation v, string field, string? text, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required)
            {
                v.Add(field, "Skal udfyldes (ÅÅÅÅ-MM).");
            }
            return null;
        }
        var r = YearMonthPattern.Iso.Parse(text.Trim());
        if (!r.Success || r.Value.Year is < 1900 or > 2200)
        {
            v.Add(field, r.Success ? $"'{Clip(text)}' ligger uden for årene 1900–2200." : $"'{Clip(text)}' er ikke en måned (ÅÅÅÅ-MM).");
            return null;
        }
        return r.Value;
    }

    /// <summary>
    /// A moment with its offset, as ISO 8601 («2026-06-15T10:05:00Z», «2026-06-15T12:05:00+02:00»), to the microsecond
    /// (what both databases keep, so a moment read back equals the one given).
    /// </summary>
    public static Instant? Moment(this Validation v, string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            v.Add(field, "Skal udfyldes (fx 2026-06-15T10:05:00Z).");
            return null;
        }
        var r = OffsetDateTimePattern.ExtendedIso.Parse(text.Trim());
        if (!r.Success || r.Value.Year is < 1900 or > 2200)
        {
            v.Add(field, $"'{Clip(text)}' er ikke et tidspunkt med tidszone (fx 2026-06-15T10:05:00Z).");
            return null;
        }
        return Instant.FromUnixTimeTicks(r.Value.ToInstant().ToUnixTimeTicks() / 10 * 10);
    }

    public static LocalTime? Time(this Validation v, string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var r = LocalTimePattern.CreateWithInvariantCulture("HH:mm").Parse(text.Trim());
        if (!r.Success)
        {
            v.Add(field, $"'{Clip(text)}' er ikke et gyldigt klokkeslæt (TT:MM).");
            return null;
        }
        return r.Value;
    }

    public static string? Text(this Validation v, string field, string? text, bool required = true, int max = 4000)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required)
            {
                v.Add(field, "Skal udfyldes.");
            }
            return null;
        }
        if (text.Length > max)
        {
            v.Add(field, $"Må højst være {max} tegn.");
            return null;
        }
        if (!Writable(text))
        {
            v.Add(field, "Indeholder et tegn, der ikke kan bruges i breve og filer (et ugyldigt Unicode-tegn). Skriv teksten igen.");
            return null;
        }
        return text.Trim();
    }

    /// <summary>
    /// Whether every character can be written in a letter, a file and an XML message: no lone half of a character written
    /// as two (a broken emoji), no U+FFFE or U+FFFF. Line breaks and tabs are a matter for <see cref="Name"/>.
    /// </summary>
    public static bool Writable(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (i + 1 < text.Length && System.Xml.XmlConvert.IsXmlSurrogatePair(text[i + 1], text[i]))
            {
                i++;
            }
            else if (!System.Xml.XmlConvert.IsXmlChar(text[i]) && !char.IsControl(text[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A name: text on one line, without line breaks or other control characters (it goes into letters, files and exports).</summary>
    public static string? Name(this Validation v, string field, string? text, int max = 200)
    {
        var name = v.Text(field, text, max: max);
        if (name is not null && name.Any(BreaksALine))
        {
            v.Add(field, "Må ikke indeholde linjeskift, tabulatorer eller andre kontroltegn.");
            return null;
        }
        return name;
    }

    /// <summary>
    /// An amount in kroner as people type it: Danish «1.234,50» or «12,5», or a dot decimal «12.5» / «12.50».
    /// «1.234» (one dot, three digits after) could be either and is refused with a way out; so is anything else.
    /// </summary>
    public static decimal? Kroner(this Validation v, string field, string? text, bool required = true)
    {
        var t = text?.Trim().Replace(" ", "", StringComparison.Ordinal).Replace("kr.", "", StringComparison.OrdinalIgnoreCase).Replace("kr", "", StringComparison.OrdinalIgnoreCase);
        if (string.IsNullOrEmpty(t))
        {
            if (required)
            {
                v.Add(field, "Skriv beløbet i kroner, fx 125,50.");
            }
            return null;
        }
        var dots = t.Count(c => c == '.');
        var commas = t.Count(c => c == ',');
        string? normal = null;
        if (commas == 1 && (dots == 0 || ThousandsGrouped(t[..t.IndexOf(',')])))
        {
            normal = t.Replace(".", "", StringComparison.Ordinal).Replace(',', '.');
        }
        else if (commas == 0 && dots == 1 && t.Length - t.IndexOf('.') - 1 is 1 or 2)
        {
            normal = t; // a dot decimal: «12.5», «12.50»
        }
        else if (commas == 0 && dots == 1 && t.Length - t.IndexOf('.') - 1 == 3)
        {
            v.Add(field, $"«{Clip(t)}» kan læses på to måder. Skriv {t.Replace(".", "", StringComparison.Ordinal)} for tusinder eller {t.Replace('.', ',')} for kroner og øre.");
            return null;
        }
        else if (commas == 0 && (dots == 0 || ThousandsGrouped(t)))
        {
            normal = t.Replace(".", "", StringComparison.Ordinal);
        }
        if (normal is null || !decimal.TryParse(normal, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var amount)
            || decimal.Round(amount, 2) != amount)
        {
            v.Add(field, $"«{Clip(t)}» er ikke et beløb. Skriv kroner og øre med komma, fx 125,50.");
            return null;
        }
        return amount;
    }

    /// <summary>Digits in groups of three after the first, separated by dots («1.234.567»).</summary>
    private static bool ThousandsGrouped(string s)
    {
        var groups = s.Split('.');
        return groups[0].Length is >= 1 and <= 3 && groups.All(g => g.Length > 0 && g.All(char.IsAsciiDigit)) && groups.Skip(1).All(g => g.Length == 3);
    }

    /// <summary>A phone number as people write it: digits, spaces, +, - (at least 8 digits).</summary>
    public static bool LooksLikePhone(string text) => text.All(c => char.IsAsciiDigit(c) || c is ' ' or '+' or '-') && text.Count(char.IsAsciiDigit) >= 8;

    /// <summary>An e-mail address in outline: one @ with text on both sides, a dot in the domain, no spaces.</summary>
    public static bool LooksLikeEmail(string text)
    {
        var at = text.IndexOf('@');
        return at > 0 && at == text.LastIndexOf('@') && text.IndexOf('.', at) > at + 1 && !text.EndsWith('.') && !text.Any(char.IsWhiteSpace);
    }

    /// <summary>A control character, or a Unicode line or paragraph separator (U+2028, U+2029), which some readers take as a line break.</summary>
    public static bool BreaksALine(char c) =>
        char.IsControl(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator;

    public static string? Enum(this Validation v, string field, string? text, IReadOnlyDictionary<string, string> allowed, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required)
            {
                v.Add(field, $"Skal udfyldes ({string.Join(", ", allowed.Keys)}).");
            }
            return null;
        }
        if (allowed.TryGetValue(text.Trim(), out var value))
        {
            return value;
        }
        v.Add(field, $"'{Clip(text)}' er ikke tilladt (tilladt: {string.Join(", ", allowed.Keys)}).");
        return null;
    }

    public static Minutes? Hours(this Validation v, string field, decimal? hours, bool required = true, bool allowZero = false)
    {
        if (hours is null)
        {
            if (required)
            {
                v.Add(field, "Skal udfyldes (timer, fx 2,5).");
            }
            return null;
        }
        if (Math.Abs(hours.Value) > 10_000)
        {
            v.Add(field, "Antallet af timer er urimeligt stort.");
            return null;
        }
        var m = hours.Value * 60m;
        if (m != decimal.Truncate(m) || Math.Abs(m) > 1_000_000)
        {
            v.Add(field, "Skal være et helt antal minutter.");
            return null;
        }
        if (m < 0 || (m == 0 && !allowZero))
        {
            v.Add(field, allowZero ? "Må ikke være negativ." : "Skal være mere end 0.");
            return null;
        }
        return new Minutes((int)m);
    }

    public static Cpr? Cpr(this Validation v, string field, string? text)
    {
        if (Domain.Cpr.TryParse(text, out var cpr, out var reason))
        {
            return cpr;
        }
        v.Add(field, reason);
        return null;
    }

    private static string Clip(string s) => s.Length > 40 ? s[..40] + "…" : s;

    public static string Iso(this LocalDate d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
