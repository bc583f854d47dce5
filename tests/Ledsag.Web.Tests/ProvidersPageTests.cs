using Microsoft.Playwright;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>
/// The coordinator's providers page (leverandører) in Haderslev, on a desk and on a phone, with axe-core on every page
/// state: the empty form's errors name the fields, a provider is added once and listed. No other journey reads
/// Haderslev's providers. The API only reads back what the page stored.
/// </summary>
[Collection("browser")]
public sealed class ProvidersPageTests(BrowserFixture fixture) : BrowserPages(fixture)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Coordinator_AddsAProvider_AfterTheEmptyFormsErrorsNameTheFields_AndSeesItListedOnce(bool phone)
    {
        var suffix = phone ? "-telefon" : "";
        var page = await SignIn("koordinator.haderslev", phone);
        await Arrive(page, "**/koordinator");
        await page.GetByRole(AriaRole.Link, new() { Name = "Leverandører", Exact = true }).ClickAsync();
        await Arrive(page, "**/koordinator/leverandoerer");
        (await page.Locator("h1").InnerTextAsync()).ShouldBe("Leverandører");
        // Haderslev employs its own companions: the page says so, with the standard as its source.
        (await page.GetByText("Haderslev Kommune ansætter selv sine ledsagere").CountAsync()).ShouldBe(1);
        await Accessible(page, $"koordinator-leverandoerer{suffix}");

        await page.GetByRole(AriaRole.Button, new() { Name = "Opret leverandøren" }).ClickAsync();
        var summary = page.Locator(".error-summary");
        await summary.WaitForAsync();
        var errors = await summary.InnerTextAsync();
        errors.ShouldContain("Udfyld leverandørens navn.");
        errors.ShouldContain("Udfyld virksomhedens CVR-nummer.");
        errors.ShouldNotContain("cvr", Case.Sensitive); // the page's words, not the API's field keys
        errors.ShouldNotContain("name", Case.Sensitive);
        (await summary.Locator("a[href='#name']").CountAsync()).ShouldBe(1);
        (await summary.Locator("a[href='#cvr']").CountAsync()).ShouldBe(1);
        (await page.GetByLabel("Leverandørens navn").GetAttributeAsync("aria-invalid")).ShouldBe("true");
        await Accessible(page, $"koordinator-leverandoerer-fejl{suffix}");

        var name = phone ? "Ledsagerhuset Telefon ApS" : "Ledsagerhuset Skrivebord ApS";
        var cvr = Api.NextCvr();
        await page.GetByLabel("Leverandørens navn").FillAsync(name);
        await page.GetByLabel("Virksomhedens CVR-nummer").FillAsync($"{cvr[..4]} {cvr[4..]}");
        await page.GetByLabel("Kontaktperson (valgfri)").FillAsync("Pia Personale");
        await page.GetByLabel("Telefon (valgfri)").FillAsync("74 34 00 00");
        await page.GetByLabel("E-mail (valgfri)").FillAsync("kontakt@ledsagerhuset.dk");
        await page.GetByRole(AriaRole.Button, new() { Name = "Opret leverandøren" }).ClickAsync();
        (await page.Locator("p.success").InnerTextAsync()).ShouldBe("Leverandøren er oprettet.");
        page.Url.ShouldEndWith("/koordinator/leverandoerer?trin=oprettet"); // post/redirect/get: a reload adds nothing
        var row = page.Locator("tr", new() { Has = page.Locator($"th:has-text('{name}')") });
        (await row.Locator("td[data-label=CVR-nummer]").InnerTextAsync()).ShouldBe(cvr);
        (await row.Locator("td[data-label=Kontaktperson]").InnerTextAsync()).ShouldBe("Pia Personale");
        (await row.Locator("td[data-label=E-mail]").InnerTextAsync()).ShouldBe("kontakt@ledsagerhuset.dk");
        if (phone)
        {
            // On a phone each provider is a card: the cells stack, and nothing scrolls sideways.
            (await row.Locator("td[data-label=Telefon]").EvaluateAsync<string>("e => getComputedStyle(e).display")).ShouldBe("block");
            (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth")).ShouldBeLessThanOrEqualTo(390);
        }
        await Accessible(page, $"koordinator-leverandoer-oprettet{suffix}");
        await page.ReloadAsync();

        // The same CVR number again is refused at the CVR field.
        await page.GetByLabel("Leverandørens navn").FillAsync("Samme CVR ApS");
        await page.GetByLabel("Virksomhedens CVR-nummer").FillAsync(cvr);
        await page.GetByRole(AriaRole.Button, new() { Name = "Opret leverandøren" }).ClickAsync();
        (await page.Locator("#cvr-error").InnerTextAsync()).ShouldContain("allerede registreret");
        (await page.Locator("p.success").CountAsync()).ShouldBe(0); // the address still says «created»; the page does not
        await Accessible(page, $"koordinator-leverandoer-findes{suffix}");

        var stored = await page.APIRequest.GetAsync("/api/providers");
        stored.Status.ShouldBe(200);
        var providers = (await stored.JsonAsync())!.Value.EnumerateArray().Where(p => p.GetProperty("cvr").GetString() == cvr).ToList();
        providers.Count.ShouldBe(1);
        providers[0].GetProperty("name").GetString().ShouldBe(name);
        providers[0].GetProperty("phone").GetString().ShouldBe("74 34 00 00");
    }

    [Fact]
    public async Task ACitizen_IsToldInDanishThatTheProvidersPageIsNotForThem()
    {
        var citizen = await SignIn("borger.haderslev");
        await Arrive(citizen, "**/mine-timer");
        await citizen.GotoAsync("/koordinator/leverandoerer");
        (await citizen.Locator("h1").InnerTextAsync()).ShouldBe("Du har ikke adgang til denne side");
        (await citizen.GetByRole(AriaRole.Link, new() { Name = "Gå til din forside" }).CountAsync()).ShouldBe(1);
        (await citizen.Locator("text=Opret leverandøren").CountAsync()).ShouldBe(0);
        await Accessible(citizen, "leverandoerer-ingen-adgang");
    }
}
