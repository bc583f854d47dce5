using System.Net;
using System.Text.Json;
using Ledsag.Web.Data;

namespace Ledsag.Web.Tests;

/// <summary>What several suites need before their test starts: a citizen with a grant in force, an employed companion.</summary>
internal static class Arrange
{
    private static int _serial;

    /// <summary>A CPR number not used before in this test run (unique within a municipality is what the database asks).</summary>
    private static string NextCpr()
    {
        var n = Interlocked.Increment(ref _serial);
        return $"0303{60 + (n % 40):00}-{1000 + (n * 13 % 2999)}";
    }

    /// <summary>
    /// A new citizen with a grant from <paramref name="start"/>, decided the way a caseworker does it: case, assessment,
    /// partshøring waived, decision. Returns the caseworker's client, the citizen and the grant.
    /// </summary>
    public static async Task<(HttpClient Caseworker, Guid Citizen, Guid Grant)> Granted(this LedsagFactory factory, string municipality,
        string start = "2026-01-01", object? citizen = null)
    {
        var client = await factory.SignedIn(municipality, Role.Caseworker);
        var body = JsonSerializer.SerializeToElement(citizen ?? new { });
        var fields = body.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);
        fields["cpr"] = NextCpr();
        fields["name"] = "Borger";
        var citizenId = (await client.Post("/api/citizens", fields, HttpStatusCode.Created)).Id();
        var first = NodaTime.Text.LocalDatePattern.Iso.Parse(start).Value;
        var id = (await client.Post("/api/cases", new { citizenId, receivedOn = first.PlusDays(-40).ToString("yyyy-MM-dd", null), channel = "telefon" }, HttpStatusCode.Created)).Id();
        await client.Post($"/api/cases/{id}/assessment", new { assessedOn = first.PlusDays(-30).ToString("yyyy-MM-dd", null), facts = new { } });
        await client.Consult(id, first.PlusDays(-20).ToString("yyyy-MM-dd", null));
        var grant = (await client.Post($"/api/cases/{id}/decision", new { decidedOn = first.PlusDays(-7).ToString("yyyy-MM-dd", null), outcome = "grant", start })).Id("grantId");
        return (client, citizenId, grant);
    }

    /// <summary>A companion created, approved and employed by a new coordinator of <paramref name="municipality"/>.</summary>
    public static async Task<(HttpClient Coordinator, Guid Companion)> EmployedCompanion(this LedsagFactory factory, string municipality, object? fields = null)
    {
        var coordinator = await factory.SignedIn(municipality, Role.Coordinator);
        var body = JsonSerializer.SerializeToElement(fields ?? new { name = "Lise Ledsager", area = "Centrum" });
        var id = (await coordinator.Post("/api/companions", body, HttpStatusCode.Created)).Id();
        await coordinator.Post($"/api/companions/{id}/criminal-record", new { date = "2026-05-01", clean = true });
        await coordinator.Post($"/api/companions/{id}/approve", new { });
        // Lejre's companions are employed by its partner provider (a registered provider with a CVR number).
        var provider = municipality == "lejre"
            ? (await coordinator.Post("/api/providers", new { name = "Ledsagerservice ApS", cvr = Api.NextCvr() }, HttpStatusCode.Created)).Id()
            : (Guid?)null;
        await coordinator.Post($"/api/companions/{id}/employ", new { providerId = provider });
        return (coordinator, id);
    }
}
