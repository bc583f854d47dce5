using Ledsag.Web.Infrastructure;
using Ledsag.Web.Letters;
using NodaTime;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>Figures as people type and read them: amounts in kroner, days left on the worklist.</summary>
public sealed class FieldsTests
{
    [Theory]
    [InlineData("12.5", 12.5)]
    [InlineData("12,5", 12.5)]
    [InlineData("12.50", 12.5)]
    [InlineData("1.234,50", 1234.5)]
    [InlineData("1.234.567", 1234567)]
    [InlineData("125", 125)]
    [InlineData("125 kr.", 125)]
    [InlineData(" 919,00 ", 919)]
    public void AnAmount_TypedTheDanishWayOrWithADotDecimal_IsRead(string typed, decimal expected)
    {
        var v = new Validation();
        v.Kroner("amount", typed).ShouldBe(expected);
        v.Ok.ShouldBeTrue();
    }

    [Theory]
    [InlineData("1.234", "kan læses på to måder")]
    [InlineData("12,5,0", "er ikke et beløb")]
    [InlineData("12,505", "er ikke et beløb")]
    [InlineData("1.23,5", "er ikke et beløb")]
    [InlineData("-5", "er ikke et beløb")]
    [InlineData("tolv", "er ikke et beløb")]
    [InlineData("", "Skriv beløbet")]
    public void AnAmountThatCouldBeReadTwoWaysOrNotAtAll_IsRefusedNamingTheField(string typed, string reason)
    {
        var v = new Validation();
        v.Kroner("amount", typed).ShouldBeNull();
        var problem = Should.Throw<ProblemException>(v.ThrowIfInvalid);
        problem.Errors["amount"][0].ShouldContain(reason);
    }

    [Fact]
    public void DaysLeft_CountsWholeDays_NotTheDaysPartOfAPeriod()
    {
        Danish.DaysBetween(new LocalDate(2026, 12, 2), new LocalDate(2027, 5, 7)).ShouldBe(156);
        Danish.DaysBetween(new LocalDate(2027, 5, 7), new LocalDate(2026, 12, 2)).ShouldBe(-156);
    }
}
