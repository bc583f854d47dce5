using Ledsag.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>
/// Chromium signs in through the tests' own OpenID Connect provider, from the login page's buttons to the start
/// page: a caseworker with the municipal login, a citizen with MitID (NemLog-in's CPR claim), and a citizen whom
/// Ledsag does not know. Ledsag's pages on the way are checked with axe-core; the provider's form is not Ledsag's.
/// </summary>
[Collection("browser")]
public sealed class OidcBrowserTests(BrowserFixture fixture) : BrowserPages(fixture)
{
    /// <summary>From Ledsag's login page through <paramref name="link"/> to the provider's form, filled in and sent.</summary>
    private async Task<IPage> SignInAtProvider(string link, string subject, string? cpr = null, string? loa = null, string? role = null)
    {
        var page = await Anonymous();
        await page.GotoAsync("/login");
        await Accessible(page, "login-med-mitid-og-kommunens-login");
        await page.GetByRole(AriaRole.Link, new() { Name = link, Exact = true }).ClickAsync();
        await page.WaitForURLAsync($"{Fixture.Idp.Authority}connect/authorize**");
        await page.GetByLabel("Subject (sub)").FillAsync(subject);
        if (cpr is not null)
        {
            await page.GetByLabel("CPR-nummer (NemLog-in: cprNumber)").FillAsync(cpr);
        }
        if (loa is not null)
        {
            await page.GetByLabel("Sikringsniveau (NSIS)").SelectOptionAsync(loa);
        }
        if (role is not null)
        {
            await page.GetByLabel("Rolle-claim (role)").FillAsync(role);
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Log ind hos test-IdP" }).ClickAsync();
        return page;
    }

    [Fact]
    public async Task Caseworker_SignsInWithTheMunicipalLogin_AndLandsOnTheWorklist()
    {
        var subject = $"oid-{Guid.NewGuid()}";
        await Fixture.App.WithDb(async db =>
        {
            db.Users.Add(new User { MunicipalityId = "bronderslev", UserName = subject, DisplayName = "Kommune Login", Role = Role.Caseworker, ExternalSubject = subject });
            return await db.SaveChangesAsync();
        });
        // The provider also says «Administrator»: Ledsag ignores it and the caseworker lands on the worklist.
        var page = await SignInAtProvider("Log ind med kommunens login", subject, role: "Administrator");
        await Arrive(page, "**/sagsbehandler");
        await Accessible(page, "oidc-sagsbehandler-arbejdsliste");
        (await page.APIRequest.GetAsync("/api/me")).Status.ShouldBe(200);
        (await page.GotoAsync("/administrator"))!.Status.ShouldBe(403);
    }

    [Fact]
    public async Task Citizen_SignsInWithMitId_AndLandsOnTheirHours()
    {
        var cpr = await Fixture.App.WithDb(db => db.Users.Where(u => u.UserName == "borger.lejre")
            .Join(db.Citizens, u => u.CitizenId, c => c.Id, (_, c) => c.Cpr).SingleAsync());
        var page = await SignInAtProvider("Log ind med MitID", $"nl3-{Guid.NewGuid()}", cpr: cpr, loa: "Substantial");
        await Arrive(page, "**/mine-timer");
        await Accessible(page, "oidc-borger-mine-timer");
        (await page.GetByTestId("available").CountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task Citizen_UnknownToLedsag_IsToldSoInDanish_OnTheLoginPage()
    {
        var page = await SignInAtProvider("Log ind med MitID", $"nl3-{Guid.NewGuid()}", cpr: "0101501999", loa: "High");
        await Arrive(page, "**/login?fejl=ikke-oprettet");
        (await page.GetByRole(AriaRole.Alert).InnerTextAsync()).ShouldContain("Brugeren er ikke oprettet i Ledsag.");
        await Accessible(page, "oidc-afvist");
        (await page.APIRequest.GetAsync("/api/me")).Status.ShouldBe(401);
    }
}
