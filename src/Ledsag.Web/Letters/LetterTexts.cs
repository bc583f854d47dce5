using Ledsag.Domain.Calendar;
using Ledsag.Domain.Standards;
using NodaTime;

namespace Ledsag.Web.Letters;

/// <summary>
/// The wording of Ledsag's letters, in plain Danish. Decision letters always carry their legal basis,
/// the justification and the klagevejledning (retssikkerhedsloven §§ 66–67).
/// </summary>
public static class LetterTexts
{
    public const string LegalBasis = "## Lovgrundlag\nServiceloven § 97 og bekendtgørelse nr. 235 af 9. marts 2012 om betingelser for ledsageordningen efter serviceloven.";

    public static string Klagevejledning(MunicipalStandard standard, LocalDate on)
    {
        var period = standard.Get<DeadlinePeriod>(Parameters.ComplaintPeriod, on).Value;
        return "## Klagevejledning\n" +
               $"Hvis du er uenig i afgørelsen, kan du klage. Klagen skal være modtaget af {standard.Name} senest {period} efter, at du har modtaget afgørelsen. " +
               "Du kan klage mundtligt eller skriftligt til din sagsbehandler, og du skal ikke bruge en særlig blanket. Skriv gerne, hvorfor du er uenig.\n\n" +
               "Når vi har modtaget din klage, vurderer vi sagen igen inden 4 uger. Giver vi dig ikke fuldt medhold, sender vi klagen og sagens akter til " +
               "Ankestyrelsen, som behandler klagen. Du får besked, når det sker. (Retssikkerhedsloven §§ 66 og 67.)";
    }

    public static (string Subject, string Body) Grant(MunicipalStandard standard, LocalDate decided, LocalDate received, decimal hours, LocalDate start,
        LocalDate? end, string? justification, string? hoursReason)
    {
        var savingsNeedAgreement = standard.Get<bool>(Parameters.SavingsRequiresAgreement, decided).Value;
        var currentFirst = standard.Get<string>(Parameters.SavingsDrawingOrder, decided).Value == Parameters.DrawingOrders.CurrentFirst;
        var body =
            $"Vi har behandlet din ansøgning om ledsageordning, som vi modtog {Danish.Date(received)}.\n\n" +
            "## Afgørelse\n" +
            $"Du er bevilget {Danish.Hours(hours)} ledsagelse om måneden fra {Danish.Date(start)}{(end is { } e ? $" til {Danish.Date(e)}" : "")}.\n\n" +
            "## Begrundelse\n" +
            (justification ?? "Du er i målgruppen for ledsageordningen: Du kan ikke færdes alene uden for hjemmet på grund af en betydelig og varigt nedsat " +
                "funktionsevne, du kan selv give udtryk for, hvad du ønsker at deltage i, og du har ikke brug for socialpædagogisk støtte under ledsagelsen.") +
            (hoursReason is null ? "" : $" Timetallet: {hoursReason}") + "\n\n" +
            "## Sådan bruger du timerne\n" +
            "Du vælger selv, hvilke aktiviteter uden for hjemmet du vil ledsages til. Timerne kan ikke bruges på forskud. " +
            (savingsNeedAgreement
                ? "Efter aftale med kommunen kan du spare timer op og bruge dem inden for 6 måneder; ellers bortfalder en måneds timer, når måneden er slut. "
                : "Du kan spare timer op og bruge dem inden for 6 måneder; derefter bortfalder de. ") +
            (currentFirst ? "Du skal bruge den igangværende måneds timer, før du bruger opsparede timer. " : "") +
            "Ordningen fortsætter, også når du når folkepensionsalderen (serviceloven § 97 stk. 2).\n\n" +
            LegalBasis + "\n\n" + Klagevejledning(standard, decided);
        return ("Afgørelse: Du er bevilget ledsageordning", body);
    }

    public static (string Subject, string Body) Refusal(MunicipalStandard standard, LocalDate decided, LocalDate received,
        IEnumerable<ReasonInfo> reasons, string justification)
    {
        var body =
            $"Vi har behandlet din ansøgning om ledsageordning, som vi modtog {Danish.Date(received)}.\n\n" +
            "## Afgørelse\nDu får afslag på ledsageordning efter serviceloven § 97.\n\n" +
            "## Begrundelse\n" + justification + "\n\n" +
            string.Join("\n", reasons.Select(r => $"• {r.Text} ({r.Source})")) + "\n\n" +
            LegalBasis + "\n\n" + Klagevejledning(standard, decided);
        return ("Afgørelse: Afslag på ledsageordning", body);
    }

