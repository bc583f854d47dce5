using Microsoft.Playwright;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>
/// Tasks that lived only in the API, done through the pages as each role would, on a desk and on a phone,
/// with axe-core on every page state. Ballerup's demo users only, so the other journeys' data stays as they expect.
/// </summary>
[Collection("browser")]
public sealed class RolePagesTests(BrowserFixture fixture) : BrowserPages(fixture)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Caseworker_CreatesACaseInThePage_ErrorsNameTheField_AndFindsItInTheWorklist(bool phone)
    {
        var page = await SignIn("sagsbehandler.ballerup", phone);
        await Arrive(page, "**/sagsbehandler");
        await Accessible(page, $"sagsbehandler-arbejdsliste{(phone ? "-telefon" : "")}");
        await page.GotoAsync("/sager/ny");
        await page.GetByLabel("CPR-nummer").FillAsync("12345");
        await page.GetByRole(AriaRole.Button, new() { Name = "Opret sagen" }).ClickAsync();
        var summary = page.Locator(".error-summary");
        await summary.WaitForAsync();
        (await summary.InnerTextAsync()).ShouldContain("CPR-nummer");
        (await summary.Locator("a[href='#cpr']").CountAsync()).ShouldBe(1); // the summary links to the field
        await Accessible(page, $"sagsbehandler-ny-sag-fejl{(phone ? "-telefon" : "")}");

        var name = phone ? "Tove Telefon" : "Bent Skrivebord";
        await page.GetByLabel("CPR-nummer").FillAsync(phone ? "0203551238" : "0304561237");
        await page.GetByLabel("Fulde navn").FillAsync(name);
        await page.GetByLabel("Adresse").FillAsync("Kærvej 7, 2750 Ballerup");
        await page.GetByLabel("Telefon", new() { Exact = false }).First.FillAsync("40 11 22 33");
        await page.GetByLabel("Brev", new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Opret sagen" }).ClickAsync();
        await Arrive(page, "**/sager/**");
        (await page.Locator("h1").InnerTextAsync()).ShouldContain(name);
        await Accessible(page, $"sagsbehandler-ny-sag-oprettet{(phone ? "-telefon" : "")}");

        await page.GetByLabel("Notat fra samtalen").FillAsync("Samtale i hjemmet om ønsker til aktiviteter.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Gem samtalen" }).ClickAsync();
        await page.Locator("p.success:has-text('Samtalen er gemt')").WaitForAsync();
        (await page.Locator("ol.timeline").InnerTextAsync()).ShouldContain("Samtale");

        await page.GotoAsync($"/sagsbehandler?vis=mine&q={Uri.EscapeDataString(name.Split(' ')[0])}");
        (await page.GetByRole(AriaRole.Cell, new() { Name = name }).CountAsync()).ShouldBe(1);
        await Accessible(page, $"sagsbehandler-soegning{(phone ? "-telefon" : "")}");
    }

    [Fact]
    public async Task Coordinator_CreatesRecordsAndApprovesACompanion_AndSuggestionsReadInWords()
    {
        var page = await SignIn("koordinator.ballerup", phone: true);
        await Arrive(page, "**/koordinator");
        await Accessible(page, "koordinator-telefon");
        await page.GetByRole(AriaRole.Button, new() { Name = "Opret ledsageren" }).ClickAsync();
        (await page.Locator(".error-summary").InnerTextAsync()).ShouldContain("Udfyld fulde navn");
        await Accessible(page, "koordinator-fejl-telefon");

        await page.GetByLabel("Fulde navn").FillAsync("Karl Koordineret");
        await page.GetByLabel("Område").FillAsync("Centrum");
        await page.GetByLabel("Tirsdag").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Opret ledsageren" }).ClickAsync();
        await page.Locator("p.success:has-text('Ledsageren er oprettet')").WaitForAsync();
        var row = page.Locator("tr", new() { Has = page.Locator("th:has-text('Karl Koordineret')") });
        await row.Locator("summary:has-text('Straffeattest')").ClickAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Gem straffeattesten" }).ClickAsync();
        await page.Locator("p.success:has-text('Straffeattesten er gemt')").WaitForAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Godkend Karl Koordineret" }).ClickAsync();
        await page.Locator("p.success:has-text('er godkendt')").WaitForAsync();
        await Accessible(page, "koordinator-godkendt-telefon");

        await page.GetByRole(AriaRole.Button, new() { Name = "Vis forslag" }).ClickAsync();
        var suggestions = await page.Locator("ol").Last.InnerTextAsync();
        suggestions.ShouldContain("ledig tirsdage");
        suggestions.ShouldNotContain("point");
        await Accessible(page, "koordinator-forslag-telefon");
    }

    [Fact]
    public async Task Companion_IsAskedToConfirmADayLongSession_DeletesOne_AndTheCitizenObjects_UntilTheCaseworkerDecides()
    {
        var companion = await SignIn("ledsager.ballerup", phone: true);
        await Arrive(companion, "**/ledsager");
        const string citizenName = "Dorthe Kjær"; // borger.ballerup
        await companion.GetByLabel("Borger", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = citizenName });
        await companion.GetByLabel("Start (tt:mm)").FillAsync("00:00");
        await companion.GetByLabel("Slut (tt:mm)").FillAsync("23:59");
        await companion.GetByRole(AriaRole.Button, new() { Name = "Registrér" }).ClickAsync();
        (await companion.Locator(".error-summary").InnerTextAsync()).ShouldContain("Bekræft, at ledsagelsen varede");
        await Accessible(companion, "ledsager-lang-ledsagelse-telefon");

        await companion.GetByLabel("Start (tt:mm)").FillAsync("09:00");
        await companion.GetByLabel("Slut (tt:mm)").FillAsync("10:00");
        await companion.GetByRole(AriaRole.Button, new() { Name = "Registrér" }).ClickAsync();
        await companion.Locator("p.success:has-text('Ledsagelsen er registreret')").WaitForAsync();
        (await companion.Locator("table.cards").InnerTextAsync()).ShouldContain(citizenName);
        await companion.GetByRole(AriaRole.Button, new() { Name = "Slet ledsagelsen" }).Last.ClickAsync();
        await companion.Locator("p.success:has-text('er slettet')").WaitForAsync();
        await Accessible(companion, "ledsager-maaned-telefon");

        await companion.GetByLabel("Borger", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = citizenName });
        await companion.GetByLabel("Start (tt:mm)").FillAsync("13:00");
        await companion.GetByLabel("Slut (tt:mm)").FillAsync("14:30");
        await companion.GetByRole(AriaRole.Button, new() { Name = "Registrér" }).ClickAsync();
        await companion.Locator("p.success:has-text('Ledsagelsen er registreret')").WaitForAsync();

        var citizen = await SignIn("borger.ballerup");
        await Arrive(citizen, "**/mine-timer");
        var before = await citizen.Locator("[data-testid=available]").InnerTextAsync();
        var row = citizen.Locator("table.cards tr", new() { HasText = "13:00–14:30" }).First;
        (await row.InnerTextAsync()).ShouldContain("Lise Ledsager");
        await row.Locator("summary").ClickAsync();
        await row.GetByLabel("Hvad er forkert?").FillAsync("Vi var ikke ude den dag.");
        await row.GetByRole(AriaRole.Button, new() { Name = "Send indsigelse" }).ClickAsync();
        await citizen.Locator("p.success:has-text('indsigelse')").WaitForAsync();
        var after = await citizen.Locator("[data-testid=available]").InnerTextAsync();
        after.ShouldNotBe(before); // the objected session no longer counts
        await Accessible(citizen, "borger-indsigelse");

        var caseworker = await SignIn("sagsbehandler.ballerup");
        await Arrive(caseworker, "**/sagsbehandler");
        (await caseworker.Locator("main p").First.InnerTextAsync()).ShouldContain("indsigelse");
        await caseworker.Locator("tr", new() { HasText = "indsigelse" }).First.GetByRole(AriaRole.Link).ClickAsync();
        await Arrive(caseworker, "**/sager/**");
        await caseworker.GetByLabel("Ledsagelsen fandt sted: den tæller med igen").CheckAsync();
        await caseworker.GetByLabel("Begrundelse", new() { Exact = true }).FillAsync("Ledsageren har billeder fra turen.");
        await caseworker.GetByRole(AriaRole.Button, new() { Name = "Afgør indsigelsen" }).ClickAsync();
        await caseworker.Locator("p.success:has-text('Indsigelsen er afgjort')").WaitForAsync();
        await Accessible(caseworker, "sagsbehandler-indsigelse-afgjort");
        await citizen.GotoAsync("/mine-timer");
        (await citizen.Locator("[data-testid=available]").InnerTextAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task UnknownAndDeniedPages_AnswerInDanish_NotJson()
    {
        var citizen = await SignIn("borger.ballerup");
        await Arrive(citizen, "**/mine-timer");
        var response = await citizen.GotoAsync("/findes-ikke");
        response!.Status.ShouldBe(404);
        (await citizen.Locator("h1").InnerTextAsync()).ShouldBe("Siden findes ikke");
        await Accessible(citizen, "side-findes-ikke");
        await citizen.GotoAsync("/koordinator");
        (await citizen.Locator("h1").InnerTextAsync()).ShouldBe("Du har ikke adgang til denne side");
        (await citizen.GetByRole(AriaRole.Link, new() { Name = "Gå til din forside" }).CountAsync()).ShouldBe(1);
        await Accessible(citizen, "ingen-adgang");
    }
}
