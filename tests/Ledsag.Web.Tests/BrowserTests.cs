using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>
/// The real host on Kestrel with the demo data, and Debian's Chromium driven by Playwright. Every page a
/// journey visits is checked with axe-core: no serious or critical WCAG violations.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public SqliteFactory App { get; } = new();

    public string BaseUrl { get; private set; } = "";

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The tests' own OpenID Connect provider, behind the login page's MitID and municipal login.</summary>
    public TestIdentityProvider Idp { get; private set; } = null!;

    private IPlaywright? _playwright;

    public async Task InitializeAsync()
    {
        (Idp, BaseUrl) = await TestIdentityProvider.StartWithAsync(App);
        Idp.RegisterLedsag(BaseUrl);
        using (var scope = App.Services.CreateScope())
        {
            await DemoData.SeedAsync(scope.ServiceProvider);
        }
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright?.Dispose();
        await App.DisposeAsync();
        await Idp.DisposeAsync();
    }
}

/// <summary>Browser journeys run alone, after the rest: a 2-core machine should not share them with the HTTP suites.</summary>
[CollectionDefinition("browser", DisableParallelization = true)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>;

/// <summary>
/// What every browser test does: sign in as a demo user on a desktop or a phone (390×844), wait for a page,
/// run axe-core on each page state. Journeys derive from it; they share the one server and browser.
/// </summary>
public abstract class BrowserPages(BrowserFixture fixture) : IAsyncLifetime
{
    private readonly List<IBrowserContext> _contexts = [];

    protected BrowserFixture Fixture => fixture;

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Closes this test's browser contexts so no test leaves connections open for the next.</summary>
    public async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }
    }

    /// <summary>
    /// Waits until the page has navigated to <paramref name="pattern"/> and its document is parsed. A start page
    /// that has not arrived 15 s after the login's redirect is loaded once more — and the stall is reported in
    /// the suite's summary, not hidden: on two of some twenty full runs the first page after a login stalled
    /// (not yet explained; see the issue note), never when the browser journeys ran alone.
    /// </summary>
    protected static async Task Arrive(IPage page, string pattern)
    {
        await page.WaitForURLAsync(pattern, new() { WaitUntil = WaitUntilState.Commit });
        try
        {
            await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded, new() { Timeout = 15_000 });
        }
        catch (TimeoutException)
        {
            Summary.Line($"Browser: the page {page.Url} stalled more than 15 s after the login's redirect and was loaded again");
            await page.GotoAsync(page.Url, new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        }
    }

    private static readonly string Axe = Path.Combine(Ledsag.Testing.RepositoryRoot.Path, "tests", "browser", "node_modules", "axe-core", "axe.min.js");

    /// <summary>A fresh browser window, signed in as nobody, on a desktop or a phone (390×844).</summary>
    protected async Task<IPage> Anonymous(bool phone = false)
    {
        // BypassCSP only so the test can inject axe-core inline; the pages themselves run no scripts.
        var context = await fixture.Browser.NewContextAsync(new() { BaseURL = fixture.BaseUrl, ViewportSize = phone ? new() { Width = 390, Height = 844 } : new() { Width = 1100, Height = 900 }, IsMobile = phone, HasTouch = phone, BypassCSP = true });
        _contexts.Add(context);
        return await context.NewPageAsync();
    }

    protected async Task<IPage> SignIn(string user, bool phone = false)
    {
        var page = await Anonymous(phone);
        await page.GotoAsync("/login");
        await Accessible(page, "login");
        await page.GetByLabel("Brugernavn").FillAsync(user);
        await page.GetByLabel("Adgangskode").FillAsync(DemoData.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log ind" }).ClickAsync();
        return page;
    }

    /// <summary>Runs axe-core on the page; fails on any serious or critical violation. Saves a screenshot when LEDSAG_SCREENSHOTS is set.</summary>
    protected static async Task Accessible(IPage page, string name)
    {
        File.Exists(Axe).ShouldBeTrue("axe-core is missing: run `npm ci --prefix tests/browser` (scripts/test does).");
        await page.WaitForLoadStateAsync(LoadState.Load); // axe judges contrast from the loaded stylesheet
        await page.AddScriptTagAsync(new() { Path = Axe });
        var result = await page.EvaluateAsync<JsonElement>("async () => (await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] })).violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3) }))");
        var serious = result.EnumerateArray().Where(v => v.GetProperty("impact").GetString() is "serious" or "critical").Select(v => v.ToString()).ToList();
        serious.ShouldBeEmpty($"axe on {name} ({page.Url})");
        if (Environment.GetEnvironmentVariable("LEDSAG_SCREENSHOTS") is { Length: > 0 } dir)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(dir, $"{name}.png"), FullPage = true });
        }
    }
}

