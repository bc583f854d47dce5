using Ledsag.Domain.Eligibility;
using Ledsag.Domain.Standards;
using NodaTime;

namespace Ledsag.Domain.Cases;

/// <summary>How much a defect weighs: a blocking one stops the decision, a warning is recorded with it.</summary>
public enum DefectSeverity
{
    /// <summary>The decision cannot be sent until it is fixed.</summary>
    Blocking,
    /// <summary>The caseworker may send anyway; the warning is kept with the decision.</summary>
    Warning,
}

/// <summary>One defect in a draft decision, with the field it concerns and its legal source.</summary>
/// <param name="Code">Stable name (<c>CONSULTATION_MISSING</c>).</param>
/// <param name="Severity">Blocking or warning.</param>
/// <param name="Field">The request field to fix, or null.</param>
/// <param name="Message">What is wrong, in plain Danish.</param>
/// <param name="Source">The law or standard behind the rule.</param>
public sealed record Defect(string Code, DefectSeverity Severity, string? Field, string Message, string Source);

/// <summary>The partshøring of a case: the draft sent, when the answer is due, and any answer or waiver.</summary>
/// <param name="SentOn">The day the draft was sent.</param>
/// <param name="Outcome">What the draft proposed: grant, refusal or end.</param>
/// <param name="AnswerDue">The last day to answer, or null where none was set.</param>
/// <param name="AnsweredOn">The day the citizen's answer or waiver was recorded, or null.</param>
public sealed record Consultation(LocalDate SentOn, string Outcome, LocalDate? AnswerDue, LocalDate? AnsweredOn);

/// <summary>A companion tied to the citizen and whether the close-relation declaration was made.</summary>
/// <param name="Name">The companion's name.</param>
/// <param name="RelationDeclared">Whether the relation to the citizen is declared.</param>
public sealed record CompanionRelation(string Name, bool RelationDeclared);

/// <summary>What the check needs to know of a case, loaded by the caller.</summary>
/// <param name="ReceivedOn">The day the application was received.</param>
/// <param name="State">Where the case stands.</param>
/// <param name="Recommendation">The engine's latest recommendation, or null when not assessed.</param>
/// <param name="LawfulHours">The hours a month the law and the standard's botilbud / own-home rule give on the assessed facts, or null.</param>
/// <param name="AssessedOn">The day of the latest assessment.</param>
/// <param name="Consultation">The latest partshøring, or null.</param>
/// <param name="DecisionDue">The open decision deadline: the published processing time, or the day a § 3 stk. 2 letter promised.</param>
/// <param name="Companions">Companions nominated by or assigned to the citizen.</param>
/// <param name="ActionPlanOffered">Whether the offer of an action plan (SEL § 141) is recorded on the case.</param>
public sealed record CaseSnapshot(
    LocalDate ReceivedOn,
    CaseState State,
    Recommendation? Recommendation,
    Minutes? LawfulHours,
    LocalDate? AssessedOn,
    Consultation? Consultation,
    LocalDate? DecisionDue,
    IReadOnlyList<CompanionRelation> Companions,
    bool ActionPlanOffered = false);

/// <summary>A decision as the caseworker means to send it.</summary>
/// <param name="Outcome"><c>grant</c>, <c>refusal</c> or <c>end</c> (the grant ends: no longer in the target group).</param>
/// <param name="DecidedOn">The decision's date.</param>
/// <param name="Hours">Hours a month for a grant.</param>
/// <param name="Reasons">Reason codes of a refusal, an end or a reduced grant.</param>
/// <param name="Justification">The begrundelse in the caseworker's words.</param>
/// <param name="InformationFromCitizenOnly">True when the decision rests only on what the citizen has told (no partshøring needed).</param>
/// <param name="LetterBody">The letter as it would be sent, checked for the guidance it must carry.</param>
public sealed record DraftDecision(
    string Outcome,
    LocalDate DecidedOn,
    Minutes? Hours,
    IReadOnlyList<string> Reasons,
    string? Justification,
    bool InformationFromCitizenOnly,
    string? LetterBody);

