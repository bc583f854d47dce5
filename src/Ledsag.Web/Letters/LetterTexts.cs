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

    /// <summary>
    /// The klagevejledning: the period, that a complaint may be oral or written, where to complain as the standard
    /// says (unit, postal address, e-mail, phone), what happens next, and — where the standard names one — the
    /// borgerrådgiver (Lejre).
    /// </summary>
    public static string Klagevejledning(MunicipalStandard standard, LocalDate on)
    {
        var period = standard.Get<DeadlinePeriod>(Parameters.ComplaintPeriod, on).Value;
        var to = standard.Get<Contact?>(Parameters.ComplaintTo, on).Value;
        var advisor = standard.Get<Contact?>(Parameters.CitizenAdvisor, on).Value;
        return "## Klagevejledning\n" +
               $"Hvis du er uenig i afgørelsen, kan du klage. Klagen skal være modtaget af {standard.Name} senest {period} efter, at du har modtaget afgørelsen. " +
               "Du kan klage mundtligt eller skriftligt, og du skal ikke bruge en særlig blanket. Fortæl gerne, hvorfor du er uenig.\n\n" +
               (to is null
                   ? $"Du klager til {standard.Name} ved at kontakte din sagsbehandler. Kontaktoplysningerne står øverst i brevet.\n\n"
                   : "Du kan klage til din sagsbehandler eller til:\n" + ContactLines(to) + "\n\n") +
               "Når vi har modtaget din klage, vurderer vi sagen igen inden 4 uger. Giver vi dig ikke fuldt medhold, sender vi klagen og sagens akter til " +
               "Ankestyrelsen, som behandler klagen. Du får besked, når det sker. (Retssikkerhedsloven §§ 66 og 67.)" +
               (advisor is null ? "" :
                   "\n\n## Borgerrådgiveren\nDu kan også kontakte kommunens borgerrådgiver, som er uafhængig og kan rådgive og vejlede dig om dine klagemuligheder og om reglerne for sagsbehandling:\n" +
                   ContactLines(advisor));
    }

    /// <summary>A unit as lines of a letter: name, street, postal code and town, e-mail, phone.</summary>
    public static string ContactLines(Contact c) => string.Join("\n",
        new[] { c.Unit }.Concat(c.AddressLines()).Concat(c.Email is { } e ? [$"E-mail: {e}"] : []).Concat(c.Phone is { } p ? [$"Telefon: {p}"] : []));

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
               (standard.Get<string?>(Parameters.SubsidyGuidance, decided).Value is { } own
                   ? own + " "
                   : basis == "fixed_amount"
                       ? "Du kan én gang om året få et fast beløb til dine udgifter til ledsagerens transport og aktiviteter. "
                       : "Du kan én gang om året søge om et tilskud til de udgifter, du har til ledsagerens transport og aktiviteter. ") +
               "Du søger hos din sagsbehandler eller på siden Mine timer i Ledsag, og beløbet udbetales til din NemKonto (serviceloven § 97 stk. 7).";
    }

    public static (string Subject, string Body) Grant(MunicipalStandard standard, LocalDate decided, LocalDate received, decimal hours, LocalDate start,
        LocalDate? end, string? justification, IEnumerable<ReasonInfo> partialReasons, bool afterForwarding)
    {
        var full = standard.Get<Domain.Minutes>(Parameters.HoursPerMonth, decided).Value.Hours;
        var partial = hours < full;
        var reasons = partialReasons.ToList();
        var purpose = standard.Get<string?>(Parameters.GrantPurpose, decided).Value;
        var duty = standard.Get<string?>(Parameters.DutyToReport, decided).Value;
        var notCovered = NotCovered(standard, decided);
        var body =
            $"Vi har behandlet din ansøgning om ledsageordning, som vi modtog {Danish.Date(received)}.\n\n" +
            "## Afgørelse\n" +
            $"Du er bevilget {Danish.Hours(hours)} ledsagelse om måneden fra {Danish.Date(start)}{(end is { } e ? $" til {Danish.Date(e)}" : "")}.\n\n" +
            (partial
                ? $"## Delvist afslag\nDu får {Danish.Hours(hours)} og ikke de fulde {Danish.Hours(full)} om måneden. Det er et delvist afslag, fordi:\n" +
                  string.Join("\n", reasons.Select(r => $"• {r.Text}")) + "\n" +
                  $"Det bygger på: {string.Join("; ", reasons.Select(r => r.Source).Distinct())}.\n\n"
                : "") +
            "## Begrundelse\n" +
            (justification ?? "Du er i målgruppen for ledsageordningen: Du kan ikke færdes alene uden for hjemmet på grund af en betydelig og varigt nedsat " +
                "funktionsevne, du kan selv give udtryk for, hvad du ønsker at deltage i, og du har ikke brug for socialpædagogisk støtte under ledsagelsen.") + "\n\n" +
            (purpose is null ? "" : $"## Formål og mål\n{purpose}\n\n") +
            "## Sådan bruger du timerne\n" +
            "Du vælger selv, hvilke aktiviteter uden for hjemmet du vil ledsages til. Timerne kan ikke bruges på forskud. " +
            "Ordningen fortsætter, også når du når folkepensionsalderen (serviceloven § 97 stk. 2). " +
            "Rejser du til udlandet i op til en måned, kan du tage ledsagelsen med, når du har givet os besked; varer opholdet længere, skal du søge om det, før du rejser.\n\n" +
            (notCovered.Count == 0 ? "" : "## Det dækker ordningen ikke\nLedsagelse efter serviceloven § 97 kan ikke bruges til:\n" +
                string.Join("\n", notCovered.Select(a => $"• {a}")) + "\n\n") +
            GuidanceSections(standard, decided) + "\n\n" +
            (duty is null ? "" : $"## Pligt til at oplyse om ændringer\n{duty}\n\n") +
            LegalBasis + "\n\n" + (afterForwarding ? AfterForwarding : Klagevejledning(standard, decided));
        return (partial ? "Afgørelse: Du er bevilget ledsageordning (delvist afslag)" : "Afgørelse: Du er bevilget ledsageordning", body);
    }

    /// <summary>The activities the standard (and the law) exclude on the day, by their Danish labels.</summary>
    public static IReadOnlyList<string> NotCovered(MunicipalStandard standard, LocalDate on) => Excluded(standard, on).Select(a => a.Label).ToList();

    /// <summary>The activities excluded on the day by the standard or the law.</summary>
    public static IReadOnlyList<ActivityInfo> Excluded(MunicipalStandard standard, LocalDate on) =>
        standard.National.Activities
            .Where(a => standard.Keys.Contains(Parameters.ExcludedActivityPrefix + a.Key) && standard.Get<bool>(Parameters.ExcludedActivityPrefix + a.Key, on).Value)
            .Select(a => a.Value).ToList();

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

    /// <summary>
    /// The notice at intake on how the citizen's personal data is processed (databeskyttelsesforordningen art. 13 and 14):
    /// who is responsible and how to reach them, why and on what legal basis, where the data comes from, who receives it,
    /// how long it is kept, and the citizen's rights, including the complaint to Datatilsynet.
    /// </summary>
    public static (string Subject, string Body) PrivacyNotice(MunicipalStandard standard, LocalDate received)
    {
        var sender = standard.Get<Contact>(Parameters.LetterSender, received).Value;
        return ("Sådan behandler vi dine personoplysninger",
            $"Vi har modtaget din ansøgning om ledsageordning {Danish.Date(received)}. For at behandle den skal vi bruge oplysninger om dig. " +
            "Her kan du læse, hvordan vi gør det, og hvilke rettigheder du har (databeskyttelsesforordningen artikel 13 og 14).\n\n" +
            $"## Hvem er ansvarlig\n{standard.Name} er dataansvarlig for oplysningerne. Du kan kontakte os her:\n{ContactLines(sender)}\n" +
            "Kommunen har en databeskyttelsesrådgiver, som du kan kontakte om, hvordan vi behandler dine oplysninger. Spørg din sagsbehandler, hvordan du kommer i kontakt med rådgiveren.\n\n" +
            "## Hvorfor og med hvilken hjemmel\n" +
            "Vi bruger oplysningerne til at afgøre din ansøgning og, hvis du får ledsageordning, til at tilrettelægge og registrere ledsagelsen, følge op og udbetale tilskud. " +
            "Det sker efter serviceloven § 97 og retssikkerhedsloven. Oplysninger om dit helbred behandler vi, fordi det er nødvendigt for at afgøre sagen " +
            "(databeskyttelsesforordningen artikel 6, stk. 1, litra e, og artikel 9, stk. 2, litra b og h).\n\n" +
            "## Hvilke oplysninger og hvorfra\n" +
            "Vi bruger de oplysninger, du selv giver os, og dit navn, CPR-nummer og din adresse fra CPR-registret. Med dit samtykke kan vi hente oplysninger fra fx din læge eller sygehuset. " +
            "Du kan altid sige nej eller trække et samtykke tilbage.\n\n" +
            "## Hvem får oplysningerne\n" +
            "Din ledsager og ledsagerkoordinatoren får de oplysninger, de skal bruge for at ledsage dig (navn, adresse, telefon og planlagte ledsagelser). " +
            "Klager du, sender vi sagen til Ankestyrelsen. Tilskud udbetales til din NemKonto.\n\n" +
            "## Hvor længe\n" +
            "Vi gemmer oplysningerne, så længe sagen er åben, og derefter i 5 år, medmindre arkivreglerne kræver noget andet. Derefter sletter eller anonymiserer vi dem.\n\n" +
            "## Dine rettigheder\n" +
            "Du har ret til at se de oplysninger, vi har om dig (du kan hente dem i Ledsag), og til at få forkerte oplysninger rettet. " +
            "Du kan i visse tilfælde få begrænset behandlingen eller gøre indsigelse mod den. " +
            "Er du utilfreds med, hvordan vi behandler dine oplysninger, kan du klage til Datatilsynet, Carl Jacobsens Vej 35, 2500 Valby, dt@datatilsynet.dk.");
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
            "## Din klage går videre til Ankestyrelsen\n" +
            "Vi sender derfor din klage og sagens akter til Ankestyrelsen, som behandler klagen og sender sin afgørelse direkte til dig. " +
            "Du får besked, når klagen er sendt. Du skal ikke klage til kommunen igen (retssikkerhedsloven § 66).\n\n" +
            LegalBasis),
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
