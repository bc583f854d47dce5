namespace Ledsag.Domain.Eligibility;

/// <summary>
/// The facts of an assessment. Every fact defaults to the value that does not block, so an
/// assessment records what it found and nothing more.
/// </summary>
public sealed record EligibilityFacts
{
    /// <summary>Betydelig og varigt nedsat fysisk/psykisk funktionsevne (§ 97 stk. 1).</summary>
    public bool SignificantLastingReducedFunction { get; init; } = true;
    /// <summary>Kan ikke færdes alene uden for hjemmet (§ 97 stk. 1).</summary>
    public bool CannotMoveAlone { get; init; } = true;
    /// <summary>Kan give udtryk for ønske, ikke nødvendigvis verbalt (C-25-00, 74-10).</summary>
    public bool CanExpressWish { get; init; } = true;
    /// <summary>Er bevidst om aktivitetens indhold (C-25-00).</summary>
    public bool AwareOfActivity { get; init; } = true;
    /// <summary>Kan deltage i selve aktiviteten uden hjælp (Haderslev, Brønderslev).</summary>
    public bool CanParticipateWithoutHelp { get; init; } = true;
    /// <summary>Har brug for socialpædagogisk støtte under ledsagelsen (BEK § 4).</summary>
    public bool NeedsSocialpedagogicalSupport { get; init; }
    /// <summary>Sindslidelse som primær lidelse eller særlige sociale problemer.</summary>
    public bool PrimaryMentalIllnessOrSocial { get; init; }
    /// <summary>Behov for adfærdsregulering eller guidning (Haderslev).</summary>
    public bool NeedsBehaviourRegulation { get; init; }
    /// <summary>Behov for sundhedsfaglig observation/handling ud over elementære håndsrækninger (Haderslev).</summary>
    public bool NeedsHealthCare { get; init; }
    /// <summary>Borgerstyret personlig assistance efter § 96 (§ 97 stk. 8).</summary>
    public bool HasBpa96 { get; init; }
    /// <summary>Kontaktperson for døvblinde efter § 98.</summary>
    public bool HasContactPerson98 { get; init; }
    /// <summary>Holds a § 97 grant made before the age limit (§ 97 stk. 2).</summary>
    public bool GrantedBeforePensionAge { get; init; }
    /// <summary>Bor i botilbud.</summary>
    public bool LivesInBotilbud { get; init; }
    /// <summary>Ledsagelse already inside the botilbud, per month.</summary>
    public Minutes BotilbudCompanionPerMonth { get; init; }
    /// <summary>
    /// Ledsagelse equal to § 97 companionship already given in the citizen's own home, per month; deducted only
    /// where the standard says so (<c>own_home.deduct</c>, Brønderslev).
    /// </summary>
    public Minutes OwnHomeCompanionPerMonth { get; init; }
    /// <summary>VUM functional level 0–4 (helhedsvurdering), where assessed.</summary>
    public int? FunctionalLevel { get; init; }
}