/// <summary>
/// The decision check: one function over a case and a draft decision that lists every defect an appeals
/// board would find, each with its legal source. Blocking defects stop the decision; warnings go with it.
/// </summary>
public static class DecisionCheck
{
    // Hours as a Danish reader writes them (9,5); the product runs in invariant-globalization mode, so no culture is loaded.
    private static string Danish(Minutes m) => m.Hours.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture).Replace('.', ',');

    /// <summary>Marker the letter texts carry in their guidance on saving hours.</summary>
    public const string SavingsGuidanceHeading = "## Opsparing af timer";

    /// <summary>Marker the letter texts carry in their guidance on the yearly subsidy.</summary>
    public const string SubsidyGuidanceHeading = "## Tilskud til udgifter";

    /// <summary>Every defect of <paramref name="d"/> on <paramref name="c"/> under <paramref name="standard"/> on <paramref name="today"/>.</summary>
    public static IReadOnlyList<Defect> Run(MunicipalStandard standard, CaseSnapshot c, DraftDecision d, LocalDate today)
    {
        var defects = new List<Defect>();
        void Block(string code, string? field, string message, string source) => defects.Add(new(code, DefectSeverity.Blocking, field, message, source));
        void Warn(string code, string? field, string message, string source) => defects.Add(new(code, DefectSeverity.Warning, field, message, source));

        if (CaseLifecycle.Guard(c.State, CaseEvent.Decision) is { } wrong && d.Outcome != "end")
        {
            Block(wrong.Rule, null, wrong.Message, wrong.Source);
        }

        // Dates in order: an application before its decision, nothing dated ahead of today.
        if (d.DecidedOn < c.ReceivedOn)
        {
            Block("DECIDED_BEFORE_RECEIVED", "decidedOn", $"Afgørelsen kan ikke være truffet før ansøgningen blev modtaget ({c.ReceivedOn:dd-MM-yyyy}).",
                "Forvaltningsloven § 22; en afgørelse træffes på en modtaget ansøgning");
        }
        if (d.DecidedOn > today)
        {
            Block("DECIDED_IN_FUTURE", "decidedOn", "Afgørelsen kan ikke dateres i fremtiden.", "Forvaltningsloven § 22");
        }
        if (c.AssessedOn is { } assessed && d.DecidedOn < assessed && d.Outcome != "end")
        {
            Block("DECIDED_BEFORE_ASSESSMENT", "decidedOn", $"Afgørelsen kan ikke være truffet før udredningen ({assessed:dd-MM-yyyy}).",
                "Retssikkerhedsloven § 10: sagen skal være oplyst, før der træffes afgørelse");
        }

        var recommendation = c.Recommendation;
        if (recommendation is null && d.Outcome != "end")
        {
            Block("NOT_ASSESSED", null, "Sagen skal være udredt (med motorens anbefaling), før der træffes afgørelse.",
                "Retssikkerhedsloven § 10: kommunen sørger for, at sagen er oplyst");
        }

        // The grant is 15 hours; the only lower figure is the standard's botilbud / own-home rule.
        var full = standard.Get<Minutes>(Parameters.HoursPerMonth, d.DecidedOn);
        var lawful = c.LawfulHours ?? full.Value;
        var partial = false;
        if (d.Outcome == "grant")
        {
            if (lawful.Value <= 0)
            {
                Block("NOTHING_TO_GRANT", "outcome",
                    "Botilbuddet eller hjemmet giver allerede 15 timer eller mere; der er ikke timer at bevilge. Afgørelsen skal være et afslag.",
                    "BEK 235/2012 § 5 stk. 2; SEL § 97 stk. 1");
            }
            else if (recommendation?.Reasons.FirstOrDefault(r => LawExcludes.Contains(r)) is { } excluded)
            {
                Block("GRANT_AGAINST_LAW", "outcome",
                    $"Loven udelukker en bevilling: {standard.National.Reasons[excluded].Text}", standard.National.Reasons[excluded].Source);
            }
            else if (d.Hours is { } h && h != lawful)
            {
                Block("HOURS_NOT_LAWFUL", "hoursPerMonth",
                    $"Bevillingen skal være på {Danish(lawful)} timer om måneden. Kommunen kan hverken bevilge flere eller færre timer end loven og standardens regel for botilbud giver.",
                    $"{full.Source}; {standard.Get<string>(Parameters.BotilbudRule, d.DecidedOn).Source}");
            }
            partial = lawful.Value > 0 && lawful < full.Value;
        }

        // Begrundelse (forvaltningsloven §§ 22 og 24): every refusal, partial refusal and end, and every grant
        // that goes against the engine's recommendation or follows an «assess».
        var needsJustification = d.Outcome is "refusal" or "end" || partial ||
                                 (d.Outcome == "grant" && recommendation is { Kind: not RecommendationKind.Grant });
        if (needsJustification && string.IsNullOrWhiteSpace(d.Justification))
        {
            var why = d.Outcome switch
            {
                "refusal" => "Et afslag skal begrundes.",
                "end" => "Ophør af bevillingen skal begrundes.",
                _ when partial => $"En bevilling på færre end {Danish(full.Value)} timer er et delvist afslag og skal begrundes.",
                _ => recommendation?.Kind == RecommendationKind.Deny
                    ? "Ledsags vurdering efter reglerne er afslag; en bevilling skal begrundes."
                    : "Ledsags vurdering efter reglerne er, at sagen skal vurderes nærmere; afgørelsen skal begrundes.",
            };
            Block("JUSTIFICATION_MISSING", "justification", why, "Forvaltningsloven §§ 22 og 24");
        }

        // Reasons come only from the law and the municipality's own standard in force that day.
        if (d.Outcome is "refusal" or "end" || partial || d.Reasons.Count > 0)
        {
            if (d.Reasons.Count == 0 && d.Outcome is "refusal" or "end")
            {
                Block("REASONS_MISSING", "reasons", "Angiv mindst én begrundelse fra loven eller kommunens kvalitetsstandard.", "Forvaltningsloven § 24 stk. 1");
            }
            for (var i = 0; i < d.Reasons.Count; i++)
            {
                if (ReasonOutsideStandard(standard, d.Reasons[i], d.DecidedOn) is { } why)
                {
                    Block("REASON_NOT_IN_STANDARD", $"reasons[{i}]", why, $"Forvaltningsloven § 24; {standard.Name}s kvalitetsstandard");
                }
                else if (ReasonAgainstTheFacts(c, d.Reasons[i], d.Outcome) is { } against)
                {
                    Block("REASON_AGAINST_ASSESSMENT", $"reasons[{i}]", against, "Forvaltningsloven § 24 stk. 1; retssikkerhedsloven § 10");
                }
            }
        }

        // Partshøring (forvaltningsloven § 19): a refusal, partial refusal or end that rests on information the
        // citizen has not given needs a sent draft, and waits for the answer or the end of the answer period.
        var adverse = d.Outcome is "refusal" or "end" || partial;
        var always = standard.Get<bool>(Parameters.ConsultationAlways, d.DecidedOn);
        var needsConsultation = (adverse && !d.InformationFromCitizenOnly) || always.Value;
        if (needsConsultation)
        {
            var source = always.Value ? always.Source : "Forvaltningsloven § 19 stk. 1";
            if (c.Consultation is not { } k)
            {
                Block("CONSULTATION_MISSING", null,
                    always.Value ? $"{standard.Name} sender altid et udkast til afgørelse i partshøring, før der træffes afgørelse."
                        : "Afgørelsen bygger på oplysninger, borgeren ikke selv har givet: send først et udkast i partshøring.", source);
            }
            else if (adverse && !partial && k.Outcome != (d.Outcome == "end" ? "end" : "refusal"))
            {
                Block("CONSULTATION_MISSING", null,
                    $"Udkastet i partshøringen foreslog {(k.Outcome == "grant" ? "en bevilling" : "noget andet")}; borgeren skal høres over {(d.Outcome == "end" ? "et ophør" : "et afslag")}, før det træffes.",
                    "Forvaltningsloven § 19 stk. 1");
            }
            else if (k.AnsweredOn is null && (k.AnswerDue is null || d.DecidedOn <= k.AnswerDue))
            {
                Block("CONSULTATION_RUNNING", "decidedOn",
                    k.AnswerDue is { } due
                        ? $"Svarfristen i partshøringen løber til og med {due:dd-MM-yyyy}. Vent på fristen eller registrér borgerens svar."
                        : "Registrér borgerens svar på partshøringen, før der træffes afgørelse.",
                    "Forvaltningsloven § 19 stk. 1");
            }
            else if (k.AnsweredOn is { } answered && d.DecidedOn < answered)
            {
                Block("CONSULTATION_RUNNING", "decidedOn", $"Afgørelsen kan ikke være truffet før borgerens svar på partshøringen ({answered:dd-MM-yyyy}).",
                    "Forvaltningsloven § 19 stk. 1");
            }
            else if (d.DecidedOn < k.SentOn)
            {
                Block("DECIDED_BEFORE_DRAFT", "decidedOn", "Afgørelsen kan ikke være truffet før udkastet blev sendt.", "Forvaltningsloven § 19 stk. 1");
            }
        }

        // Retssikkerhedsloven § 3 stk. 2: a decision after the published time needs a letter saying when to expect it.
        if (c.DecisionDue is { } decisionDue && d.DecidedOn > decisionDue)
        {
            Warn("DEADLINE_PASSED_NO_DELAY_LETTER", null,
                $"Sagsbehandlingsfristen udløb {decisionDue:dd-MM-yyyy}, og borgeren har ikke fået brev om, hvornår afgørelsen kommer.",
                "Retssikkerhedsloven § 3 stk. 2");
        }

        // A grant letter guides on saving hours and on the yearly subsidy (forvaltningsloven § 7).
        if (d.Outcome == "grant" && d.LetterBody is { } body)
        {
            if (!body.Contains(SavingsGuidanceHeading, StringComparison.Ordinal))
            {
                Block("SAVINGS_GUIDANCE_MISSING", null, "Bevillingsbrevet skal vejlede om opsparing af timer og om, at det kræver en aftale.",
                    "BEK 235/2012 § 6 stk. 1; forvaltningsloven § 7");
            }
            if (!body.Contains(SubsidyGuidanceHeading, StringComparison.Ordinal))
            {
                Block("SUBSIDY_GUIDANCE_MISSING", null, "Bevillingsbrevet skal vejlede om det årlige tilskud til udgifter og om, hvordan man søger.",
                    $"SEL § 97 stk. 7; {standard.Get<string>(Parameters.SubsidyBasis, d.DecidedOn).Source}");
            }
        }

        // SEL § 97 stk. 4: a companion with a very close relation is normally not employed; the relation must be known.
        foreach (var k in c.Companions.Where(k => !k.RelationDeclared))
        {
            Warn("COMPANION_RELATION_UNDECLARED", null, $"Ledsageren {k.Name} har ikke erklæret sin relation til borgeren.", "SEL § 97 stk. 4; BEK 235/2012 § 2 stk. 4");
        }

        // Gribskov offers an action plan (SEL § 141) with the application; the offer and the answer belong on the case.
        var offer = standard.Get<bool>(Parameters.ActionPlanOffer, d.DecidedOn);
        if (offer.Value && !c.ActionPlanOffered)
        {
            Warn("ACTION_PLAN_NOT_OFFERED", null, "Tilbuddet om en handleplan og borgerens svar er ikke registreret på sagen.", $"SEL § 141; {offer.Source}");
        }
        return defects;
    }

    /// <summary>
    /// A reason the assessment does not bear out: the botilbud / own-home reason only where nothing is left to grant, the
    /// age reasons only where the engine found them.
    /// </summary>
    private static string? ReasonAgainstTheFacts(CaseSnapshot c, string code, string outcome) => code switch
    {
        ReasonCodes.BotilbudCoversHours or ReasonCodes.OwnHomeCoversHours when c.LawfulHours is { Value: > 0 } && c.Recommendation?.Reasons.Contains(code) != true =>
            "Udredningen viser, at der er timer tilbage at bevilge efter fradraget; den begrundelse passer ikke på sagen.",
        // A refusal rests on the assessed facts: a reason the assessment did not find needs a new assessment first. (An end may
        // rest on facts found after the original assessment; its partshøring carries them.)
        _ when outcome == "refusal" && c.Recommendation is { } r && !r.Reasons.Contains(code) =>
            "Udredningen viser ikke det forhold, begrundelsen nævner. Registrér en ny udredning, hvis borgerens situation er en anden.",
        _ => null,
    };

    /// <summary>Reasons for which the law itself excludes a grant (SEL § 97 stk. 1, 2 and 8; BEK § 5 stk. 2): no begrundelse can grant against them.</summary>
    private static readonly string[] LawExcludes =
        [ReasonCodes.AgeUnder18, ReasonCodes.AgePension, ReasonCodes.HasBpa96, ReasonCodes.BotilbudCoversHours, ReasonCodes.OwnHomeCoversHours];

    /// <summary>Null when <paramref name="code"/> may be cited in a refusal under the standard on <paramref name="date"/>, else why not.</summary>
    public static string? ReasonOutsideStandard(MunicipalStandard standard, string? code, LocalDate date)
    {
        if (code is null || !standard.National.Reasons.ContainsKey(code))
        {
            return $"'{code}' er ikke en kendt begrundelse.";
        }
        if (code is ReasonCodes.AgeUnder18 or ReasonCodes.AgePension or ReasonCodes.BotilbudCoversHours)
        {
            return null;
        }
        if (code == ReasonCodes.OwnHomeCoversHours)
        {
            return standard.Get<bool>(Parameters.OwnHomeDeduct, date).Value ? null : $"{standard.Name}s kvalitetsstandard modregner ikke ledsagelse i eget hjem.";
        }
        if (!EligibilityCriteria.IsCriterion(code))
        {
            return $"'{code}' er ikke en begrundelse for afslag.";
        }
        return standard.Get<string>(Parameters.CriteriaPrefix + code, date).Value == Parameters.CriterionEffects.Off
            ? $"«{standard.National.Reasons[code].Text}» er ikke et kriterium i {standard.Name}s kvalitetsstandard."
            : null;
    }
}
