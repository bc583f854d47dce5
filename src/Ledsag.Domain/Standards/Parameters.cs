namespace Ledsag.Domain.Standards;

/// <summary>The type of a standard parameter's value, which decides how the YAML is read.</summary>
public enum ParameterType
{
    /// <summary><c>true</c> / <c>false</c>.</summary>
    Bool,
    /// <summary>A whole number.</summary>
    Int,
    /// <summary>Hours (whole minutes).</summary>
    Hours,
    /// <summary>Hours or null.</summary>
    HoursOrNull,
    /// <summary>A period ("8 uger") or null where the standard publishes none.</summary>
    PeriodOrNull,
    /// <summary>A period that must be given.</summary>
    Period,
    /// <summary>One of a fixed set of words.</summary>
    Enum,
    /// <summary>The application routing: a list of intake units with conditions.</summary>
    Routes,
    /// <summary>A unit with its postal address, phone and e-mail, as the standard prints it.</summary>
    Contact,
    /// <summary>A contact or null where the standard names none.</summary>
    ContactOrNull,
    /// <summary>A sentence or paragraph of the standard, or null.</summary>
    TextOrNull,
    /// <summary>A list of the standard's sentences (may be empty).</summary>
    TextList,
}

/// <summary>Where a parameter may be set.</summary>
public enum ParameterScope
{
    /// <summary>Only in national.yaml (the law): a municipality cannot change it.</summary>
    National,
    /// <summary>A national default that a municipality may override.</summary>
    Overridable,
    /// <summary>Every municipality must state it (no national default).</summary>
    Municipal,
}

/// <summary>A parameter's definition: its key, type, scope and, for enums, the allowed words.</summary>
public sealed record ParameterDefinition(string Key, ParameterType Type, ParameterScope Scope, string Meaning, params string[] Allowed);

/// <summary>
/// The parameters a standard file may hold. Keys are stable: rule code, trace and standard files
/// all name them. Families (<c>criteria.*</c>, <c>excluded_activities.*</c>) take their members from
/// national.yaml's reason and activity lists.
/// </summary>
public static class Parameters
{
#pragma warning disable CS1591 // the keys are self-describing; their meaning is in Definitions.
    public const string HoursPerMonth = "hours_per_month";
    public const string SavingsValidityMonths = "savings.validity_months";
    public const string SavingsMaxAvailable = "savings.max_available_hours";
    public const string SavingsRequiresAgreement = "savings.requires_agreement";
    public const string SavingsDrawingOrder = "savings.drawing_order";
    public const string BotilbudRule = "botilbud.rule";
    public const string BotilbudFixedHours = "botilbud.fixed_hours";
    public const string OwnHomeDeduct = "own_home.deduct";
    public const string CashGrantOffered = "cash_grant.offered";
    public const string ProcessingTime = "processing_time";
    public const string ConsultationPeriod = "consultation_period";
    public const string ConsultationAlways = "consultation.always";
    public const string ConsultationDefaultPeriod = "consultation.default_period";
    public const string SessionPlausibleMax = "sessions.plausible_max_hours";
    public const string SavingsAgreementTerms = "savings.agreement_terms";
    public const string StartPeriod = "start_period";
    public const string FollowUpFirst = "follow_up.first";
    public const string FollowUpInterval = "follow_up.interval";
    public const string ComplaintPeriod = "complaint.period";
    public const string ReassessmentPeriod = "complaint.reassessment_period";
    public const string ForwardPeriod = "complaint.forward_period";
    public const string MaintainPeriod = "complaint.maintain_period";
    public const string NewDecisionPeriod = "complaint.new_decision_period";
    public const string ForwardAfterMaintained = "complaint.forward_after_maintained";
    public const string IntakeRoutes = "intake.routes";
    public const string CompanionCriminalRecord = "companion.criminal_record_required";
    public const string CompanionCloseRelationsBlocked = "companion.close_relations_blocked";
    public const string CompanionOneCitizenAtATime = "companion.one_citizen_at_a_time";
    public const string CompanionEmployer = "companion.employer";
    public const string SubsidyBasis = "subsidy.basis";
    public const string MileagePractice = "mileage.state_low_rate";
    public const string LapseReminderDays = "lapse_reminder_days";
    public const string LetterSender = "letters.sender";
    public const string ComplaintTo = "complaint.to";
    public const string CitizenAdvisor = "complaint.citizen_advisor";
    public const string GrantPurpose = "grant.purpose";
    public const string DutyToReport = "grant.duty_to_report";
    public const string SubsidyGuidance = "subsidy.guidance";
    public const string CompanionMustNot = "companion.must_not";
    public const string CloseRelationsIncludeOthers = "companion.close_relations_include_others";
    public const string ActionPlanOffer = "intake.action_plan_offer";
    public const string CriteriaPrefix = "criteria.";
    public const string ExcludedActivityPrefix = "excluded_activities.";
#pragma warning restore CS1591