[Collection("browser")]
public sealed class BrowserTests(BrowserFixture fixture) : BrowserPages(fixture)
{
    [Fact]
    public async Task Citizen_SeesTheirHoursAndALapseWarning()
    {
        var page = await SignIn("borger.lejre");
        await Arrive(page, "**/mine-timer");
        await Accessible(page, "borger-mine-timer");
        (await page.Locator("p.warning").InnerTextAsync()).ShouldMatch(@"^[\d,]+ timer? bortfalder \d+\. \w+ \d{4}$");
        (await page.Locator("figure.chart svg rect").CountAsync()).ShouldBe(36);
        (await page.GetByRole(AriaRole.Link, new() { Name = "Afgørelse: Du er bevilget ledsageordning" }).CountAsync()).ShouldBe(0); // demo letters come from the workflow only
    }

    [Fact]
    public async Task Caseworker_DecidesACase_AndTheLetterAppears()
    {
        var page = await SignIn("sagsbehandler.haderslev");
        await Arrive(page, "**/sagsbehandler");
        await Accessible(page, "sagsbehandler-arbejdsliste");
        await page.GetByRole(AriaRole.Link, new() { Name = "HAD-DEMO-02" }).First.ClickAsync();
        await Arrive(page, "**/sager/**");
        await Accessible(page, "sagsbehandler-sag");
        (await page.Locator("h2:has-text('Ledsags vurdering efter reglerne')").CountAsync()).ShouldBe(1);
        var preview = await page.Locator("details.panel").InnerTextAsync();
        preview.ShouldContain("Afgørelse: Du er bevilget ledsageordning");
        preview.ShouldContain("Klagevejledning");
        await page.GetByLabel("Bevillingen starter (ved bevilling)").FillAsync("2026-06-15");
        await page.GetByRole(AriaRole.Button, new() { Name = "Træf afgørelse og send brev" }).ClickAsync();
        await page.Locator("p.success").WaitForAsync();
        var letter = page.GetByRole(AriaRole.Link, new() { Name = "Afgørelse: Du er bevilget ledsageordning" });
        (await letter.CountAsync()).ShouldBe(1);
        await Accessible(page, "sagsbehandler-afgoerelse");
        var pdf = await page.APIRequest.GetAsync(await letter.GetAttributeAsync("href") ?? "");
        pdf.Headers["content-type"].ShouldBe("application/pdf");
        (await pdf.BodyAsync()).Take(5).ShouldBe("%PDF-"u8.ToArray());
    }

