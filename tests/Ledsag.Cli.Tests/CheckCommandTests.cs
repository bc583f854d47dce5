using Shouldly;
using Xunit;

namespace Ledsag.Cli.Tests;

public class CheckCommandTests
{
    [Fact]
    public void TheSharedExampleCases_AllPass()
    {
        var (exit, output, error) = Cli.Run("check", Path.Combine(Cli.RepoRoot, "tests", "cases", "shared"));
        error.ShouldBeEmpty();
        output.ShouldEndWith("22 passed, 0 failed" + Environment.NewLine);
        exit.ShouldBe(0);
    }

    [Fact]
    public void EveryCaseInTheRepository_Passes()
    {
        var (exit, output, error) = Cli.Run("check", Path.Combine(Cli.RepoRoot, "tests", "cases"));
        error.ShouldBeEmpty();
        output.ShouldNotContain("FAIL ", Case.Sensitive);
        output.ShouldContain(" passed, 0 failed");
        exit.ShouldBe(0);
    }

    [Fact]
    public void TheSharedFolderBesideTheRepository_WhenPresent_AlsoPasses()
    {
        var shared = Path.GetFullPath(Path.Combine(Cli.RepoRoot, "..", "shared", "cases"));
        if (!Directory.Exists(shared))
        {
            return; // a clone elsewhere has only the vendored copy, checked above
        }
        var (exit, output, _) = Cli.Run("check", shared);
        output.ShouldNotContain("FAIL ", Case.Sensitive);
        exit.ShouldBe(0);
    }

    [Fact]
    public void AFailingCase_PrintsFailWithEachDifference_AndExits1()
    {
        using var dir = new TempDir();
        var file = dir.Write("wrong.yaml", """
            - name: Wrong on purpose
              municipality: haderslev
              kind: deadline
              event: application_received
              date: 2026-03-02
              expect: { decision_due: 2026-04-28 }
            - name: Right
              municipality: haderslev
              kind: rates
              date: 2024-03-01
              expect: { km_rate: 2.23 }
            """);
        var (exit, output, _) = Cli.Run("check", file);
        output.ShouldContain("FAIL Wrong on purpose" + Environment.NewLine + "  decision_due: forventet 2026-04-28, fik 2026-04-27");
        output.ShouldContain("PASS Right");
        output.ShouldEndWith("1 passed, 1 failed" + Environment.NewLine);
        exit.ShouldBe(1);
    }

    [Fact]
    public void AWrongSessionOutcome_IsADifference()
    {
        using var dir = new TempDir();
        var file = dir.Write("s.yaml", """
            name: Expects a rejection that does not come
            municipality: lejre
            kind: hours
            grant: { start: 2026-01-01 }
            usage:
              - { date: 2026-01-03, hours: 2, expect: rejected, reason: EXCEEDS_BALANCE }
            expect: {}
            """);
        var (exit, output, _) = Cli.Run("check", file);
        output.ShouldContain("usage 2026-01-03 (2 timer, linje 6): forventet rejected EXCEEDS_BALANCE, fik accepted");
        exit.ShouldBe(1);
    }

    public static TheoryData<string, string, int, string> MalformedCases => new()
    {
        {
            "typo'd key",
            "name: x\nmunicipality: haderslev\nkind: deadline\nevent: application_received\ndate: 2026-03-02\nexpect: { decison_due: 2026-04-27 }\n",
            6, "ukendt nøgle 'decison_due'"
        },
        {
            "unknown top-level key",
            "name: x\nmunicipality: haderslev\nkind: rates\ndate: 2024-03-01\nkmm: 4\nexpect: { km_rate: 2.23 }\n",
            5, "ukendt nøgle 'kmm'"
        },
        {
            "wrong type",
            "name: x\nmunicipality: haderslev\nkind: eligibility\ndate: 2026-03-01\napplicant: { birth_date: 1990-04-12 }\nfacts: { has_bpa_96: yes please }\nexpect: { recommendation: grant }\n",
            6, "er ikke true eller false"
        },
        {
            "impossible date",
            "name: x\nmunicipality: haderslev\nkind: rates\ndate: 2024-02-30\nexpect: { km_rate: 2.23 }\n",
            4, "er ikke en gyldig dato"
        },
        {
            "usage out of date order",
            "name: x\nmunicipality: haderslev\nkind: hours\ngrant: { start: 2026-01-01 }\nusage:\n  - { date: 2026-01-10, hours: 1 }\n  - { date: 2026-01-09, hours: 1 }\nexpect: {}\n",
            7, "datoorden"
        },
        {
            "hours that are not whole minutes",
            "name: x\nmunicipality: haderslev\nkind: hours\ngrant: { start: 2026-01-01 }\nusage:\n  - { date: 2026-01-10, hours: 0.333 }\nexpect: {}\n",
            6, "ikke et helt antal minutter"
        },
        {
            "unknown municipality",
            "name: x\nmunicipality: aarhus\nkind: rates\ndate: 2024-03-01\nexpect: { km_rate: 2.23 }\n",
            2, "ukendt kommune 'aarhus'"
        },
        {
            "unknown kind",
            "name: x\nmunicipality: lejre\nkind: hourz\nexpect: {}\n",
            3, "ukendt kind 'hourz'"
        },
        {
            "missing expect",
            "name: x\nmunicipality: lejre\nkind: rates\ndate: 2024-03-01\n",
            1, "mangler nøglen 'expect'"
        },
        {
            "output not produced by the event",
            "name: x\nmunicipality: lejre\nkind: deadline\nevent: application_received\ndate: 2026-03-02\nexpect: { complaint_due: 2026-03-30 }\n",
            6, "ukendt nøgle 'complaint_due'"
        },
        {
            "unknown reason code",
            "name: x\nmunicipality: lejre\nkind: eligibility\ndate: 2026-03-01\napplicant: { birth_date: 1990-01-01 }\nexpect: { reasons: [TOO_TALL] }\n",
            6, "ukendt årsagskode 'TOO_TALL'"
        },
        {
            "functional level out of range",
            "name: x\nmunicipality: gribskov\nkind: eligibility\ndate: 2026-03-01\napplicant: { birth_date: 1990-01-01 }\nfacts: { functional_level: 5 }\nexpect: { recommendation: grant }\n",
            6, "funktionsniveau 5 findes ikke"
        },
        {
            "broken YAML",
            "name: x\nmunicipality: [lejre\nkind: rates\n",
            3, "ugyldig YAML"
        },
        {
            "duplicate key",
            "name: x\nname: y\nmunicipality: lejre\nkind: rates\ndate: 2024-03-01\nexpect: {}\n",
            2, "ugyldig YAML"
        },
    };

