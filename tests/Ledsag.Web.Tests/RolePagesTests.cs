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

        // A record that does not exist, or belongs to another municipality, is the same Danish page with its status — not JSON, not a 500.
        var caseworker = await SignIn("sagsbehandler.ballerup");
        await Arrive(caseworker, "**/sagsbehandler");
        var lejre = (await (await (await SignIn("sagsbehandler.lejre")).APIRequest.GetAsync("/api/cases")).JsonAsync())!.Value.EnumerateArray().First().GetProperty("id").GetString();
        foreach (var address in new[] { $"/sager/{Guid.NewGuid()}", $"/sager/{lejre}", $"/okonomi/tilskud/{Guid.NewGuid()}" })
        {
            var answer = await caseworker.GotoAsync(address);
            answer!.Status.ShouldBe(404, address);
            (await caseworker.Locator("h1").InnerTextAsync()).ShouldBe("Siden findes ikke", customMessage: address);
            (await caseworker.ContentAsync()).ShouldNotContain("\"status\"");
        }
        await Accessible(caseworker, "sag-findes-ikke");

        // A closed case has no deadline left, and search still finds it.
        await caseworker.GotoAsync("/sagsbehandler?vis=alle&q=BAL-DEMO-08");
        (await caseworker.GetByRole(AriaRole.Link, new() { Name = "BAL-DEMO-08" }).CountAsync()).ShouldBe(1);
        (await caseworker.Locator("table.cards").InnerTextAsync()).ShouldContain("Ingen åben frist");
    }

    [Fact]
    public async Task Caseworker_DecidesAStayAbroad_RecordsTheCashGrant_AndMakesARelationException()
    {
        // The coordinator records that a new companion is the citizen's sibling (Ballerup's case with a complaint at Ankestyrelsen, which keeps its grant).
        var coordinator = await SignIn("koordinator.ballerup");
        await Arrive(coordinator, "**/koordinator");
        var caseworker = await SignIn("sagsbehandler.ballerup", phone: true);
        await Arrive(caseworker, "**/sagsbehandler");
        var all = (await (await caseworker.APIRequest.GetAsync("/api/cases")).JsonAsync())!.Value.EnumerateArray()
            .First(c => c.GetProperty("number").GetString() == "BAL-DEMO-07");
        var (caseId, citizenName) = (all.GetProperty("id").GetString(), all.GetProperty("citizen").GetString()!);

        await coordinator.GetByLabel("Fulde navn").FillAsync("Nanna Nabo");
        await coordinator.GetByLabel("Område").FillAsync("Skovlunde");
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Opret ledsageren" }).ClickAsync();
        await coordinator.Locator("p.success:has-text('Ledsageren er oprettet')").WaitForAsync();
        var row = coordinator.Locator("tr", new() { Has = coordinator.Locator("th:has-text('Nanna Nabo')") });
        await row.Locator("summary:has-text('Relation til en borger')").ClickAsync();
        await row.GetByLabel("Borger", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = citizenName });
        await row.GetByLabel("Ledsagerens relation til borgeren").SelectOptionAsync(new SelectOptionValue { Label = "Søskende" });
        await row.GetByRole(AriaRole.Button, new() { Name = "Gem erklæringen" }).ClickAsync();
        await coordinator.Locator("p.success").WaitForAsync();

        await caseworker.GotoAsync($"/sager/{caseId}");
        // Deadlines and rules cite the municipality's quality standard by name, never the file it was read from.
        (await caseworker.Locator("main").InnerTextAsync()).ShouldSatisfyAllConditions(
            t => t.ShouldNotContain(".txt"), t => t.ShouldNotContain(".yaml"), t => t.ShouldContain("Ballerup Kommunes kvalitetsstandard"));
        // A stay of two months must be applied for; refusing it needs a reason, approving it sends a letter.
        var from = DateTime.Today.AddDays(40).ToString("yyyy-MM-dd");
        var to = DateTime.Today.AddDays(100).ToString("yyyy-MM-dd");
        await caseworker.GetByLabel("Land", new() { Exact = true }).FillAsync("Spanien");
        await caseworker.GetByLabel("Udrejse").FillAsync(from);
        await caseworker.GetByLabel("Hjemrejse").FillAsync(to);
        await caseworker.GetByRole(AriaRole.Button, new() { Name = "Registrér opholdet" }).ClickAsync();
        await caseworker.Locator("p.success:has-text('Opholdet i udlandet er registreret')").WaitForAsync();
        (await caseworker.Locator("#stays-heading + p + table").InnerTextAsync()).ShouldContain("Ansøgt, afventer afgørelse");
        await caseworker.GetByLabel("Afslå opholdet").CheckAsync();
        await caseworker.GetByRole(AriaRole.Button, new() { Name = "Træf afgørelse og send brev" }).Last.ClickAsync();
        (await caseworker.Locator(".error-summary").InnerTextAsync()).ShouldContain("Begrundelse");
        await Accessible(caseworker, "sagsbehandler-udland-fejl-telefon");
        await caseworker.GetByLabel("Godkend opholdet").CheckAsync();
        await caseworker.GetByRole(AriaRole.Button, new() { Name = "Træf afgørelse og send brev" }).Last.ClickAsync();
        await caseworker.Locator("p.success:has-text('Afgørelsen om opholdet er truffet')").WaitForAsync();
        (await caseworker.Locator("#stays-heading + p + table").InnerTextAsync()).ShouldContain("Godkendt");
        (await caseworker.GetByRole(AriaRole.Link, new() { Name = "Afgørelse: Du kan tage ledsageordningen med til udlandet" }).CountAsync()).ShouldBe(1);

        // The cash grant needs the assessment that the citizen can run it.
        await caseworker.GetByRole(AriaRole.Button, new() { Name = "Registrér kontant tilskud" }).ClickAsync();
        (await caseworker.Locator("#fejl-kontant").InnerTextAsync()).ShouldContain("Borgeren kan selv administrere ordningen");
        await caseworker.GetByLabel("Borgeren kan selv administrere ordningen, herunder ansætte ledsageren").CheckAsync();
        await caseworker.GetByLabel("Vurdering af, at borgeren kan administrere ordningen").FillAsync("Borgeren har tidligere haft BPA og styrer selv sine aftaler.");
        await caseworker.GetByRole(AriaRole.Button, new() { Name = "Registrér kontant tilskud" }).ClickAsync();
        await caseworker.Locator("p.success:has-text('Kontant tilskud er registreret')").WaitForAsync();
        (await caseworker.GetByText("Bevillingen udbetales som kontant tilskud").CountAsync()).ShouldBe(1);

        // A sibling may accompany the citizen only by the caseworker's exception, with a reason.
        await caseworker.GetByRole(AriaRole.Button, new() { Name = "Gør en undtagelse" }).ClickAsync();
        (await caseworker.Locator(".error-summary").InnerTextAsync()).ShouldContain("Udfyld begrundelse");
        await caseworker.GetByLabel("Begrundelse for at Nanna Nabo alligevel kan ledsage borgeren").FillAsync("Borgeren vil kun ledsages af sin søster.");
        await caseworker.GetByRole(AriaRole.Button, new() { Name = "Gør en undtagelse" }).ClickAsync();
        await caseworker.Locator("p.success:has-text('Undtagelsen er registreret')").WaitForAsync();
        (await caseworker.Locator("#relations-heading + p + ul").InnerTextAsync()).ShouldContain("Undtagelse givet: Borgeren vil kun ledsages af sin søster.");
        await Accessible(caseworker, "sagsbehandler-bevilling-telefon");

        // The citizen's claim for the yearly subsidy is decided from the case, as finance would, once the administrator has entered the year's amount.
        var admin = await SignIn("admin.ballerup");
        await Arrive(admin, "**/administrator");
        await admin.GotoAsync("/administrator/satser");
        await admin.GetByLabel($"Beløb i kroner for {DateTime.Today.Year}").FillAsync("1070");
        await admin.GetByLabel("Kilde (fx ministeriets satstabel)").FillAsync("Ballerup Kommunes takstblad");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Gem beløbet" }).ClickAsync();
        await admin.Locator("p.success").WaitForAsync();
        await caseworker.GetByRole(AriaRole.Link, new() { Name = $"Afgør ansøgningen for {DateTime.Today.Year}" }).ClickAsync();
        await Arrive(caseworker, "**/okonomi/tilskud/**");
        await caseworker.GetByLabel("Bevil det søgte beløb", new() { Exact = false }).CheckAsync();
        await caseworker.GetByRole(AriaRole.Button, new() { Name = "Træf afgørelse og send brev" }).ClickAsync();
        await caseworker.Locator("p.success").WaitForAsync();
        await Accessible(caseworker, "sagsbehandler-tilskud-afgjort-telefon");
        await caseworker.GotoAsync($"/sager/{caseId}");
        (await caseworker.Locator("#claims-heading + table").InnerTextAsync()).ShouldContain("Bevilget");
    }

    [Theory]
    [InlineData("borger.ballerup", "**/mine-timer", "borger-mine-timer-telefon", "/min-sag", "borger-min-sag-telefon")]
    [InlineData("ledsager.ballerup", "**/ledsager", "ledsager-registrer-telefon", "/ledsager?maaned=2026-06", "ledsager-juni-telefon")]
    public async Task CitizenAndCompanion_StartPagesFitAPhone(string user, string start, string name, string next, string nextName)
    {
        var page = await SignIn(user, phone: true);
        await Arrive(page, start);
        await Accessible(page, name);
        // Nothing wider than the phone's screen: no sideways scrolling.
        (await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth")).ShouldBeTrue();
        await page.GotoAsync(next);
        await Accessible(page, nextName);
        (await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth")).ShouldBeTrue();
    }
}
