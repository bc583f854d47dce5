using Ledsag.Domain.Standards;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Ledsag.Web.Features;

/// <summary>
/// The standard's rules on who may accompany whom and who employs them: the close-relation declaration per
/// companion and citizen (SEL § 97 stk. 4), approval before assignment, and the employer rule (Gribskov employs
/// its own companions; Lejre's default is its partner provider; Ballerup allows a provider or the cash grant).
/// </summary>
public static class CompanionRules
{
    /// <summary>The relations a declaration names, with the words the pages show.</summary>
    public static readonly IReadOnlyDictionary<string, string> Relations = new Dictionary<string, string>
    {
        ["none"] = "Ingen nær tilknytning",
        ["spouse"] = "Ægtefælle",
        ["partner"] = "Samlever eller kæreste",
        ["parent"] = "Forælder",
        ["child"] = "Barn",
        ["sibling"] = "Søskende",
        ["other_family"] = "Anden familie",
        ["other_close"] = "Anden nær tilknytning (fx nær ven)",
    };

    /// <summary>The relation words the API takes (each maps to itself).</summary>
    public static readonly IReadOnlyDictionary<string, string> RelationKeys = Relations.Keys.ToDictionary(k => k);

    /// <summary>What SEL § 97 stk. 4 means by "meget nær tilknytning" everywhere.</summary>
    private static readonly string[] Closest = ["spouse", "partner", "parent", "child", "sibling"];

    /// <summary>Who employs a companion, with the words the pages show.</summary>
    public static readonly IReadOnlyDictionary<string, string> Employers = new Dictionary<string, string>
    {
        ["municipality"] = "Kommunen",
        ["provider"] = "Leverandør",
        ["cash_grant"] = "Borgeren selv (kontant tilskud)",
    };

    /// <summary>The employer words the API takes (each maps to itself).</summary>
    public static readonly IReadOnlyDictionary<string, string> EmployerKeys = Employers.Keys.ToDictionary(k => k);

    /// <summary>True when the relation counts as close in the municipality on the day (Ballerup and Lejre also count other family and other close ties).</summary>
    public static bool IsClose(MunicipalStandard standard, string relation, LocalDate on) =>
        Closest.Contains(relation)
        || (relation is "other_family" or "other_close" && standard.Get<bool>(Parameters.CloseRelationsIncludeOthers, on).Value);

    /// <summary>
    /// What approval requires, added to <paramref name="v"/>: a criminal record without remarks where the standard
    /// requires one, the nominating citizen's relation declaration, and an employer the standard allows. Approval
    /// checks it; so does the demo data's test for every approved or employed companion.
    /// </summary>
    public static async Task RequireApprovableAsync(Validation v, LedsagDb db, MunicipalStandard standard, Companion k, LocalDate on, CancellationToken ct)
    {
        var record = standard.Get<bool>(Parameters.CompanionCriminalRecord, on);
        if (record.Value && k.CriminalRecordClean != true)
        {
            v.Add("criminalRecord", $"Kræver en straffeattest uden anmærkninger før godkendelse ({record.Source}).");
        }
        if (k.NominatedByCitizenId is { } nominator)
        {
            // Nominated by a citizen: the declaration for that citizen comes before approval.
            var declaration = await db.RelationDeclarations.AsNoTracking().FirstOrDefaultAsync(r => r.CompanionId == k.Id && r.CitizenId == nominator, ct);
            RequireDeclared(v, standard, declaration, k.Name, on);
        }
        await RequireEmployerAsync(v, db, standard, k.MunicipalityId, k.Employer, k.ProviderId, null, on, ct, employing: false);
    }

