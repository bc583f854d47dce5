using NodaTime;

namespace Ledsag.Domain.Text;

/// <summary>Dates as a Danish reader writes them («1. april 2021»), for traces and messages people read.</summary>
public static class DanishDate
{
    private static readonly string[] Months =
        ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"];

    /// <summary>«1. april 2021».</summary>
    public static string Of(LocalDate d) => $"{d.Day}. {Months[d.Month - 1]} {d.Year}";
}
