using System.Text.Json;
using Microsoft.Playwright;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>
/// Post/redirect/get on the companion's and the citizen's pages: a saved form answers with a redirect, so a
/// browser refresh asks for the result page again instead of sending the form a second time. Lejre's companion
/// and citizen, whose data no other journey reads (the lapse warning of borger.lejre's hours is left alone:
/// the session goes to another citizen, and a subsidy claim does not touch the hours).
/// </summary>
[Collection("browser")]
public sealed class RefreshTests(BrowserFixture fixture) : BrowserPages(fixture)
{
    private const string DemoCitizen = "Dorthe Kjær"; // borger.lejre

    [Fact]
    public async Task Companion_RegistersASession_AndARefreshDoesNotRegisterItAgain()
    {
        var page = await SignIn("ledsager.lejre");
        await Arrive(page, "**/ledsager");
        var citizen = page.GetByLabel("Borger", new() { Exact = true });
        var options = (await citizen.Locator("option").AllAsync()).ToList();
        var labels = await Task.WhenAll(options.Select(o => o.InnerTextAsync()));
        var chosen = Array.FindIndex(labels, l => l != DemoCitizen);
        chosen.ShouldBeGreaterThanOrEqualTo(0, $"the demo companion accompanies only {DemoCitizen}, whose hours another journey reads");
        var grant = await options[chosen].GetAttributeAsync("value");
        await citizen.SelectOptionAsync(grant!);
        await page.GetByLabel("Dato").FillAsync("2026-06-13");
        await page.GetByLabel("Start (tt:mm)").FillAsync("08:00");
        await page.GetByLabel("Slut (tt:mm)").FillAsync("08:45");
        await page.GetByRole(AriaRole.Button, new() { Name = "Registrér" }).ClickAsync();
        (await page.Locator("p.success").InnerTextAsync()).ShouldStartWith("Ledsagelsen er registreret (0,75 timer). Borgeren har nu ");
        page.Url.ShouldContain("trin=registreret");
        await Accessible(page, "ledsager-registreret");

        await page.ReloadAsync();
        (await page.Locator("p.success").InnerTextAsync()).ShouldStartWith("Ledsagelsen er registreret (0,75 timer).");
        var sessions = (await Json(page, $"/api/grants/{grant}/sessions")).EnumerateArray()
            .Where(s => s.GetProperty("date").GetString() == "2026-06-13" && s.GetProperty("start").GetString() == "08:00").ToList();
        sessions.Count.ShouldBe(1);

        // «Ret» deletes the registration and puts its figures back in the form, also after the redirect; a refresh deletes nothing more.
        await page.GetByRole(AriaRole.Button, new() { Name = "Ret ledsagelsen 13. juni 2026" }).ClickAsync();
        (await page.Locator("p.success").InnerTextAsync()).ShouldBe("Registreringen fra 13. juni 2026 er slettet. Ret oplysningerne i formularen, og registrér den igen.");
        page.Url.ShouldContain("trin=rettet");
        (await page.GetByLabel("Dato").InputValueAsync(), await page.GetByLabel("Start (tt:mm)").InputValueAsync(), await page.GetByLabel("Slut (tt:mm)").InputValueAsync())
            .ShouldBe(("2026-06-13", "08:00", "08:45"));
        (await citizen.InputValueAsync()).ShouldBe(grant);
        await page.ReloadAsync();
        (await page.GetByLabel("Start (tt:mm)").InputValueAsync()).ShouldBe("08:00");
        var id = sessions[0].GetProperty("id").GetString();
        (await Json(page, $"/api/grants/{grant}/sessions")).EnumerateArray().Count(s => s.GetProperty("reversalOf").GetString() == id).ShouldBe(1);
    }

    [Fact]
    public async Task Citizen_ClaimsTheSubsidy_AnErrorKeepsWhatWasTyped_AndARefreshDoesNotClaimAgain()
    {
        var page = await SignIn("borger.lejre");
        await Arrive(page, "**/mine-timer");
        await page.GotoAsync("/tilskud");
        await page.Locator("#expenses-0-date").FillAsync("2026-05-20");
        await page.Locator("#expenses-0-what").FillAsync("Togbilletter til ledsageren");
        await page.Locator("#expenses-0-amount").FillAsync("1.234");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send ansøgningen" }).ClickAsync();
        // An error is shown with the form as it was typed: no redirect, nothing saved.
        (await page.Locator(".error-summary").InnerTextAsync()).ShouldContain("Beløb for udgift 1");
        (await page.Locator("#expenses-0-what").InputValueAsync()).ShouldBe("Togbilletter til ledsageren");
        page.Url.ShouldNotContain("trin=");

        await page.Locator("#expenses-0-amount").FillAsync("234,50");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send ansøgningen" }).ClickAsync();
        (await page.Locator("p.success").InnerTextAsync()).ShouldBe("Tak. Vi har modtaget din ansøgning om tilskud for 2026 på 234,50 kr.");
        page.Url.ShouldContain("trin=sendt");
        await Accessible(page, "borger-tilskud-sendt");

        await page.ReloadAsync();
        (await page.Locator("p.success").InnerTextAsync()).ShouldBe("Tak. Vi har modtaget din ansøgning om tilskud for 2026 på 234,50 kr.");
        (await Json(page, "/api/subsidy-claims?year=2026")).GetArrayLength().ShouldBe(1);
    }

    private static async Task<JsonElement> Json(IPage page, string url)
    {
        var response = await page.APIRequest.GetAsync(url);
        response.Status.ShouldBe(200, await response.TextAsync());
        return (await response.JsonAsync())!.Value;
    }
}
