using Shouldly;
using Xunit;

namespace Ledsag.Cli.Tests;

public class StandardsCommandTests
{
    [Fact]
    public void Validate_AcceptsTheShippedStandards()
    {
        var (exit, output, _) = Cli.Run("standards", "validate");
        exit.ShouldBe(0);
        output.ShouldContain("6 filer er gyldige");
    }

    [Fact]
    public void Show_ListsEffectiveRulesWithSources()
    {
        var (exit, output, _) = Cli.Run("standards", "show", "bronderslev", "--date", "2026-03-01");
        exit.ShouldBe(0);
        output.ShouldContain("start_period = 14 dage   (kommunens, gældende fra 2024-12-11)");
        output.ShouldContain("intake.routes = Visitationen – Det Specialiserede Område (tlf. 9945 4421) hvis fyldt 30 år");
        output.ShouldContain("complaint.period = 4 uger   (landsregel");
        output.ShouldContain("§ 97 stk. 7-beløb 2026: ikke registreret");
    }

    [Fact]
    public void Show_OfAnUnknownMunicipality_Exits2() =>
        Cli.Run("standards", "show", "aarhus").Exit.ShouldBe(2);

    [Fact]
    public void Show_WithABadDate_NamesTheOption()
    {
        var (exit, _, error) = Cli.Run("standards", "show", "lejre", "--date", "2026-13-01");
        exit.ShouldBe(2);
        error.ShouldContain("--date");
    }

    [Fact]
    public void Validate_ABrokenStandard_NamesFileLineKeyAndReason_AndExits2()
    {
        using var dir = new TempDir();
        foreach (var f in Directory.GetFiles(Cli.Standards, "*.yaml"))
        {
            File.Copy(f, Path.Combine(dir.Path, Path.GetFileName(f)));
        }
        var lejre = Path.Combine(dir.Path, "lejre.yaml");
        File.WriteAllText(lejre, File.ReadAllText(lejre).Replace("value: current_first", "value: newest_first"));
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = LedsagCommand.Run(["standards", "validate", "--standards", dir.Path], output, error);
        exit.ShouldBe(2);
        error.ToString().ShouldMatch(@"lejre\.yaml:\d+: parameters\.savings\.drawing_order\[0\]\.value: 'newest_first' er ikke tilladt");
    }
}
