using System.Text.RegularExpressions;
using Ledsag.Domain.Standards;
using Ledsag.Web.Components;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>
/// The quality standard as the administrator reads it: every parameter of every standard, in every dated value,
/// has a Danish label and a Danish value under a Danish heading — no key, no enum word, no true/false.
/// </summary>
public sealed class StandardTextTests
{
    private static readonly StandardSet Set = StandardParser.Parse(
        Directory.GetFiles(Path.Combine(Ledsag.Testing.RepositoryRoot.Path, "standards"), "*.yaml").Select(f => (f, File.ReadAllText(f))));

    /// <summary>Every word a standard file may use for an enum value.</summary>
    private static readonly string[] EnumWords =
        [.. Parameters.Definitions.SelectMany(d => d.Allowed), Parameters.CriterionEffects.Block, Parameters.CriterionEffects.Flag, Parameters.CriterionEffects.Off];

    /// <summary>Those, and the raw values a careless rendering would show.</summary>
    private static readonly string[] RawWords = [.. EnumWords, "true", "false", "null", "Minutes", "DeadlinePeriod", "IntakeRoute", "Contact", "System."];

    [Fact]
    public void EveryEnumWordOfTheStandards_HasADanishTranslation()
    {
        EnumWords.Where(w => !StandardText.Words.ContainsKey(w)).ShouldBeEmpty();
        Set.Municipalities.Count.ShouldBe(5);
    }

    [Fact]
    public void EveryParameterOfEveryStandard_InEveryDatedValue_RendersWithADanishLabelAndADanishValue()
    {
        var wrong = new List<string>();
        var rendered = 0;
        foreach (var standard in Set.Municipalities.Values)
        {
            foreach (var key in standard.Keys)
            {
                var values = standard.Parameters.TryGetValue(key, out var own) ? own : standard.National.Parameters[key];
                foreach (var dated in values)
                {
                    var rule = StandardText.RuleOf(standard, key, dated.From);
                    rendered++;
                    var where = $"{standard.Id} {key} {dated.From}";
                    if (rule.Label.Length == 0 || !char.IsUpper(rule.Label[0]))
                    {
                        wrong.Add($"{where}: no Danish label with a capital («{rule.Label}»)");
                    }
                    if (rule.Label.Contains(key, StringComparison.Ordinal) || rule.Label.Contains('_'))
                    {
                        wrong.Add($"{where}: the label shows a key («{rule.Label}»)");
                    }
                    if (StandardText.Heading(key) is null)
                    {
                        wrong.Add($"{where}: no Danish heading for the group");
                    }
                    if (rule.Value.Count == 0 || rule.Value.Any(string.IsNullOrWhiteSpace))
                    {
                        wrong.Add($"{where}: an empty value");
                    }
                    foreach (var line in rule.Value)
                    {
                        foreach (var word in RawWords.Where(w => Regex.IsMatch(line, $@"(?<![\p{{L}}_]){Regex.Escape(w)}(?![\p{{L}}_])", RegexOptions.IgnoreCase)))
                        {
                            wrong.Add($"{where}: the value «{line}» shows the raw word «{word}»");
                        }
                    }
                }
            }
        }
        wrong.ShouldBeEmpty();
        rendered.ShouldBeGreaterThan(200);
    }

    [Fact]
    public void Values_ReadAsDanish()
    {
        var lejre = Set["lejre"];
        var ballerup = Set["ballerup"];
        StandardText.RuleOf(lejre, Parameters.SavingsDrawingOrder, new NodaTime.LocalDate(2026, 6, 15)).ShouldSatisfyAllConditions(
            r => r.Label.ShouldBe("Rækkefølge timer bruges i"),
            r => r.Value.ShouldBe(["Månedens egne timer bruges først, derefter de ældste opsparede"]));
        StandardText.RuleOf(lejre, Parameters.HoursPerMonth, new NodaTime.LocalDate(2026, 6, 15)).Value.ShouldBe(["15 timer"]);
        StandardText.RuleOf(lejre, Parameters.CashGrantOffered, new NodaTime.LocalDate(2026, 6, 15)).Value.ShouldBe(["Nej"]);
        StandardText.RuleOf(lejre, Parameters.ProcessingTime, new NodaTime.LocalDate(2026, 6, 15)).Value.ShouldBe(["4 uger"]);
        StandardText.RuleOf(lejre, Parameters.ComplaintTo, new NodaTime.LocalDate(2026, 6, 15)).Value.ShouldContain("4330 Hvalsø");
        StandardText.RuleOf(lejre, "excluded_activities.doctor", new NodaTime.LocalDate(2026, 6, 15)).Label.ShouldBe("Lægebesøg, tandlæge og undersøgelser er udelukket fra ledsagelse");
        StandardText.RuleOf(lejre, "criteria.HAS_CONTACT_PERSON_98", new NodaTime.LocalDate(2026, 6, 15)).Value.ShouldBe(["Ansøgningen afslås"]);
        StandardText.RuleOf(ballerup, Parameters.ProcessingTime, new NodaTime.LocalDate(2026, 6, 15)).Value.ShouldBe(["40 hverdage"]);
    }
}