    public static (string Subject, string Body) Consultation(string summary, LocalDate? due) => (
        "Partshøring: Udkast til afgørelse om ledsageordning",
        "Inden vi træffer afgørelse i din sag om ledsageordning, får du mulighed for at se og kommentere de oplysninger, vi lægger vægt på.\n\n" +
        "## Udkast til afgørelse\n" + summary + "\n\n" +
        "## Dine bemærkninger\n" +
        (due is { } d ? $"Send dine bemærkninger, så vi har dem senest {Danish.Date(d)}. " : "Send dine bemærkninger hurtigst muligt. ") +
        "Du kan skrive eller ringe til din sagsbehandler. Hører vi ikke fra dig, træffer vi afgørelse ud fra de oplysninger, vi har.\n\n" +
        "## Lovgrundlag\nForvaltningsloven § 19 om partshøring.");

    public static (string Subject, string Body) Delay(DeadlinePeriod? processingTime, LocalDate expectedBy, string reason) => (
        "Din sag om ledsageordning tager længere tid",
        (processingTime is { } p ? $"Vi kan desværre ikke træffe afgørelse i din sag inden for vores sagsbehandlingstid på {p}. " : "Vi kan desværre ikke træffe afgørelse i din sag så hurtigt, som vi havde forventet. ") +
        $"Du kan forvente en afgørelse senest {Danish.Date(expectedBy)}.\n\n## Årsag\n{reason}\n\n" +
        "## Lovgrundlag\nRetssikkerhedsloven § 3 stk. 2: Kan kommunen ikke overholde sagsbehandlingstiden, skal du have skriftlig besked om, hvornår du kan forvente en afgørelse.");

    public static (string Subject, string Body) Reassessment(MunicipalStandard standard, string outcome, LocalDate decided, string justification, LocalDate? maintainDue) => outcome switch
    {
        "full" => ("Svar på din klage: Du får medhold",
            $"Vi har vurderet din sag igen og giver dig medhold i din klage.\n\n## Begrundelse\n{justification}\n\nDu får en ny afgørelse.\n\n" + LegalBasis),
        "partial" => ("Svar på din klage: Du får delvist medhold",
            $"Vi har vurderet din sag igen og giver dig delvist medhold i din klage.\n\n## Begrundelse\n{justification}\n\n" +
            "## Vil du fastholde din klage?\n" +
            $"Giv os besked{(maintainDue is { } m ? $" senest {Danish.Date(m)}" : " inden 4 uger")}, hvis du fortsat er uenig. Så sender vi klagen og sagens akter til Ankestyrelsen.\n\n" +
            LegalBasis + "\n\n" + Klagevejledning(standard, decided)),
        _ => ("Svar på din klage: Vi fastholder afgørelsen",
            $"Vi har vurderet din sag igen, men fastholder afgørelsen.\n\n## Begrundelse\n{justification}\n\n" +
            "Vi sender derfor din klage og sagens akter til Ankestyrelsen, som behandler klagen. Du får besked, når klagen er sendt.\n\n" +
            LegalBasis + "\n\n" + Klagevejledning(standard, decided)),
    };

    public static (string Subject, string Body) Forwarded(LocalDate on, IEnumerable<string> documents) => (
        "Din klage er sendt til Ankestyrelsen",
        $"Vi har {Danish.Date(on)} sendt din klage over afgørelsen om ledsageordning til Ankestyrelsen sammen med sagens akter. " +
        "Ankestyrelsen behandler nu klagen og sender sin afgørelse direkte til dig.\n\n## Sagens akter\n" +
        string.Join("\n", documents.Select(d => $"• {d}")) + "\n\n## Lovgrundlag\nRetssikkerhedsloven § 66.");

    public static (string Subject, string Body) LapseReminder(decimal hours, LocalDate date, decimal available) => (
        "Dine ledsagetimer bortfalder snart",
        $"{Danish.Hours(hours)} af dine ledsagetimer bortfalder {Danish.Date(date)}, hvis du ikke bruger dem inden.\n\n" +
        $"Du har i alt {Danish.Hours(available)} til rådighed i dag. Timer kan spares op i højst 6 måneder (bekendtgørelse nr. 235 af 9. marts 2012 § 6).");

    public static (string Subject, string Body) Subsidy(MunicipalStandard standard, int year, LocalDate decided, decimal? approved, string? capReason, string? refusalReason) => (
        $"Afgørelse om tilskud til udgifter ved ledsagelse {year}",
        "## Afgørelse\n" +
        (approved is { } a
            ? $"Du får {Danish.Kroner(a)} i tilskud til udgifter ved ledsagelse i {year}. Beløbet udbetales til din NemKonto.{(capReason is null ? "" : $"\n\n## Begrundelse\n{capReason}")}"
            : $"Du får ikke tilskud til udgifter ved ledsagelse i {year}.\n\n## Begrundelse\n{refusalReason}") +
        "\n\n## Lovgrundlag\nServiceloven § 97 stk. 7 og bekendtgørelse nr. 235 af 9. marts 2012 § 9.\n\n" + Klagevejledning(standard, decided));
}
