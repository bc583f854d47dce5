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
    /// A Ballerup citizen with one case from application to complaint (delay letter, grant, savings agreement, upheld
    /// complaint forwarded), a refused subsidy claim, a lapse reminder and a second case refused: every letter kind but
    /// the stays abroad. Returns the citizen and the grant.
    /// </summary>
    public static async Task<(Guid Citizen, Guid Grant)> EveryLetter(HttpClient client, HttpClient admin)
    {
        var citizen = (await client.Post("/api/citizens", new { cpr = "240580-1234", name = "Søren Ærø Ågård", address = "Kærvej 7, 2750 Ballerup" }, HttpStatusCode.Created)).Id();
        var id = (await client.Post("/api/cases", new { citizenId = citizen, receivedOn = "2025-12-01", channel = "brev" }, HttpStatusCode.Created)).Id();
        await client.Post($"/api/cases/{id}/delay-letter", new { sentOn = "2026-01-20", expectedBy = "2026-02-27", reason = "Vi afventer oplysninger fra din læge." });
        await client.Post($"/api/cases/{id}/assessment", new { assessedOn = "2026-01-25", facts = new { } });
        await client.Post($"/api/cases/{id}/draft", new { sentOn = "2026-02-02", outcome = "grant", summary = "Vi forventer at bevilge 15 timer om måneden." });
        var grant = (await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-02-20", outcome = "grant", start = "2026-03-01" })).Id("grantId");
        await client.Post($"/api/grants/{grant}/savings-agreements", new { from = "2026-03-01", to = "2026-12-31", agreedOn = "2026-02-20", agreedDocumentation = "Underskrevet aftale i sagen", purpose = "Ferie" }, HttpStatusCode.Created);
        await client.Post($"/api/cases/{id}/complaint", new { receivedOn = "2026-03-05", text = "Jeg ønsker flere timer." });
        await client.Post($"/api/cases/{id}/complaint/reassessment", new { decidedOn = "2026-03-20", outcome = "upheld", justification = "Loven giver 15 timer om måneden." });
        await client.Post($"/api/cases/{id}/complaint/forwarded", new { on = "2026-03-25" });
        var claim = (await client.Post("/api/subsidy-claims", new { citizenId = citizen, year = 2026, expenses = new[] { new { date = "2026-04-01", what = "Togrejse", amount = 400m } } }, HttpStatusCode.Created)).Id();
        await client.Post($"/api/subsidy-claims/{claim}/decide", new { approve = false, note = "Udgifterne er ikke sandsynliggjort." });
        await admin.Post("/api/admin/lapse-reminders", new { date = "2026-08-10" }); // March's saved hours lapse 31 August
        var refused = (await client.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-05-01", channel = "telefon" }, HttpStatusCode.Created)).Id();
        await client.Post($"/api/cases/{refused}/assessment", new { assessedOn = "2026-05-10", facts = new { hasBpa96 = true } });
        await client.Consult(refused, "2026-05-11", "refusal");
        await client.Post($"/api/cases/{refused}/decision", new { decidedOn = "2026-05-20", outcome = "refusal", reasons = new[] { "HAS_BPA_96" }, justification = "Du har borgerstyret personlig assistance." });
        return (citizen, grant);
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