    [Theory]
    [MemberData(nameof(MalformedCases))]
    public void AMalformedCaseFile_GivesFileLineAndReason_AndExits2(string what, string yaml, int line, string reason)
    {
        using var dir = new TempDir();
        var file = dir.Write("bad.yaml", yaml);
        var (exit, _, error) = Cli.Run("check", file);
        error.ShouldContain($"{file}:{line}:", customMessage: what);
        error.ShouldContain(reason, customMessage: what);
        exit.ShouldBe(2, what);
    }

    [Fact]
    public void AMalformedCase_DoesNotStopTheValidOnes_ButTheRunStillExits2()
    {
        using var dir = new TempDir();
        dir.Write("a/good.yaml", "name: good\nmunicipality: lejre\nkind: rates\ndate: 2024-03-01\nexpect: { km_rate: 2.23 }\n");
        dir.Write("b/bad.yaml", "name: bad\nmunicipality: lejre\nkind: rates\ndate: 2024-03-01\nexpect: { km_rat: 2.23 }\n");
        var (exit, output, error) = Cli.Run("check", dir.Path);
        output.ShouldContain("PASS good");
        output.ShouldEndWith("1 passed, 0 failed" + Environment.NewLine);
        error.ShouldContain("bad.yaml:5:");
        exit.ShouldBe(2);
    }

    [Fact]
    public void Json_GivesEveryCaseAndEveryError_MachineReadable()
    {
        var (exit, output, _) = Cli.Run("check", "--json", Path.Combine(Cli.RepoRoot, "tests", "cases", "shared"));
        exit.ShouldBe(0);
        var doc = System.Text.Json.JsonDocument.Parse(output).RootElement;
        doc.GetProperty("passed").GetInt32().ShouldBe(22);
        doc.GetProperty("cases").GetArrayLength().ShouldBe(22);
        using var dir = new TempDir();
        var bad = dir.Write("bad.yaml", "name: x\nmunicipality: lejre\nkind: rates\ndate: 2024-03-01\nexpect: { km_rat: 2.23 }\n");
        var (badExit, badOutput, _) = Cli.Run("check", "--json", bad);
        badExit.ShouldBe(2);
        var error = System.Text.Json.JsonDocument.Parse(badOutput).RootElement.GetProperty("errors")[0];
        error.GetProperty("line").GetInt32().ShouldBe(5);
        error.GetProperty("reason").GetString()!.ShouldContain("km_rat");
    }

    [Fact]
    public void AMissingPath_Exits2() =>
        Cli.Run("check", "/nonexistent/cases.yaml").Exit.ShouldBe(2);

    [Fact]
    public void NoPath_IsAUsageError_Exit2() =>
        Cli.Run("check").Exit.ShouldBe(2);

    [Fact]
    public void Explain_PrintsTheRulesAndTheirSources()
    {
        var (exit, output, _) = Cli.Run("check", "--explain", Path.Combine(Cli.RepoRoot, "tests", "cases", "shared", "eligibility", "botilbud-and-levels.yaml"));
        exit.ShouldBe(0);
        output.ShouldContain("botilbud.fixed_hours: beboer i botilbud med 5 timers ledsagelse: suppleres med 8 timer");
        output.ShouldContain("kilde: gribskov.txt: «Din ledsagelse i forbindelse med botilbuddet kan som udgangspunkt suppleres med otte timers ledsagelse");
        // The trace reads in Danish: the criterion as the standard words it, then whether it applies.
        output.ShouldContain("FUNCTIONAL_LEVEL_TOTAL: Ved totale begrænsninger (funktionsniveau 4) er man typisk ikke i målgruppen, med mindre man bor i botilbud; sagen vurderes nærmere: ja — vurderes nærmere");
    }
}