    /// <summary>
    /// Refuses (400, naming the field) a companion who may not accompany the citizen: not approved, no relation
    /// declaration for this citizen, or a close relation without a caseworker's reasoned exception.
    /// </summary>
    public static async Task RequireAssignableAsync(LedsagDb db, MunicipalStandard standard, Companion k, Guid citizenId, LocalDate on, CancellationToken ct)
    {
        var v = new Validation();
        if (k.Status is not (CompanionStatus.Approved or CompanionStatus.Employed))
        {
            v.Add("companionId", $"{k.Name} er ikke godkendt som ledsager. En ledsager skal godkendes, før ledsageren kan tilknyttes en borger.");
        }
        var record = standard.Get<bool>(Parameters.CompanionCriminalRecord, on);
        if (record.Value && k.CriminalRecordClean != true)
        {
            // A record with remarks registered after approval stops new assignments too.
            v.Add("criminalRecord", $"{k.Name} har ikke en straffeattest uden anmærkninger, som {standard.Name} kræver ({record.Source}).");
        }
        var declaration = await db.RelationDeclarations.AsNoTracking().FirstOrDefaultAsync(r => r.CompanionId == k.Id && r.CitizenId == citizenId, ct);
        RequireDeclared(v, standard, declaration, k.Name, on);
        v.ThrowIfInvalid();
    }

    /// <summary>The declaration's part of the rule: it exists, and a close relation carries an exception.</summary>
    public static void RequireDeclared(Validation v, MunicipalStandard standard, RelationDeclaration? declaration, string companionName, LocalDate on)
    {
        var blocked = standard.Get<bool>(Parameters.CompanionCloseRelationsBlocked, on);
        if (declaration is null)
        {
            v.Add("relationDeclaration", $"Der mangler en erklæring om, hvorvidt {companionName} er nærtstående til borgeren ({blocked.Source}).");
        }
        else if (blocked.Value && IsClose(standard, declaration.Relation, on) && declaration.ExceptionReason is null)
        {
            var others = standard.Get<bool>(Parameters.CloseRelationsIncludeOthers, on);
            v.Add("relation", $"{companionName} er {Relations[declaration.Relation].ToLowerInvariant()} til borgeren. En nærtstående kan som udgangspunkt ikke ansættes; " +
                $"en sagsbehandler skal registrere en begrundet undtagelse ({(Closest.Contains(declaration.Relation) ? blocked.Source : others.Source)}).");
        }
    }

    /// <summary>
    /// The standard's employer rule: <c>municipality</c> — the municipality employs (a provider is refused);
    /// <c>provider</c> — a provider employs, the municipality only with a reason; <c>municipality_or_provider</c> —
    /// either. A provider must be one of the municipality's registered providers; the cash grant only where offered.
    /// </summary>
    public static async Task RequireEmployerAsync(Validation v, LedsagDb db, MunicipalStandard standard, string municipalityId, string employer,
        Guid? providerId, string? exceptionReason, LocalDate on, CancellationToken ct, bool employing = true)
    {
        var rule = standard.Get<string>(Parameters.CompanionEmployer, on);
        switch (employer)
        {
            case "cash_grant":
                var cash = standard.Get<bool>(Parameters.CashGrantOffered, on);
                if (!cash.Value)
                {
                    v.Add("employer", $"{standard.Name} tilbyder ikke kontant tilskud efter serviceloven § 97 stk. 5 ({cash.Source}).");
                }
                break;
            case "provider" when rule.Value == "municipality":
                v.Add("employer", $"{standard.Name} ansætter selv sine ledsagere og bruger ikke leverandører ({rule.Source}).");
                break;
            case "provider" when !employing:
                break;
            case "provider":
                if (providerId is null)
                {
                    v.Add("providerId", "Vælg den leverandør, der ansætter ledsageren.");
                }
                else if (!await db.Providers.AnyAsync(p => p.Id == providerId && p.MunicipalityId == municipalityId, ct))
                {
                    v.Add("providerId", "Leverandøren findes ikke i kommunen.");
                }
                break;
            case "municipality" when employing && rule.Value == "provider" && string.IsNullOrWhiteSpace(exceptionReason):
                v.Add("employer", $"{standard.Name} lader som udgangspunkt sin samarbejdspartner ansætte ledsagerne. " +
                    $"Skal kommunen selv ansætte, skriv hvorfor i feltet begrundelse ({rule.Source}).");
                break;
        }
    }

    /// <summary>The employer a new companion gets when none is named: the standard's default.</summary>
    public static string DefaultEmployer(MunicipalStandard standard, LocalDate on) =>
        standard.Get<string>(Parameters.CompanionEmployer, on).Value == "provider" ? "provider" : "municipality";
}
