using Ledsag.Domain;
using Ledsag.Domain.Deadlines;
using Ledsag.Domain.Eligibility;
using Ledsag.Domain.Hours;
using NodaTime;

namespace Ledsag.Cli.Cases;

/// <summary>One expected output of a case: its key, the expected value and the line it is written on.</summary>
/// <remarks>
/// Values: <see cref="decimal"/> for hours and money, <see cref="LocalDate"/>, <see cref="string"/>,
/// a sorted <see cref="IReadOnlyList{T}"/> of reason codes, <see cref="ExpectedLapse"/>, or null.
/// </remarks>
public sealed record Expectation(string Key, object? Value, int Line);

/// <summary>An expected next lapse.</summary>
public sealed record ExpectedLapse(LocalDate Date, decimal Hours);

/// <summary>A rule case as read from its file.</summary>
public abstract record RuleCase(string Name, string Municipality, string File, int Line, IReadOnlyList<Expectation> Expect);

/// <summary>kind: hours — one grant's ledger.</summary>
public sealed record HoursCase(string Name, string Municipality, string File, int Line, IReadOnlyList<Expectation> Expect,
    Grant Grant, IReadOnlyList<UsageLine> Usage) : RuleCase(Name, Municipality, File, Line, Expect);

/// <summary>A session in an hours case and what it is expected to give.</summary>
public sealed record UsageLine(LocalDate Date, Minutes Minutes, bool ExpectAccepted, string? ExpectReason, int Line);

/// <summary>kind: eligibility — the recommendation for an application.</summary>
public sealed record EligibilityCase(string Name, string Municipality, string File, int Line, IReadOnlyList<Expectation> Expect,
    LocalDate Date, LocalDate BirthDate, EligibilityFacts Facts) : RuleCase(Name, Municipality, File, Line, Expect);

/// <summary>kind: deadline — the due dates an event starts.</summary>
public sealed record DeadlineCase(string Name, string Municipality, string File, int Line, IReadOnlyList<Expectation> Expect,
    DeadlineEvent Event, LocalDate Date) : RuleCase(Name, Municipality, File, Line, Expect);

/// <summary>kind: rates — national rates on a day.</summary>
public sealed record RatesCase(string Name, string Municipality, string File, int Line, IReadOnlyList<Expectation> Expect,
    LocalDate Date, decimal? Km) : RuleCase(Name, Municipality, File, Line, Expect);
