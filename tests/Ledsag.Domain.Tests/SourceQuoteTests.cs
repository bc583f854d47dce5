using System.Text.RegularExpressions;
using Shouldly;
using Xunit;

namespace Ledsag.Domain.Tests;

/// <summary>
/// Every «quoted» passage in a municipal standard file must be found in the published text it cites
/// (standards/sources/*.txt), so a source cannot drift from what the municipality wrote.
/// </summary>
public partial class SourceQuoteTests
{
    public static TheoryData<string> Municipalities => new(TestStandards.All.Municipalities.Keys.Order());

    [Theory]
    [MemberData(nameof(Municipalities))]
    public void EveryQuoteInTheStandard_IsInThePublishedText(string id)
    {
        var standard = TestStandards.Get(id);
        var text = Normalize(File.ReadAllText(Path.Combine(TestStandards.Dir, "sources", $"{id}.txt")));
        var quotes = standard.Parameters.Values.SelectMany(v => v)
            .SelectMany(v => Quote().Matches(v.Source).Select(m => (v.Line, m.Groups[1].Value)))
            .ToList();
        quotes.ShouldNotBeEmpty();
        foreach (var (line, quote) in quotes)
        {
            foreach (var piece in quote.Split('…').Select(Normalize).Where(p => p.Length > 3))
            {
                text.ShouldContain(piece, Case.Sensitive, $"{id}.yaml line {line}: «{piece}» is not in {id}.txt");
            }
        }
    }

    private static string Normalize(string s) =>
        Space().Replace(Tags().Replace(s, " ").Replace("&amp;", "&").Replace("\\\"", "\""), " ").Trim();

    [GeneratedRegex("«([^»]*)»")]
    private static partial Regex Quote();

    [GeneratedRegex(@"<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"[\s•]+")]
    private static partial Regex Space();
}
