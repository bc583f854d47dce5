using Ledsag.Domain.Standards;
using Ledsag.Domain.Text;
using Shouldly;
using Xunit;

namespace Ledsag.Domain.Tests;

public class StandardFileTests
{
    private static string Municipal(string parameters) => $"""
        id: testby
        name: Testby Kommune
        document: test
        parameters:
        {parameters}
        """;

    private const string Required = """
          processing_time: [ { from: 2024-01-01, value: 8 uger, source: "s" } ]
          consultation_period: [ { from: 2024-01-01, value: null, source: "s" } ]
          start_period: [ { from: 2024-01-01, value: null, source: "s" } ]
          follow_up:
            first: [ { from: 2024-01-01, value: 1 år, source: "s" } ]
            interval: [ { from: 2024-01-01, value: 1 år, source: "s" } ]
          complaint:
            forward_after_maintained: [ { from: 2024-01-01, value: null, source: "s" } ]
            to: [ { from: 2024-01-01, value: null, source: "s" } ]
          intake:
            routes: [ { from: 2024-01-01, value: [ { unit: Borgerservice } ], source: "s" } ]
          letters:
            sender: [ { from: 2024-01-01, value: { unit: Borgerservice, street: "Torvet 1", postal_code: "1234", town: Testby }, source: "s" } ]
        """;

    private static RuleFileError Fails(string text)
    {
        var e = Should.Throw<RuleFileException>(() => StandardParser.ParseMunicipal(text, "testby.yaml", TestStandards.All.National));
        return e.Errors[0];
    }

    [Fact]
    public void AValidMinimalStandard_Loads_AndInheritsTheNationalBase()
    {
        var s = StandardParser.ParseMunicipal(Municipal(Required), "testby.yaml", TestStandards.All.National);
        s.Get<string>(Parameters.SavingsDrawingOrder, new NodaTime.LocalDate(2026, 1, 1)).DefinedIn.ShouldBe("national");
    }

    [Fact]
    public void TheMunicipalitysCvr_IsOptional_AndWhenGivenMustHaveAValidControlDigit()
    {
        StandardParser.ParseMunicipal(Municipal(Required), "testby.yaml", TestStandards.All.National).Cvr.ShouldBeNull();
        var withCvr = Municipal(Required).Replace("document: test", "cvr: \"29189773\"\ndocument: test");
        StandardParser.ParseMunicipal(withCvr, "testby.yaml", TestStandards.All.National).Cvr.ShouldBe("29189773");
        var error = Fails(withCvr.Replace("29189773", "29189774"));
        (error.Key, error.Reason).ShouldBe(("cvr", "'29189774' er ikke et gyldigt CVR-nummer (8 cifre, og kontrolcifferet skal passe)"));
    }

    [Fact]
    public void LetterContacts_AndTextLists_AreCheckedWhereTheyStand()
    {
        Fails(Municipal(Required.Replace("postal_code: \"1234\"", "postal_code: \"12345\""))).Reason.ShouldContain("postal_code (fire cifre)");
        Fails(Municipal(Required.Replace("sender: [ { from: 2024-01-01, value: { unit: Borgerservice,", "sender: [ { from: 2024-01-01, value: { name: Borgerservice,")))
            .Reason.ShouldContain("unit");
        Fails(Municipal(Required + "\n  companion:\n    must_not: [ { from: 2024-01-01, value: [ \"løfte\", \"\" ], source: \"s\" } ]\n")).Reason.ShouldContain("må ikke være tom");
        Fails(Municipal(Required + "\n  grant:\n    purpose: [ { from: 2024-01-01, value: \" \", source: \"s\" } ]\n")).Reason.ShouldContain("må ikke være tom");
        var ok = StandardParser.ParseMunicipal(Municipal(Required + "\n  companion:\n    must_not: [ { from: 2024-01-01, value: [ \"løfte dig\" ], source: \"s\" } ]\n"), "testby.yaml", TestStandards.All.National);
        ok.Get<IReadOnlyList<string>>(Parameters.CompanionMustNot, new NodaTime.LocalDate(2025, 1, 1)).Value.ShouldBe(["løfte dig"]);
        var sender = ok.Get<Contact>(Parameters.LetterSender, new NodaTime.LocalDate(2025, 1, 1)).Value;
        sender.AddressLines().ShouldBe(["Torvet 1", "1234 Testby"]);
        ok.Get<Contact?>(Parameters.CitizenAdvisor, new NodaTime.LocalDate(2025, 1, 1)).Value.ShouldBeNull(); // the national default
    }