    /// <summary>The drawing orders: oldest saved hours first, or the current month's first (Lejre).</summary>
    public static class DrawingOrders
    {
        /// <summary>The allotment closest to lapsing first.</summary>
        public const string OldestFirst = "oldest_first";
        /// <summary>The current month's allotment first, then the oldest saved.</summary>
        public const string CurrentFirst = "current_first";
    }

    /// <summary>How a criterion acts in a municipality.</summary>
    public static class CriterionEffects
    {
        /// <summary>Blocks: recommendation deny.</summary>
        public const string Block = "block";
        /// <summary>Flags for a closer look: recommendation assess.</summary>
        public const string Flag = "flag";
        /// <summary>Not a criterion in this municipality.</summary>
        public const string Off = "off";
    }

    /// <summary>Every fixed parameter (families excluded).</summary>
    public static readonly IReadOnlyList<ParameterDefinition> Definitions =
    [
        new(HoursPerMonth, ParameterType.Hours, ParameterScope.National, "timer ledsagelse om måneden"),
        new(SavingsValidityMonths, ParameterType.Int, ParameterScope.National, "måneder opsparede timer kan bruges i (inkl. egen måned)"),
        new(SavingsMaxAvailable, ParameterType.Hours, ParameterScope.National, "højst så mange timer til rådighed i én måned"),
        new(SavingsRequiresAgreement, ParameterType.Bool, ParameterScope.Overridable, "opsparing kræver aftale med kommunen"),
        new(SavingsDrawingOrder, ParameterType.Enum, ParameterScope.Overridable, "rækkefølge timer bruges i", DrawingOrders.OldestFirst, DrawingOrders.CurrentFirst),
        new(BotilbudRule, ParameterType.Enum, ParameterScope.Overridable, "timer for beboere i botilbud med ledsagelse i tilbuddet", "deduct", "fixed"),
        new(BotilbudFixedHours, ParameterType.HoursOrNull, ParameterScope.Overridable, "faste timer til beboere i botilbud (når reglen er fixed)"),
        new(OwnHomeDeduct, ParameterType.Bool, ParameterScope.Overridable, "ledsagelse i eget hjem modregnes i de 15 timer"),
        new(CashGrantOffered, ParameterType.Bool, ParameterScope.Overridable, "kontant tilskud efter § 97 stk. 5 tilbydes"),
        new(ProcessingTime, ParameterType.PeriodOrNull, ParameterScope.Municipal, "offentliggjort sagsbehandlingsfrist"),
        new(ConsultationPeriod, ParameterType.PeriodOrNull, ParameterScope.Municipal, "svarfrist ved partshøring"),
        new(ConsultationAlways, ParameterType.Bool, ParameterScope.Overridable, "et udkast sendes altid i partshøring før afgørelsen"),
        new(ConsultationDefaultPeriod, ParameterType.Period, ParameterScope.Overridable, "svarfrist ved partshøring, når standarden ikke fastsætter en"),
        new(SessionPlausibleMax, ParameterType.Hours, ParameterScope.Overridable, "længste ledsagelse, der registreres uden at blive bekræftet en ekstra gang"),
        new(SavingsAgreementTerms, ParameterType.Enum, ParameterScope.Overridable, "hvad en aftale om opsparing skal indeholde", "purpose", "purpose_companion_expenses"),
        new(StartPeriod, ParameterType.PeriodOrNull, ParameterScope.Municipal, "frist for iværksættelse efter bevilling"),
        new(FollowUpFirst, ParameterType.PeriodOrNull, ParameterScope.Municipal, "første opfølgning efter bevilling"),
        new(FollowUpInterval, ParameterType.PeriodOrNull, ParameterScope.Municipal, "opfølgning derefter"),
        new(ComplaintPeriod, ParameterType.Period, ParameterScope.National, "klagefrist fra modtagelse af afgørelsen"),
        new(ReassessmentPeriod, ParameterType.Period, ParameterScope.National, "frist for genvurdering fra modtagelse af klagen"),
        new(ForwardPeriod, ParameterType.Period, ParameterScope.National, "frist for videresendelse til Ankestyrelsen fra modtagelse af klagen"),
        new(MaintainPeriod, ParameterType.PeriodOrNull, ParameterScope.Overridable, "frist for at meddele om klagen fastholdes efter delvist medhold (kun hvor standarden har det trin)"),
        new(NewDecisionPeriod, ParameterType.Period, ParameterScope.Overridable, "frist for ny afgørelse efter fuldt medhold i klagen"),
        new(ForwardAfterMaintained, ParameterType.PeriodOrNull, ParameterScope.Municipal, "frist for videresendelse efter at klagen er fastholdt"),
        new(IntakeRoutes, ParameterType.Routes, ParameterScope.Municipal, "hvor ansøgningen sendes hen"),
        new(CompanionCriminalRecord, ParameterType.Bool, ParameterScope.Overridable, "ansættelse kræver straffeattest"),
        new(CompanionCloseRelationsBlocked, ParameterType.Bool, ParameterScope.Overridable, "nærtstående kan som udgangspunkt ikke ansættes"),
        new(CompanionOneCitizenAtATime, ParameterType.Bool, ParameterScope.Overridable, "ledsageren ledsager én borger ad gangen"),
        new(CompanionEmployer, ParameterType.Enum, ParameterScope.Overridable, "hvem ansætter ledsageren", "municipality", "provider", "municipality_or_provider"),
        new(SubsidyBasis, ParameterType.Enum, ParameterScope.Overridable, "grundlag for det årlige tilskud (§ 97 stk. 7)", "probable_expenses", "documented_expenses", "fixed_amount"),
        new(MileagePractice, ParameterType.Enum, ParameterScope.Overridable, "afregning af ledsagerens kørsel efter statens lave takst", "not_stated", "recommended", "required"),
        new(LapseReminderDays, ParameterType.Int, ParameterScope.Overridable, "dage før bortfald borgeren påmindes"),
        new(LetterSender, ParameterType.Contact, ParameterScope.Municipal, "den enhed, der skriver brevene (navn, adresse, telefon, e-mail)"),
        new(ComplaintTo, ParameterType.ContactOrNull, ParameterScope.Municipal, "hvor borgeren klager over en afgørelse"),
        new(CitizenAdvisor, ParameterType.ContactOrNull, ParameterScope.Overridable, "kommunens borgerrådgiver, hvor standarden nævner en"),
        new(GrantPurpose, ParameterType.TextOrNull, ParameterScope.Overridable, "formål og mål med ledsageordningen, som bevillingen nævner"),
        new(DutyToReport, ParameterType.TextOrNull, ParameterScope.Overridable, "borgerens pligt til at oplyse om ændringer, som bevillingen nævner"),
        new(SubsidyGuidance, ParameterType.TextOrNull, ParameterScope.Overridable, "hvad standarden siger om det årlige tilskud og hvordan man søger"),
        new(CloseRelationsIncludeOthers, ParameterType.Bool, ParameterScope.Overridable, "også anden familie og andre med nær tilknytning regnes som nærtstående"),
        new(CompanionMustNot, ParameterType.TextList, ParameterScope.Overridable, "hvad ledsageren ikke må under ledsagelsen"),
        new(ActionPlanOffer, ParameterType.Bool, ParameterScope.Overridable, "borgeren tilbydes en handleplan (SEL § 141) ved ansøgningen"),
    ];

    private static readonly Dictionary<string, ParameterDefinition> ByKey =
        Definitions.ToDictionary(d => d.Key, StringComparer.Ordinal);

    /// <summary>The definition of a key, including family members, or null when the key is unknown.</summary>
    public static ParameterDefinition? Find(string key, IReadOnlySet<string> activities)
    {
        if (ByKey.TryGetValue(key, out var def))
        {
            return def;
        }
        if (key.StartsWith(CriteriaPrefix, StringComparison.Ordinal) && Eligibility.EligibilityCriteria.IsCriterion(key[CriteriaPrefix.Length..]))
        {
            return new(key, ParameterType.Enum, ParameterScope.Overridable, "målgruppekriterium", CriterionEffects.Block, CriterionEffects.Flag, CriterionEffects.Off);
        }
        if (key.StartsWith(ExcludedActivityPrefix, StringComparison.Ordinal) && activities.Contains(key[ExcludedActivityPrefix.Length..]))
        {
            return new(key, ParameterType.Bool, ParameterScope.Overridable, "aktiviteten er udelukket");
        }
        return null;
    }
}