    [Fact]
    public async Task Companion_RegistersASession_AndTheCitizensBalanceDrops()
    {
        var citizen = await SignIn("borger.gribskov");
        await Arrive(citizen, "**/mine-timer");
        var before = await citizen.GetByTestId("available").InnerTextAsync();

        var page = await SignIn("ledsager.gribskov");
        await Arrive(page, "**/ledsager");
        await Accessible(page, "ledsager-registrer");
        // Gribskov's «må ikke» list where the companion registers, and only the activities the standard allows.
        (await page.GetByRole(AriaRole.Heading, new() { Name = "Det må du ikke som ledsager" }).IsVisibleAsync()).ShouldBeTrue();
        (await page.Locator("section[aria-labelledby=must-not] li").AllInnerTextsAsync()).ShouldContain("modtage gaver");
        (await page.GetByLabel("Aktivitet").Locator("option").AllInnerTextsAsync()).ShouldNotContain("Lægebesøg, tandlæge og undersøgelser");
        await page.GetByLabel("Borger").SelectOptionAsync(new SelectOptionValue { Label = "Dorthe Kjær" });
        await page.GetByLabel("Dato").FillAsync("2026-06-14");
        await page.GetByLabel("Start (tt:mm)").FillAsync("18:00");
        await page.GetByLabel("Slut (tt:mm)").FillAsync("19:30");
        await page.GetByLabel("Aktivitet").SelectOptionAsync(new SelectOptionValue { Label = "Biograf" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Registrér" }).ClickAsync();
        (await page.Locator("p.success").InnerTextAsync()).ShouldContain("1,5 timer");

        await citizen.ReloadAsync();
        var after = await citizen.GetByTestId("available").InnerTextAsync();
        Hours(after).ShouldBe(Hours(before) - 1.5m);
        await citizen.GetByRole(AriaRole.Button, new() { Name = "Bekræft" }).First.ClickAsync();
        await citizen.Locator("p.success").WaitForAsync();
        await Accessible(citizen, "borger-bekraeftet");
    }

    [Fact]
    public async Task AWrongPassword_IsShownNextToTheField_AndAdministratorSeesTheStandard()
    {
        var page = await Anonymous();
        await page.GotoAsync("/login");
        await page.GetByLabel("Brugernavn").FillAsync("admin.ballerup");
        await page.GetByLabel("Adgangskode").FillAsync("forkert");
        await page.GetByRole(AriaRole.Button, new() { Name = "Log ind" }).ClickAsync();
        (await page.Locator("#password-error").InnerTextAsync()).ShouldContain("Forkert brugernavn eller adgangskode");
        (await page.GetByLabel("Adgangskode").GetAttributeAsync("aria-invalid")).ShouldBe("true");
        await Accessible(page, "login-fejl");
        var admin = await SignIn("admin.ballerup");
        await Arrive(admin, "**/administrator");
        await Accessible(admin, "administrator-kvalitetsstandard");
        (await admin.Locator("text=40 hverdage").CountAsync()).ShouldBeGreaterThan(0);
        var finance = await SignIn("okonomi.ballerup");
        await Arrive(finance, "**/okonomi");
        await finance.GotoAsync("/statistik");
        await Accessible(finance, "statistik");
        (await finance.GetByRole(AriaRole.Link, new() { Name = "Hent som Excel-ark" }).CountAsync()).ShouldBe(1);
        var coordinator = await SignIn("koordinator.ballerup");
        await Arrive(coordinator, "**/koordinator");
        await Accessible(coordinator, "koordinator-ledsagere");
    }

    [Fact]
    public async Task Coordinator_ApprovesOnlyWithACriminalRecordWhereTheStandardRequiresIt()
    {
        var page = await SignIn("koordinator.haderslev");
        await Arrive(page, "**/koordinator");
        var created = await page.APIRequest.PostAsync("/api/companions", new() { DataObject = new { name = "Ny Ansøger" } });
        created.Status.ShouldBe(201);
        var id = (await created.JsonAsync())!.Value.GetProperty("id").GetString();
        await page.ReloadAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Godkend Ny Ansøger" }).ClickAsync();
        (await page.Locator(".error-summary").InnerTextAsync()).ShouldContain("straffeattest");
        await Accessible(page, "koordinator-fejl");
        (await page.APIRequest.PostAsync($"/api/companions/{id}/criminal-record", new() { DataObject = new { date = "2026-06-01", clean = true } })).Status.ShouldBe(200);
        await page.GotoAsync("/koordinator");
        await page.GetByRole(AriaRole.Button, new() { Name = "Godkend Ny Ansøger" }).ClickAsync();
        (await page.Locator("p.success").InnerTextAsync()).ShouldBe("Ny Ansøger er godkendt.");
        await page.Locator("#citizenId").SelectOptionAsync(new SelectOptionValue { Label = "Anna Holm" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Vis forslag" }).ClickAsync();
        (await page.Locator("ol li").CountAsync()).ShouldBeGreaterThan(0);
        await Accessible(page, "koordinator-forslag");
    }

    [Fact]
    public async Task Caseworker_AssessesAReceivedCase_AndSeesTheEnginesRecommendation()
    {
        var page = await SignIn("sagsbehandler.gribskov");
        await page.GotoAsync("/sagsbehandler");
        var cases = await page.APIRequest.GetAsync("/api/cases?state=Received");
        var id = (await cases.JsonAsync())!.Value[0].GetProperty("id").GetString();
        await page.GotoAsync($"/sager/{id}");
        await page.GetByLabel("Samlet funktionsniveau (0 ingen – 4 totale begrænsninger)").SelectOptionAsync("4");
        await page.GetByRole(AriaRole.Button, new() { Name = "Gem udredning og beregn anbefaling" }).ClickAsync();
        await page.Locator("p.success").WaitForAsync();
        (await page.GetByText("Nærmere vurdering", new() { Exact = true }).CountAsync()).ShouldBe(1); // Gribskov flags functional level 4
        await Accessible(page, "sagsbehandler-udredning");
    }

    [Fact]
    public async Task Citizen_AppliesForTheYearlySubsidyWithAReceipt()
    {
        var page = await SignIn("borger.haderslev");
        await page.GotoAsync("/tilskud");
        await Accessible(page, "borger-tilskud");
        await page.Locator("#expenses-0-date").FillAsync("2026-05-01");
        await page.Locator("#expenses-0-what").FillAsync("Koncertbilletter til ledsager");
        await page.Locator("#expenses-0-amount").FillAsync("450,50");
        await page.Locator("#expenses-0-receipt").SetInputFilesAsync(new FilePayload
        {
            Name = "billet.png", MimeType = "image/png", Buffer = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Send ansøgningen" }).ClickAsync();
        (await page.Locator("p.success").InnerTextAsync()).ShouldContain("450,50 kr.");
        await page.GotoAsync("/tilskud");
        (await page.Locator("table.cards").InnerTextAsync()).ShouldContain("Modtaget – venter på afgørelse"); // the claim's status
        await page.Locator("#expenses-0-what").FillAsync("Biograf");
        await page.Locator("#expenses-0-amount").FillAsync("100");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send ansøgningen" }).ClickAsync();
        (await page.Locator(".error-summary").InnerTextAsync()).ShouldContain("én gang om året");
    }

    [Fact]
    public async Task Administrator_EntersAMissingYearsSubsidyAmount()
    {
        var page = await SignIn("admin.lejre");
        await Arrive(page, "**/administrator");
        await page.GotoAsync("/administrator/satser");
        await page.GetByLabel("Beløb i kroner for 2026").FillAsync("1070");
        await page.GetByRole(AriaRole.Button, new() { Name = "Gem beløbet" }).ClickAsync();
        (await page.Locator("#source-error").InnerTextAsync()).ShouldEndWith("Udfyld kilde.");
        (await page.GetByLabel("Kilde (fx ministeriets satstabel)").GetAttributeAsync("aria-invalid")).ShouldBe("true");
        await page.GetByLabel("Kilde (fx ministeriets satstabel)").FillAsync("Social- og Boligministeriets satstabel 2026");
        await page.GetByRole(AriaRole.Button, new() { Name = "Gem beløbet" }).ClickAsync();
        (await page.Locator("p.success").InnerTextAsync()).ShouldBe("Beløbet er gemt.");
        (await page.Locator("text=1.070,00 kr.").CountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task Caseworker_TakesAComplaintThroughReassessmentToAnkestyrelsen_AndRecordsASavingsAgreement()
    {
        var page = await SignIn("sagsbehandler.bronderslev");
        await Arrive(page, "**/sagsbehandler");
        var cases = await page.APIRequest.GetAsync("/api/cases?state=Granted");
        var id = (await cases.JsonAsync())!.Value.EnumerateArray().First(c => c.GetProperty("number").GetString() == "BRO-DEMO-04").GetProperty("id").GetString();
        await page.GotoAsync($"/sager/{id}");
        await page.Locator("#savingsFrom").FillAsync("2026-06-01");
        await page.GetByLabel("Til", new() { Exact = true }).FillAsync("2026-05-01");
        await page.GetByLabel("Hvad skal timerne bruges til?").FillAsync("Sommerferie");
        await page.GetByRole(AriaRole.Button, new() { Name = "Registrér aftalen" }).ClickAsync();
        (await page.Locator("#savingsTo-error").InnerTextAsync()).ShouldContain("før startdatoen");
        await page.GetByLabel("Til", new() { Exact = true }).FillAsync("2026-11-30");
        await page.GetByRole(AriaRole.Button, new() { Name = "Registrér aftalen" }).ClickAsync();
        // Brønderslev's agreement names the companion and who pays the companion's expenses.
        (await page.Locator("#savingsCompanion-error").InnerTextAsync()).ShouldContain("ledsageren");
        await page.GetByLabel("Ledsager", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Index = 1 });
        await page.GetByLabel("Hvem betaler ledsagerens udgifter").FillAsync("Borgeren betaler");
        await page.GetByRole(AriaRole.Button, new() { Name = "Registrér aftalen" }).ClickAsync();
        (await page.Locator("p.success").InnerTextAsync()).ShouldBe("Opsparingsaftalen er registreret.");
        await page.GetByLabel("Hvad klager borgeren over?").FillAsync("Jeg vil have flere timer.");
        // The demo decision is months old: the complaint is late, and the caseworker records that it is dealt with anyway.
        await page.GetByLabel("Klagen behandles alligevel").CheckAsync();
        await page.GetByLabel("Hvorfor (ved for sen klage)").FillAsync("Borgeren var indlagt.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Registrér klage" }).ClickAsync();
        (await page.Locator("p.success").InnerTextAsync()).ShouldContain("Klagen er registreret");
        await page.GetByLabel("Begrundelse", new() { Exact = true }).FillAsync("Loven giver 15 timer om måneden.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Registrér genvurdering" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Send klagen til Ankestyrelsen i dag" }).ClickAsync();
        (await page.Locator("p.success").InnerTextAsync()).ShouldContain("Ankestyrelsen");
        (await page.GetByText("Status: sendt til Ankestyrelsen").CountAsync()).ShouldBe(1);
        (await page.GetByRole(AriaRole.Link, new() { Name = "Din klage er sendt til Ankestyrelsen" }).CountAsync()).ShouldBe(1);
        await Accessible(page, "sagsbehandler-klage");
    }

    [Fact]
    public async Task Caseworker_SendsADelayLetter_AndSeesTheDecisionCheckBeforeSending()
    {
        var page = await SignIn("sagsbehandler.ballerup");
        await Arrive(page, "**/sagsbehandler");
        var cases = await page.APIRequest.GetAsync("/api/cases?state=InAssessment");
        // The demo case with an assessment (other journeys open new cases in Ballerup that have none yet).
        var id = (await cases.JsonAsync())!.Value.EnumerateArray().First(c => c.GetProperty("number").GetString() == "BAL-DEMO-02").GetProperty("id").GetString();
        await page.GotoAsync($"/sager/{id}");
        // Ballerup always sends a draft: the check beside the form says so before anything is sent.
        (await page.Locator("#check-title + ul").InnerTextAsync()).ShouldContain("udkast til afgørelse i partshøring");
        await page.GetByLabel("Hvorfor tager det længere tid?").FillAsync("Vi venter på oplysninger fra lægen.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send brev om forsinkelse i dag" }).ClickAsync();
        (await page.Locator("p.success").InnerTextAsync()).ShouldContain("borger orienteret");
        await Accessible(page, "sagsbehandler-forsinkelse");
        // The page after a step is a fresh GET: reloading it sends no second letter.
        var letters = await page.Locator("h2:text-is('Breve') + ul li").CountAsync();
        await page.ReloadAsync();
        (await page.Locator("h2:text-is('Breve') + ul li").CountAsync()).ShouldBe(letters);
    }

    [Fact]
    public async Task Caseworker_EndsAGrantBecauseTheCitizenMoved_WithoutADecisionLetter()
    {
        var page = await SignIn("sagsbehandler.gribskov");
        await Arrive(page, "**/sagsbehandler");
        var cases = await page.APIRequest.GetAsync("/api/cases?state=Granted");
        var id = (await cases.JsonAsync())!.Value.EnumerateArray().First().GetProperty("id").GetString();
        await page.GotoAsync($"/sager/{id}");
        // «Not in the target group» without partshøring is stopped by the check and says why.
        await page.GetByRole(AriaRole.Button, new() { Name = "Registrér ophøret" }).ClickAsync();
        (await page.Locator("#endJustification-error").InnerTextAsync()).ShouldContain("begrundes");
        await page.GetByLabel("Fraflyttet kommunen").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Registrér ophøret" }).ClickAsync();
        (await page.Locator("p.success").InnerTextAsync()).ShouldBe("Ophøret er registreret.");
        (await page.GetByText("Status: afsluttet").CountAsync()).ShouldBe(1);
        await Accessible(page, "sagsbehandler-ophoer");
    }

    [Fact]
    public async Task Companion_SeesTheirScheduleAndMileage()
    {
        var page = await SignIn("ledsager.bronderslev");
        await Arrive(page, "**/ledsager");
        (await page.Locator("#month-heading").InnerTextAsync()).ShouldStartWith("Mine ledsagelser i ");
        // The demo companion accompanies citizens every ninth day, so June has sessions: the table and the month's mileage show.
        (await page.Locator("table tbody tr").CountAsync()).ShouldBeGreaterThan(0);
        (await page.GetByText("Kørsel i din bil i ").InnerTextAsync()).ShouldContain("efter statens lave takst");
        await Accessible(page, "ledsager-kalender");
        (await page.GetByRole(AriaRole.Link, new() { Name = "iCalendar-adresse" }).CountAsync()).ShouldBe(1);
    }

    private static decimal Hours(string text) => decimal.Parse(text.Split(' ')[0].Replace(',', '.'), System.Globalization.CultureInfo.InvariantCulture);
}
