using Ledsag.Domain.Explain;
using Ledsag.Domain.Standards;
using NodaTime;
using Ledsag.Domain.Text;

namespace Ledsag.Domain.Eligibility;

/// <summary>The engine's recommendation; a caseworker decides.</summary>
public enum RecommendationKind
{
    /// <summary>Every criterion is met.</summary>
    Grant,
    /// <summary>A blocking reason applies.</summary>
    Deny,
    /// <summary>Nothing blocks, but the standard flags the case for a closer look.</summary>
    Assess,
}

/// <summary>The recommendation for an application, its reasons, the hours and the trace behind it.</summary>
/// <param name="Kind">grant, deny or assess.</param>
/// <param name="Reasons">Every blocking reason and flag that applies.</param>
/// <param name="HoursPerMonth">The hours a month; null for deny.</param>
/// <param name="Trace">The rules and parameters that produced it.</param>
public sealed record Recommendation(RecommendationKind Kind, IReadOnlyList<string> Reasons, Minutes? HoursPerMonth, IReadOnlyList<TraceStep> Trace);

/// <summary>The eligibility recommendation under § 97 and a municipality's standard.</summary>
public static class EligibilityEngine
{
    /// <summary>Recommends on an application assessed on <paramref name="date"/>.</summary>
    public static Recommendation Recommend(MunicipalStandard standard, LocalDate date, LocalDate birthDate, EligibilityFacts facts)
    {
        var national = standard.National;
        var trace = new List<TraceStep>();
        var blocking = new List<string>();
        var flags = new List<string>();

        // § 97 is for adults; people under 18 are under barnets lov.
        var adultFrom = birthDate.PlusYears(national.AdultAge.Value);
        if (date < adultFrom)
        {
            blocking.Add(ReasonCodes.AgeUnder18);
        }
        trace.Add(new TraceStep(ReasonCodes.AgeUnder18,
            $"myndig fra {DanishDate.Of(adultFrom)}: {(date < adultFrom ? "under 18 år — blokerer" : "opfyldt")}", national.AdultAge.Source));

        // § 97 stk. 1–2: the age limit is max(folkepensionsalder, 67), unless granted before it.
        var (limitDate, row) = national.AgeLimitDate(birthDate);
        var pastLimit = date >= limitDate;
        if (pastLimit && !facts.GrantedBeforePensionAge)
        {
            blocking.Add(ReasonCodes.AgePension);
        }
        trace.Add(new TraceStep(ReasonCodes.AgePension,
            $"aldersgrænse {DanishDate.Of(limitDate)} (folkepensionsalder {row.Years} år{(row.Months > 0 ? $" {row.Months} mdr." : "")}, mindst {national.MinimumAgeLimit.Value} år): " +
            (!pastLimit ? "under grænsen" : facts.GrantedBeforePensionAge ? "over grænsen, men bevilget før (§ 97 stk. 2)" : "nået — blokerer"),
            $"{row.Source}; {national.MinimumAgeLimit.Source}"));

        foreach (var criterion in EligibilityCriteria.All)
        {
            var effect = standard.Get<string>(Parameters.CriteriaPrefix + criterion.Code, date);
            if (effect.Value == Parameters.CriterionEffects.Off)
            {
                continue;
            }
            var applies = criterion.Applies(facts);
            if (applies)
            {
                (effect.Value == Parameters.CriterionEffects.Block ? blocking : flags).Add(criterion.Code);
            }
            trace.Add(new TraceStep(criterion.Code,
                $"{(national.Reasons.TryGetValue(criterion.Code, out var said) ? said.Text.TrimEnd('.') : criterion.Fact)}: {(applies ? (effect.Value == Parameters.CriterionEffects.Block ? "ja — blokerer" : "ja — vurderes nærmere") : "nej")}",
                effect.Cite()));
        }

        // BEK 235/2012 § 5 stk. 2 (and Brønderslev's own-home rule): hours the botilbud or the home already give are
        // deducted; when nothing is left (15 − N ≤ 0) there is nothing to grant, so the application is refused.
        var hours = HoursPerMonth(standard, date, facts, trace);
        if (hours.Value <= 0)
        {
            blocking.Add(facts.LivesInBotilbud && facts.BotilbudCompanionPerMonth.Value > 0 ? ReasonCodes.BotilbudCoversHours : ReasonCodes.OwnHomeCoversHours);
        }

        var reasons = blocking.Concat(flags).ToList();
        if (blocking.Count > 0)
        {
            return new Recommendation(RecommendationKind.Deny, reasons, null, trace);
        }
        return new Recommendation(flags.Count > 0 ? RecommendationKind.Assess : RecommendationKind.Grant, reasons, hours, trace);
    }

    /// <summary>
    /// 15 hours a month (§ 97 stk. 1); for a resident of a botilbud with companion hours inside it, the
    /// standard's botilbud rule: deduct those hours or a fixed figure (Gribskov: 8); where the standard says so
    /// (Brønderslev), companionship already given in the own home is deducted too. Zero means nothing is left.
    /// </summary>
    public static Minutes HoursPerMonth(MunicipalStandard standard, LocalDate date, EligibilityFacts facts, List<TraceStep>? trace = null)
    {
        var full = standard.Get<Minutes>(Parameters.HoursPerMonth, date);
        trace?.Add(new TraceStep(Parameters.HoursPerMonth, $"{full.Value} timer om måneden", full.Cite()));
        var hours = full.Value;
        if (facts.LivesInBotilbud && facts.BotilbudCompanionPerMonth.Value > 0)
        {
            var rule = standard.Get<string>(Parameters.BotilbudRule, date);
            if (rule.Value == "fixed")
            {
                var fixedHours = standard.Get<Minutes?>(Parameters.BotilbudFixedHours, date);
                trace?.Add(new TraceStep(Parameters.BotilbudRule, "beboere i botilbud med ledsagelse i tilbuddet får et fast timetal", rule.Cite()));
                trace?.Add(new TraceStep(Parameters.BotilbudFixedHours,
                    $"beboer i botilbud med {facts.BotilbudCompanionPerMonth} timers ledsagelse: suppleres med {fixedHours.Value} timer", fixedHours.Cite()));
                return fixedHours.Value!.Value;
            }
            var left = hours - facts.BotilbudCompanionPerMonth;
            trace?.Add(new TraceStep(Parameters.BotilbudRule,
                $"beboer i botilbud: {hours} − {facts.BotilbudCompanionPerMonth} timer i botilbuddet = {(left.Value < 0 ? Minutes.Zero : left)} timer", rule.Cite()));
            hours = left.Value < 0 ? Minutes.Zero : left;
        }
        if (facts.OwnHomeCompanionPerMonth.Value > 0)
        {
            var deduct = standard.Get<bool>(Parameters.OwnHomeDeduct, date);
            if (deduct.Value)
            {
                var left = hours - facts.OwnHomeCompanionPerMonth;
                trace?.Add(new TraceStep(Parameters.OwnHomeDeduct,
                    $"ledsagelse i eget hjem: {hours} − {facts.OwnHomeCompanionPerMonth} timer = {(left.Value < 0 ? Minutes.Zero : left)} timer", deduct.Cite()));
                hours = left.Value < 0 ? Minutes.Zero : left;
            }
            else
            {
                trace?.Add(new TraceStep(Parameters.OwnHomeDeduct, "ledsagelse i eget hjem modregnes ikke i denne kommune", deduct.Cite()));
            }
        }
        return hours;
    }
}
