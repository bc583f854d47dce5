using Ledsag.Domain.Calendar;
using Ledsag.Domain.Cases;
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

    /// <summary>What a letter says in place of the klagevejledning once the complaint is with Ankestyrelsen: no new complaint to the municipality.</summary>
    public const string AfterForwarding = "## Din klage\nDin klage er sendt til Ankestyrelsen, som behandler den og sender sin afgørelse direkte til dig. " +
        "Du skal ikke klage til kommunen igen over denne afgørelse. (Retssikkerhedsloven § 66.)";

    /// <summary>
    /// The guidance every grant letter carries: saving hours (it needs an agreement) and the yearly subsidy and how to apply.
    /// The decision check looks for these sections in the letter that would be sent.
    /// </summary>
    public static string GuidanceSections(MunicipalStandard standard, LocalDate decided)
    {
        var savingsNeedAgreement = standard.Get<bool>(Parameters.SavingsRequiresAgreement, decided).Value;
        var currentFirst = standard.Get<string>(Parameters.SavingsDrawingOrder, decided).Value == Parameters.DrawingOrders.CurrentFirst;
        var basis = standard.Get<string>(Parameters.SubsidyBasis, decided).Value;
        return Domain.Cases.DecisionCheck.SavingsGuidanceHeading + "\n" +
               (savingsNeedAgreement
                   ? "Du kan spare timer op til en aktivitet, der kræver flere timer, fx en rejse. Det kræver en aftale med kommunen, som du skal indgå, før du begynder at spare op: " +
                     "timer fra måneder, før aftalen blev indgået, kan ikke spares op. Opsparede timer kan bruges inden for 6 måneder; ellers bortfalder en måneds timer, når måneden er slut. "
                   : "Du kan spare timer op og bruge dem inden for 6 måneder; derefter bortfalder de. ") +
               (currentFirst ? "Du skal bruge den igangværende måneds timer, før du bruger opsparede timer. " : "") +
               "Du kan højst have 90 timer til rådighed i én måned (bekendtgørelse nr. 235 af 9. marts 2012 § 6).\n\n" +
               DecisionCheck.SubsidyGuidanceHeading + "\n" +
               (basis == "fixed_amount"
                   ? "Du kan én gang om året få et fast beløb til dine udgifter til ledsagerens transport og aktiviteter. "
                   : "Du kan én gang om året søge om et tilskud til de udgifter, du har til ledsagerens transport og aktiviteter. ") +
               "Du søger hos din sagsbehandler eller på Mine timer, og beløbet udbetales til din NemKonto (serviceloven § 97 stk. 7).";
    }

    public static (string Subject, string Body) Grant(MunicipalStandard standard, LocalDate decided, LocalDate received, decimal hours, LocalDate start,
        LocalDate? end, string? justification, IEnumerable<ReasonInfo> partialReasons, bool afterForwarding)
    {
        var full = standard.Get<Domain.Minutes>(Parameters.HoursPerMonth, decided).Value.Hours;
        var partial = hours < full;
        var reasons = partialReasons.ToList();
        var body =
            $"Vi har behandlet din ansøgning om ledsageordning, som vi modtog {Danish.Date(received)}.\n\n" +
            "## Afgørelse\n" +
            $"Du er bevilget {Danish.Hours(hours)} ledsagelse om måneden fra {Danish.Date(start)}{(end is { } e ? $" til {Danish.Date(e)}" : "")}.\n\n" +
            (partial
                ? $"## Delvist afslag\nDu får ikke de fulde {Danish.Hours(full)} om måneden. Den ledsagelse, du allerede får i dit botilbud eller hjem, " +
                  "trækkes fra, så du ikke får den samme hjælp to gange.\n" + string.Join("\n", reasons.Select(r => $"• {r.Text} ({r.Source})")) + "\n\n"
                : "") +
            "## Begrundelse\n" +
            (justification ?? "Du er i målgruppen for ledsageordningen: Du kan ikke færdes alene uden for hjemmet på grund af en betydelig og varigt nedsat " +
                "funktionsevne, du kan selv give udtryk for, hvad du ønsker at deltage i, og du har ikke brug for socialpædagogisk støtte under ledsagelsen.") + "\n\n" +
            "## Sådan bruger du timerne\n" +
            "Du vælger selv, hvilke aktiviteter uden for hjemmet du vil ledsages til. Timerne kan ikke bruges på forskud. " +
            "Ordningen fortsætter, også når du når folkepensionsalderen (serviceloven § 97 stk. 2).\n\n" +
            GuidanceSections(standard, decided) + "\n\n" +
            LegalBasis + "\n\n" + (afterForwarding ? AfterForwarding : Klagevejledning(standard, decided));
        return (partial ? "Afgørelse: Du er bevilget ledsageordning (delvist afslag)" : "Afgørelse: Du er bevilget ledsageordning", body);
    }

    public static (string Subject, string Body) Refusal(MunicipalStandard standard, LocalDate decided, LocalDate received,
        IEnumerable<ReasonInfo> reasons, string justification, bool afterForwarding = false)
    {
        var body =
            $"Vi har behandlet din ansøgning om ledsageordning, som vi modtog {Danish.Date(received)}.\n\n" +
            "## Afgørelse\nDu får afslag på ledsageordning efter serviceloven § 97.\n\n" +
            "## Begrundelse\n" + justification + "\n\n" +
            string.Join("\n", reasons.Select(r => $"• {r.Text} ({r.Source})")) + "\n\n" +
            LegalBasis + "\n\n" + (afterForwarding ? AfterForwarding : Klagevejledning(standard, decided));
        return ("Afgørelse: Afslag på ledsageordning", body);
    }

    /// <summary>The decision that a grant ends because the citizen is no longer in the target group.</summary>
    public static (string Subject, string Body) End(MunicipalStandard standard, LocalDate decided, LocalDate endOn, IEnumerable<ReasonInfo> reasons, string justification)
    {
        var body =
            "## Afgørelse\n" +
            $"Din ledsageordning efter serviceloven § 97 ophører {Danish.Date(endOn)}, fordi du ikke længere er i målgruppen for ordningen. " +
            "Timer, du ikke har brugt inden da, bortfalder.\n\n" +
            "## Begrundelse\n" + justification + "\n\n" +
            string.Join("\n", reasons.Select(r => $"• {r.Text} ({r.Source})")) + "\n\n" +
            LegalBasis + "\n\n" + Klagevejledning(standard, decided);
        return ("Afgørelse: Din ledsageordning ophører", body);
    }

    /// <summary>A complaint received after the deadline that is not dealt with (retssikkerhedsloven § 67).</summary>
    public static (string Subject, string Body) LateComplaint(LocalDate due, string reason) => (
        "Din klage er modtaget efter klagefristen",
        $"Vi har modtaget din klage over afgørelsen om ledsageordning. Klagefristen udløb {Danish.Date(due)}, og vi kan derfor ikke behandle klagen.\n\n" +
        "## Begrundelse\n" + reason + "\n\n" +
        "## Lovgrundlag\nRetssikkerhedsloven § 67: klagen skal være modtaget senest 4 uger efter, at du har modtaget afgørelsen. " +
        "Ankestyrelsen kan se bort fra en overskredet frist, når der er særlige grunde. Du kan bede os sende klagen til Ankestyrelsen, som så vurderer, om fristen kan fraviges.");

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
            (maintainDue is { } m
                ? "## Vil du fastholde din klage?\n" +
                  $"Giv os besked senest {Danish.Date(m)}, hvis du fortsat er uenig. Så sender vi klagen og sagens akter til Ankestyrelsen.\n\n"
                : "## Resten af din klage\n" +
                  "Den del af klagen, du ikke har fået medhold i, sender vi sammen med sagens akter til Ankestyrelsen inden 4 uger efter, at vi modtog klagen. " +
                  "Du skal ikke gøre noget; du får besked, når klagen er sendt (retssikkerhedsloven § 66).\n\n") +
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
