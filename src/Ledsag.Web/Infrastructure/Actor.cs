using System.Security.Claims;
using Ledsag.Web.Data;

namespace Ledsag.Web.Infrastructure;

/// <summary>The signed-in user as every handler sees them: who, in which municipality, in which role.</summary>
public sealed record Actor(Guid UserId, string MunicipalityId, Role Role, Guid? CitizenId, Guid? CompanionId)
{
    public const string MunicipalityClaim = "ledsag:municipality";
    public const string CitizenClaim = "ledsag:citizen";
    public const string CompanionClaim = "ledsag:companion";
    public const string StampClaim = "ledsag:stamp";

    public bool IsStaff => Role is Role.Administrator or Role.Caseworker or Role.Coordinator or Role.Finance;

    public static Actor? From(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true ||
            !Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ||
            user.FindFirstValue(MunicipalityClaim) is not { } municipality ||
            !Enum.TryParse<Role>(user.FindFirstValue(ClaimTypes.Role), out var role))
        {
            return null;
        }
        return new Actor(id, municipality, role,
            Guid.TryParse(user.FindFirstValue(CitizenClaim), out var c) ? c : null,
            Guid.TryParse(user.FindFirstValue(CompanionClaim), out var k) ? k : null);
    }

    public static ClaimsIdentity Identity(User user, string scheme)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.Id.ToString()),
            new(ClaimTypes.Name, user.DisplayName),
            new(ClaimTypes.Role, user.Role.ToString()),
            new(MunicipalityClaim, user.MunicipalityId),
            new(StampClaim, user.SecurityStamp),
        };
        if (user.CitizenId is { } c)
        {
            claims.Add(new Claim(CitizenClaim, c.ToString()));
        }
        if (user.CompanionId is { } k)
        {
            claims.Add(new Claim(CompanionClaim, k.ToString()));
        }
        return new ClaimsIdentity(claims, scheme);
    }
}
