namespace Ledsag.Domain;

/// <summary>
/// Stable codes for every rejection and recommendation reason. The UI, letters, audit log, rule
/// cases and tests all speak of these; national.yaml gives each its Danish text and legal source.
/// </summary>
public static class ReasonCodes
{
#pragma warning disable CS1591 // each code's meaning and source live in standards/national.yaml.
    // Eligibility (SEL § 97, BEK 235/2012, Ankestyrelsen, the standards).
    public const string AgeUnder18 = "AGE_UNDER_18";
    public const string AgePension = "AGE_PENSION";
    public const string HasBpa96 = "HAS_BPA_96";
    public const string NoLastingReducedFunction = "NO_LASTING_REDUCED_FUNCTION";
    public const string CanMoveAlone = "CAN_MOVE_ALONE";
    public const string CannotExpressWish = "CANNOT_EXPRESS_WISH";
    public const string NotAwareOfActivity = "NOT_AWARE_OF_ACTIVITY";
    public const string NeedsSocialpedagogicalSupport = "NEEDS_SOCIALPEDAGOGICAL_SUPPORT";
    public const string PrimaryMentalIllnessOrSocial = "PRIMARY_MENTAL_ILLNESS_OR_SOCIAL";
    public const string HasContactPerson98 = "HAS_CONTACT_PERSON_98";
    public const string CannotParticipateWithoutHelp = "CANNOT_PARTICIPATE_WITHOUT_HELP";
    public const string NeedsBehaviourRegulation = "NEEDS_BEHAVIOUR_REGULATION";
    public const string NeedsHealthCare = "NEEDS_HEALTH_CARE";
    public const string FunctionalLevelLow = "FUNCTIONAL_LEVEL_LOW";
    public const string FunctionalLevelTotal = "FUNCTIONAL_LEVEL_TOTAL";
    public const string BotilbudCoversHours = "BOTILBUD_COVERS_HOURS";
    public const string OwnHomeCoversHours = "OWN_HOME_COVERS_HOURS";

    // The hours ledger (BEK 235/2012 § 6, the cases' format).
    public const string InvalidDuration = "INVALID_DURATION";
    public const string OutsideGrant = "OUTSIDE_GRANT";
    public const string ExceedsBalance = "EXCEEDS_BALANCE";
#pragma warning restore CS1591

    /// <summary>Every code the engine can give; national.yaml must describe exactly these.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        AgeUnder18, AgePension, HasBpa96, NoLastingReducedFunction, CanMoveAlone, CannotExpressWish,
        NotAwareOfActivity, NeedsSocialpedagogicalSupport, PrimaryMentalIllnessOrSocial, HasContactPerson98,
        CannotParticipateWithoutHelp, NeedsBehaviourRegulation, NeedsHealthCare, FunctionalLevelLow,
        FunctionalLevelTotal, BotilbudCoversHours, OwnHomeCoversHours, InvalidDuration, OutsideGrant, ExceedsBalance,
    ];
}
