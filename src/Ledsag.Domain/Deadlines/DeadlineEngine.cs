using Ledsag.Domain.Calendar;
using Ledsag.Domain.Explain;
using Ledsag.Domain.Standards;
using NodaTime;
using Ledsag.Domain.Text;

namespace Ledsag.Domain.Deadlines;

/// <summary>The events in a case that start a deadline.</summary>
public enum DeadlineEvent
{
    /// <summary>Ansøgning modtaget.</summary>
    ApplicationReceived,
    /// <summary>Udkast til afgørelse modtaget (partshøring).</summary>
    DraftReceived,
    /// <summary>Bevilling truffet.</summary>
    GrantDecided,
    /// <summary>Afgørelse modtaget af borgeren.</summary>
    DecisionReceived,
    /// <summary>Klage modtaget.</summary>
    ComplaintReceived,
    /// <summary>Afgørelse med delvist medhold modtaget.</summary>
    PartialDecisionReceived,
    /// <summary>Klagen fastholdt efter delvist medhold.</summary>
    ComplaintMaintained,
    /// <summary>Fuldt medhold i klagen ved genvurderingen: en ny afgørelse skal træffes.</summary>
    ComplaintUpheld,
}

/// <summary>A due date an event starts, or null where the standard sets no period, with its reasoning.</summary>
/// <param name="Name">The deadline's stable name (<c>decision_due</c>).</param>
/// <param name="Due">The due date, after any roll to a working day; null where no period applies.</param>
/// <param name="Trace">The period, its source and any roll.</param>
public sealed record DeadlineResult(string Name, LocalDate? Due, IReadOnlyList<TraceStep> Trace);

/// <summary>Due dates from the standard's periods and the working-day calendar.</summary>
public static class DeadlineEngine
{
    /// <summary>The deadlines each event starts, with the parameter that sets each period.</summary>
    public static readonly IReadOnlyDictionary<DeadlineEvent, IReadOnlyList<(string Name, string Parameter)>> Outputs =
        new Dictionary<DeadlineEvent, IReadOnlyList<(string, string)>>
        {
            // Retssikkerhedsloven § 3 stk. 2: the published case-processing time.
            [DeadlineEvent.ApplicationReceived] = [("decision_due", Parameters.ProcessingTime)],
            // Forvaltningsloven § 19: the answer period the authority sets.
            [DeadlineEvent.DraftReceived] = [("consultation_due", Parameters.ConsultationPeriod)],
            [DeadlineEvent.GrantDecided] = [("start_due", Parameters.StartPeriod), ("first_follow_up_due", Parameters.FollowUpFirst)],
            // Retssikkerhedsloven § 67: 4 weeks to complain.
            [DeadlineEvent.DecisionReceived] = [("complaint_due", Parameters.ComplaintPeriod)],
            // Retssikkerhedsloven § 66: 4 weeks to reassess, and to forward when upheld.
            [DeadlineEvent.ComplaintReceived] = [("reassessment_due", Parameters.ReassessmentPeriod), ("forward_due", Parameters.ForwardPeriod)],
            // Only where the standard has the step (Brønderslev); the law has none (retssikkerhedsloven § 66).
            [DeadlineEvent.PartialDecisionReceived] = [("maintain_due", Parameters.MaintainPeriod)],
            [DeadlineEvent.ComplaintMaintained] = [("forward_due", Parameters.ForwardAfterMaintained)],
            [DeadlineEvent.ComplaintUpheld] = [("new_decision_due", Parameters.NewDecisionPeriod)],
        };

    /// <summary>The event's deadlines under <paramref name="standard"/>, for an event on <paramref name="date"/>.</summary>
    public static IReadOnlyList<DeadlineResult> For(MunicipalStandard standard, DeadlineEvent e, LocalDate date) =>
        Outputs[e].Select(o => Due(standard, o.Name, o.Parameter, date)).ToList();

    /// <summary>The next follow-up after one held (or due) on <paramref name="previous"/>, or null where the standard sets no interval.</summary>
    public static DeadlineResult NextFollowUp(MunicipalStandard standard, LocalDate previous) =>
        Due(standard, "follow_up_due", Parameters.FollowUpInterval, previous);

    private static DeadlineResult Due(MunicipalStandard standard, string name, string parameter, LocalDate date)
    {
        var period = standard.Get<DeadlinePeriod?>(parameter, date);
        var source = period.Cite();
        if (period.Value is null)
        {
            return new DeadlineResult(name, null, [new TraceStep(parameter, "standarden fastsætter ingen frist", source)]);
        }
        var calendar = standard.National.Calendar;
        var raw = calendar.Add(date, period.Value);
        var due = calendar.RollForward(raw);
        var trace = new List<TraceStep> { new(parameter, $"{DanishDate.Of(date)} + {period.Value} = {DanishDate.Of(raw)}", source) };
        if (due != raw)
        {
            var why = calendar.HolidayOn(raw)?.Name ?? (raw.DayOfWeek == IsoDayOfWeek.Saturday ? "lørdag" : "søndag");
            trace.Add(new TraceStep("ROLL_TO_WORKING_DAY",
                $"{DanishDate.Of(raw)} er {why}; fristen flyttes til næste hverdag {DanishDate.Of(due)}",
                "Forældelsesloven § 27 stk. 2; Justitsministeriets vejledning 9533/2018"));
        }
        return new DeadlineResult(name, due, trace);
    }
}
