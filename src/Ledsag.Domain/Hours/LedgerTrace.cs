using Ledsag.Domain.Explain;
using Ledsag.Domain.Standards;

namespace Ledsag.Domain.Hours;

/// <summary>The ledger rules that apply to a grant, each with its source, for an explanation.</summary>
public static class LedgerTrace
{
    /// <summary>The rules and parameters the ledger of <paramref name="grant"/> uses under <paramref name="standard"/>.</summary>
    public static IReadOnlyList<TraceStep> Describe(MunicipalStandard standard, Grant grant)
    {
        var d = grant.Start;
        var hours = standard.Get<Minutes>(Parameters.HoursPerMonth, d);
        var validity = standard.Get<int>(Parameters.SavingsValidityMonths, d);
        var agreement = standard.Get<bool>(Parameters.SavingsRequiresAgreement, d);
        var order = standard.Get<string>(Parameters.SavingsDrawingOrder, d);
        var max = standard.Get<Minutes>(Parameters.SavingsMaxAvailable, d);
        var savings = grant.Savings.Count == 0 ? "ingen opsparingsaftale"
            : string.Join(", ", grant.Savings.Select(s => $"opsparingsaftale {s.From:yyyy-MM-dd}–{s.To:yyyy-MM-dd}"));
        return
        [
            new("GRANT", $"bevilling {grant.Start:yyyy-MM-dd}–{(grant.End is { } e ? e.ToString("yyyy-MM-dd", null) : "løbende")}, {grant.HoursPerMonth} timer pr. påbegyndt måned; {savings}",
                hours.Cite()),
            new(Parameters.SavingsRequiresAgreement, agreement.Value
                ? "timer gemmes kun for måneder, hvis sidste dag ligger i en opsparingsaftale; ellers bortfalder de ved månedens udgang"
                : "alle måneders timer kan gemmes uden særskilt aftale", agreement.Cite()),
            new(Parameters.SavingsValidityMonths, $"gemte timer kan bruges i {validity.Value} måneder inkl. egen måned (januars timer til 30. juni); højst {max.Value} timer til rådighed",
                validity.Cite()),
            new(Parameters.SavingsDrawingOrder, order.Value == Parameters.DrawingOrders.CurrentFirst
                ? "den igangværende måneds timer bruges først, derefter de ældste gemte"
                : "de timer, der bortfalder først, bruges først", order.Cite()),
            new("NO_ADVANCE_USE", "timer kan ikke bruges på forskud; ved bevillingens ophør bortfalder resten",
                "BEK 235/2012 § 6; fx Haderslev: «Du kan ikke bruge timer forud»"),
        ];
    }
}