    [Fact]
    public void AnUnknownKey_NamesFileLineAndKey()
    {
        var error = Fails(Municipal(Required + "\n  savings:\n    drawing_ordr: [ { from: 2024-01-01, value: oldest_first, source: \"s\" } ]\n"));
        error.ShouldSatisfyAllConditions(
            e => e.File.ShouldBe("testby.yaml"),
            e => e.Line.ShouldBe(19),
            e => e.Key.ShouldBe("parameters.savings.drawing_ordr"),
            e => e.Reason.ShouldContain("ukendt parameter"));
    }

    [Fact]
    public void AWrongType_IsAnErrorAtTheValue()
    {
        var error = Fails(Municipal(Required + "\n  cash_grant:\n    offered: [ { from: 2024-01-01, value: maybe, source: \"s\" } ]\n"));
        error.Line.ShouldBe(19);
        error.Key.ShouldBe("parameters.cash_grant.offered[0].value");
        error.Reason.ShouldContain("'maybe' er ikke true eller false");
    }

    [Fact]
    public void AnUnparseablePeriod_IsAnError() =>
        Fails(Municipal(Required.Replace("value: 8 uger", "value: 8 ugr"))).Reason.ShouldContain("er ikke en periode");

    [Fact]
    public void AMissingValue_IsAnError() =>
        Fails(Municipal(Required + "\n  cash_grant:\n    offered: [ { from: 2024-01-01, source: \"s\" } ]\n")).Reason.ShouldContain("mangler nøglen 'value'");

    [Fact]
    public void AMissingSource_IsAnError() =>
        Fails(Municipal(Required + "\n  cash_grant:\n    offered: [ { from: 2024-01-01, value: true } ]\n")).Reason.ShouldContain("mangler nøglen 'source'");

    [Fact]
    public void AParameterEveryMunicipalityMustState_CannotBeLeftOut() =>
        Fails(Municipal(Required.Replace("  processing_time: [ { from: 2024-01-01, value: 8 uger, source: \"s\" } ]\n", "")))
            .Reason.ShouldContain("mangler parameteren 'processing_time'");

    [Fact]
    public void ALawParameter_CannotBeOverriddenByAMunicipality() =>
        Fails(Municipal(Required + "\n  hours_per_month: [ { from: 2024-01-01, value: 20, source: \"s\" } ]\n"))
            .Reason.ShouldContain("kan kun stå i national.yaml");

    [Fact]
    public void DatedValues_MustBeInOrder() =>
        Fails(Municipal(Required + "\n  cash_grant:\n    offered:\n      - { from: 2025-01-01, value: true, source: \"s\" }\n      - { from: 2024-01-01, value: false, source: \"s\" }\n"))
            .Reason.ShouldContain("stigende orden");

    [Fact]
    public void FixedBotilbudHours_AreRequiredWhenTheRuleIsFixed() =>
        Fails(Municipal(Required + "\n  botilbud:\n    rule: [ { from: 2024-01-01, value: fixed, source: \"s\" } ]\n"))
            .Reason.ShouldContain("botilbud.fixed_hours mangler");

    [Fact]
    public void BrokenYaml_GivesTheLine() =>
        Fails("id: testby\nname: [unclosed\n").Line.ShouldBeGreaterThan(0);

    [Fact]
    public void ARevision_IsANewDatedValue_ThatTakesEffectOnItsDate()
    {
        var s = StandardParser.ParseMunicipal(Municipal(Required.Replace(
            "  processing_time: [ { from: 2024-01-01, value: 8 uger, source: \"s\" } ]",
            "  processing_time:\n    - { from: 2024-01-01, value: 8 uger, source: \"2024\" }\n    - { from: 2027-01-01, value: 6 uger, source: \"2027\" }")),
            "testby.yaml", TestStandards.All.National);
        s.Get<Calendar.DeadlinePeriod?>(Parameters.ProcessingTime, new NodaTime.LocalDate(2026, 12, 31)).Value!.Count.ShouldBe(8);
        s.Get<Calendar.DeadlinePeriod?>(Parameters.ProcessingTime, new NodaTime.LocalDate(2027, 1, 1)).Value!.Count.ShouldBe(6);
    }

    [Fact]
    public void TheShippedStandards_AllLoad() =>
        TestStandards.All.Municipalities.Keys.Order().ShouldBe(["ballerup", "bronderslev", "gribskov", "haderslev", "lejre"]);

    [Fact]
    public void AMissingRate_IsAnErrorThatNamesIt()
    {
        var e = Should.Throw<MissingRateException>(() => TestStandards.All.National.RequireSubsidyMax(2026));
        e.Message.ShouldContain("§ 97 stk. 7 for 2026");
        Should.Throw<MissingRateException>(() => TestStandards.All.National.MileageAmount(10, new NodaTime.LocalDate(2017, 6, 1)))
            .Message.ShouldContain("2017-06-01");
    }
}
