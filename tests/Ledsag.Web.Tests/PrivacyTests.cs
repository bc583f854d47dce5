using System.Net;
using Ledsag.Web.Data;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>Personal data: never in logs or URLs, the citizen's own export, and the headers that protect the pages.</summary>
public sealed class PrivacyTests(SqliteFactory factory) : IClassFixture<SqliteFactory>
{
    [Fact]
    public async Task AFullJourney_NeverWritesACprNumberToTheLogs_EvenAtTraceLevel()
    {
        var client = await factory.SignedIn("lejre", Role.Caseworker);
        var citizen = (await client.Post("/api/citizens", new { cpr = "180575-4321", name = "Privat Person" }, HttpStatusCode.Created)).Id();
        var id = (await client.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-03-02", channel = "telefon" }, HttpStatusCode.Created)).Id();
        await client.Post($"/api/cases/{id}/assessment", new { assessedOn = "2026-03-10", facts = new { } });
        var grant = (await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-03-20", outcome = "grant", start = "2026-04-01" })).Id("grantId");
        await client.Post($"/api/grants/{grant}/sessions", new { date = "2026-04-10", hours = 2, activity = "cinema" }, HttpStatusCode.Created);
        await client.Get($"/api/citizens/{citizen}");
        await client.Get("/api/citizens");
        await client.Post("/api/citizens", new { cpr = "180575-4321", name = "Dublet" }, HttpStatusCode.BadRequest);
        await client.GetAsync($"/api/citizens/{citizen}/personal-data.pdf");

        factory.Logs.Lines.Count.ShouldBeGreaterThan(50); // the sink does see the host's logs, EF's SQL included
        factory.Logs.Lines.ShouldNotContain(l => l.Contains("1805754321") || l.Contains("180575-4321"));
    }

    [Fact]
    public async Task TheCitizensOwnData_CanBeExportedAsJsonAndPdf_ByThemOrTheirCaseworker_NotByOthers()
    {
        var caseworker = await factory.SignedIn("gribskov", Role.Caseworker);
        var citizen = (await caseworker.Post("/api/citizens", new { cpr = "090988-1234", name = "Indsigt Æblegård", address = "Søvej 2, 3200 Helsinge" }, HttpStatusCode.Created)).Id();
        var id = (await caseworker.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-03-02", channel = "telefon" }, HttpStatusCode.Created)).Id();
        await caseworker.Post($"/api/cases/{id}/assessment", new { assessedOn = "2026-03-10", facts = new { } });
        var me = await factory.SignedIn("gribskov", Role.Citizen, citizenId: citizen);
        var data = await me.Get($"/api/citizens/{citizen}/personal-data");
        data.GetProperty("citizen").Str("name").ShouldBe("Indsigt Æblegård");
        data.GetProperty("cases")[0].GetProperty("steps").GetArrayLength().ShouldBeGreaterThan(3);
        var pdf = await me.GetAsync($"/api/citizens/{citizen}/personal-data.pdf");
        pdf.Content.Headers.ContentType!.MediaType.ShouldBe("application/pdf");
        (await pdf.Content.ReadAsByteArrayAsync()).Take(5).ShouldBe("%PDF-"u8.ToArray());
        var other = await factory.SignedIn("gribskov", Role.Citizen, citizenId: Guid.NewGuid());
        await other.Get($"/api/citizens/{citizen}/personal-data", HttpStatusCode.NotFound);
        var companion = await factory.SignedIn("gribskov", Role.Companion);
        await companion.Get($"/api/citizens/{citizen}/personal-data", HttpStatusCode.Forbidden);
        var otherMunicipality = await factory.SignedIn("lejre", Role.Caseworker);
        await otherMunicipality.Get($"/api/citizens/{citizen}/personal-data", HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/login")]
    [InlineData("/health")]
    [InlineData("/api/me")]
    public async Task EveryAnswer_CarriesTheSecurityHeaders(string url)
    {
        var response = await factory.CreateClient().GetAsync(url);
        response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        response.Headers.GetValues("X-Frame-Options").ShouldBe(["DENY"]);
        response.Headers.GetValues("Content-Security-Policy").Single().ShouldContain("frame-ancestors 'none'");
        response.Headers.GetValues("Referrer-Policy").ShouldBe(["no-referrer"]);
    }
}
