using Ledsag.Domain.Calendar;
using NodaTime;
using Shouldly;
using Xunit;

namespace Ledsag.Domain.Tests;

public class CalendarTests
{
    private static WorkingDayCalendar Calendar => TestStandards.All.National.Calendar;

    [Theory]
    [InlineData(2019, 4, 21)]
    [InlineData(2023, 4, 9)]
    [InlineData(2024, 3, 31)]
    [InlineData(2025, 4, 20)]
    [InlineData(2026, 4, 5)]
    [InlineData(2038, 4, 25)]
    public void EasterSunday_MatchesThePublishedDates(int year, int month, int day) =>
        WorkingDayCalendar.EasterSunday(year).ShouldBe(new LocalDate(year, month, day));

    [Fact]
    public void StoreBededag_IsAHolidayUpToAndIncluding2023Only()
    {
        Calendar.HolidayOn(new LocalDate(2023, 5, 5))?.Name.ShouldBe("store bededag");
        Calendar.IsWorkingDay(new LocalDate(2024, 4, 26)).ShouldBeTrue();
    }

    [Theory]
    [InlineData("2026-04-02", "skærtorsdag")]
    [InlineData("2026-04-03", "langfredag")]
    [InlineData("2026-04-06", "2. påskedag")]
    [InlineData("2026-05-14", "Kristi himmelfartsdag")]
    [InlineData("2026-05-25", "2. pinsedag")]
    [InlineData("2026-06-05", "grundlovsdag")]
    [InlineData("2026-12-24", "juleaftensdag")]
    [InlineData("2026-12-31", "nytårsaftensdag")]
    [InlineData("2027-01-01", "nytårsdag")]
    public void HolidaysAndClosedDays_AreNotWorkingDays(string date, string name)
    {
        var d = NodaTime.Text.LocalDatePattern.Iso.Parse(date).Value;
        Calendar.HolidayOn(d)!.Name.ShouldBe(name);
        Calendar.IsWorkingDay(d).ShouldBeFalse();
    }

    [Fact]
    public void RollForward_FromGrundlovsdagOnAFriday_MovesToMonday() =>
        Calendar.RollForward(new LocalDate(2026, 6, 5)).ShouldBe(new LocalDate(2026, 6, 8));

    [Fact]
    public void WorkingDays_SkipEasterAndWeekends() =>
        Calendar.AddWorkingDays(new LocalDate(2026, 3, 31), 3).ShouldBe(new LocalDate(2026, 4, 8));

    [Theory]
    [InlineData("2026-01-31", "1 måned", "2026-02-28")]
    [InlineData("2024-02-29", "1 år", "2025-02-28")]
    [InlineData("2026-03-02", "8 uger", "2026-04-27")]
    [InlineData("2026-05-04", "14 dage", "2026-05-18")]
    public void Add_CountsEachUnitAsTheStandardsWriteIt(string start, string period, string end)
    {
        DeadlinePeriod.TryParse(period, out var p).ShouldBeTrue();
        Calendar.Add(NodaTime.Text.LocalDatePattern.Iso.Parse(start).Value, p!)
            .ShouldBe(NodaTime.Text.LocalDatePattern.Iso.Parse(end).Value);
    }

    [Theory]
    [InlineData("8 ugr")]
    [InlineData("0 uger")]
    [InlineData("uger")]
    [InlineData("-2 dage")]
    public void Period_RejectsWhatIsNotAPeriod(string text) =>
        DeadlinePeriod.TryParse(text, out _).ShouldBeFalse();
}
