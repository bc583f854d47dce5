using Microsoft.Playwright;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>
/// Gribskov's administrator does the day's work through the pages only, on a desk and on a phone: users (a one-time
/// password shown once, a new role, a reset, disabling — each signing the user out), an integration token made and
/// revoked, the quality standard read in Danish, and the year's subsidy amount entered. Every page state passes axe.
/// Only Gribskov's administrator is used, so the other journeys on the shared demo server are not disturbed; the API
/// is only used to read back what the pages changed.
/// </summary>
[Collection("browser")]
public sealed class AdministratorPagesTests(BrowserFixture fixture) : BrowserPages(fixture)
{
    private const string Admin = "admin.gribskov";

    private static string Size(bool phone) => phone ? "telefon" : "skrivebord";

    private static Task Menu(IPage page, string item) => page.GetByRole(AriaRole.Navigation, new() { Name = "Hovedmenu" })
        .GetByRole(AriaRole.Link, new() { Name = item, Exact = true }).ClickAsync();

    private async Task<IPage> SignInWith(string userName, string password, bool phone)
    {
        var page = await Anonymous(phone);
        await page.GotoAsync("/login");
        await page.GetByLabel("Brugernavn").FillAsync(userName);
        await page.GetByLabel("Adgangskode").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log ind" }).ClickAsync();
        return page;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Administrator_CreatesAUser_ResetsTheirPassword_ChangesTheirRole_AndDisablesThem_EachSigningThemOut(bool phone)
    {
        var size = Size(phone);
        var name = phone ? "Bo Telefon" : "Bo Skrivebord";
        var userName = phone ? "bo.telefon" : "bo.skrivebord";
        var admin = await SignIn(Admin, phone);
        await Arrive(admin, "**/administrator");
        await Menu(admin, "Brugere");
        await Arrive(admin, "**/administrator/brugere");
        await Accessible(admin, $"admin-brugere-{size}");

        // An empty form: the summary names each field, and each field says what is missing.
        await admin.GetByRole(AriaRole.Button, new() { Name = "Opret brugeren" }).ClickAsync();
        var summary = await admin.Locator(".error-summary").InnerTextAsync();
        summary.ShouldContain("Udfyld navn.");
        summary.ShouldContain("Udfyld brugernavn.");
        summary.ShouldContain("Rolle: vælg en rolle.");
        (await admin.GetByLabel("Brugernavn", new() { Exact = true }).GetAttributeAsync("aria-invalid")).ShouldBe("true");
        await Accessible(admin, $"admin-brugere-fejl-{size}");

        await admin.GetByLabel("Navn", new() { Exact = true }).FillAsync(name);
        await admin.GetByLabel("Brugernavn", new() { Exact = true }).FillAsync(userName.ToUpperInvariant());
        await admin.GetByLabel("Sagsbehandler", new() { Exact = true }).CheckAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Opret brugeren" }).ClickAsync();
        (await admin.Locator("p.success").InnerTextAsync()).ShouldBe($"{name} er oprettet som sagsbehandler.");
        var password = await admin.GetByTestId("password").InnerTextAsync();
        password.ShouldMatch("^[a-z2-9]{4}(-[a-z2-9]{4}){3}$");
        await Accessible(admin, $"admin-bruger-oprettet-{size}");
        var row = admin.Locator("tr", new() { Has = admin.GetByText(userName, new() { Exact = true }) });
        (await row.InnerTextAsync()).ShouldContain("Sagsbehandler");

        // The one-time password is shown once: the list never shows it again.
        await Menu(admin, "Brugere");
        await Arrive(admin, "**/administrator/brugere");
        (await admin.GetByTestId("password").CountAsync()).ShouldBe(0);
        (await admin.Locator("body").InnerTextAsync()).ShouldNotContain(password);

        // The new user signs in in another window with the one-time password.
        var user = await SignInWith(userName, password, phone);
        await Arrive(user, "**/sagsbehandler");

        // A new password: the old window is signed out, the old password stops, the new one works.
        await admin.GetByRole(AriaRole.Button, new() { Name = $"Nulstil adgangskoden for {name}" }).ClickAsync();
        (await admin.Locator("p.success").InnerTextAsync()).ShouldContain("ny adgangskode");
        var fresh = await admin.GetByTestId("password").InnerTextAsync();
        fresh.ShouldNotBe(password);
        await Accessible(admin, $"admin-bruger-nulstillet-{size}");
        await user.GotoAsync("/sagsbehandler");
        await Arrive(user, "**/login**");
        var old = await SignInWith(userName, password, phone);
        (await old.Locator("#password-error").InnerTextAsync()).ShouldContain("Forkert brugernavn eller adgangskode");
        user = await SignInWith(userName, fresh, phone);
        await Arrive(user, "**/sagsbehandler");

        // A new role: signed out, and the next sign-in starts on the coordinator's page.
        await admin.GetByLabel($"Ny rolle for {name}").SelectOptionAsync(new SelectOptionValue { Label = "Ledsagerkoordinator" });
        await admin.GetByRole(AriaRole.Button, new() { Name = $"Skift rolle for {name}" }).ClickAsync();
        (await admin.Locator("p.success").InnerTextAsync()).ShouldBe($"{name} er nu ledsagerkoordinator og skal logge ind igen.");
        await Accessible(admin, $"admin-bruger-rolle-{size}");
        await user.GotoAsync("/koordinator");
        await Arrive(user, "**/login**");
        user = await SignInWith(userName, fresh, phone);
        await Arrive(user, "**/koordinator");

        // Disabled: signed out at once and cannot sign in.
        await admin.GetByRole(AriaRole.Button, new() { Name = $"Deaktivér {name}" }).ClickAsync();
        (await admin.Locator("p.success").InnerTextAsync()).ShouldBe($"{name} er deaktiveret og logget ud.");
        (await row.InnerTextAsync()).ShouldContain("Deaktiveret");
        await Accessible(admin, $"admin-bruger-deaktiveret-{size}");
        await user.GotoAsync("/koordinator");
        await Arrive(user, "**/login**");
        var refused = await SignInWith(userName, fresh, phone);
        (await refused.Locator("#password-error").InnerTextAsync()).ShouldContain("Forkert brugernavn eller adgangskode");

        // Read back what the pages did.
        var users = await admin.APIRequest.GetAsync("/api/admin/users");
        var saved = (await users.JsonAsync())!.Value.EnumerateArray().Single(u => u.GetProperty("userName").GetString() == userName);
        saved.GetProperty("role").GetString().ShouldBe("Coordinator");
        saved.GetProperty("disabled").GetBoolean().ShouldBeTrue();

        // The administrator is not offered to disable themself.
        (await admin.GetByRole(AriaRole.Button, new() { Name = "Deaktivér Administrator (gribskov)" }).CountAsync()).ShouldBe(0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Administrator_CreatesAnIntegrationToken_SeesItOnce_AndRevokesIt(bool phone)
    {
        var size = Size(phone);
        var name = $"Digital Post ({size})";
        var admin = await SignIn(Admin, phone);
        await Arrive(admin, "**/administrator");
        await Menu(admin, "Integrationer");
        await Arrive(admin, "**/administrator/integrationer");
        await Accessible(admin, $"admin-tokens-{size}");

        await admin.GetByLabel("Gyldigt i antal dage (1 til 365)").FillAsync("400");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Opret tokenet" }).ClickAsync();
        var summary = await admin.Locator(".error-summary").InnerTextAsync();
        summary.ShouldContain("Udfyld navn eller formål.");
        summary.ShouldContain("Gyldigt i antal dage: et token kan gælde fra 1 til 365 dage.");
        await Accessible(admin, $"admin-tokens-fejl-{size}");

        await admin.GetByLabel("Navn eller formål").FillAsync(name);
        await admin.GetByLabel("Gyldigt i antal dage (1 til 365)").FillAsync("30");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Opret tokenet" }).ClickAsync();
        (await admin.Locator("p.success").InnerTextAsync()).ShouldBe($"Tokenet «{name}» er oprettet og gælder til 15. juli 2026.");
        var token = await admin.GetByTestId("token").InnerTextAsync();
        token.Length.ShouldBeGreaterThan(30);
        await Accessible(admin, $"admin-token-oprettet-{size}");
        var row = admin.Locator("tr", new() { Has = admin.GetByText(name, new() { Exact = true }) });
        (await row.InnerTextAsync()).ShouldContain("Aktivt");
        (await row.InnerTextAsync()).ShouldContain("15. juli 2026");

        await admin.GetByRole(AriaRole.Button, new() { Name = $"Tilbagekald {name}" }).ClickAsync();
        (await admin.Locator("p.success").InnerTextAsync()).ShouldBe($"Tokenet «{name}» er tilbagekaldt og virker ikke længere.");
        (await row.InnerTextAsync()).ShouldContain("Tilbagekaldt 15. juni 2026");
        (await admin.GetByTestId("token").CountAsync()).ShouldBe(0);
        await Accessible(admin, $"admin-token-tilbagekaldt-{size}");

        // Read back: revoked in the list, and the token no longer opens the API.
        var tokens = await admin.APIRequest.GetAsync("/api/tokens");
        (await tokens.JsonAsync())!.Value.EnumerateArray().Single(t => t.GetProperty("name").GetString() == name)
            .GetProperty("revokedAt").GetString().ShouldNotBeNull();
        var integration = await Anonymous();
        var me = await integration.APIRequest.GetAsync("/api/me", new() { Headers = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" } });
        me.Status.ShouldBe(401);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Administrator_ReadsTheQualityStandardInDanish_WithoutKeysOrCodeWords(bool phone)
    {
        var size = Size(phone);
        var admin = await SignIn(Admin, phone);
        await Arrive(admin, "**/administrator");
        await Accessible(admin, $"admin-kvalitetsstandard-{size}");
        var headings = await admin.Locator("main h2").AllInnerTextsAsync();
        headings.ShouldContain("Timer");
        headings.ShouldContain("Opsparing af timer");
        headings.ShouldContain("Målgruppe");
        headings.ShouldContain("Klage");
        var text = await admin.Locator("main").InnerTextAsync();
        foreach (var raw in new[] { "hours_per_month", "savings.", "drawing_order", "oldest_first", "current_first", "documented_expenses", "true", "false" })
        {
            text.ShouldNotContain(raw, Case.Sensitive, $"the page shows «{raw}»");
        }
        foreach (var label in await admin.Locator("table.rules th[scope=row]").AllInnerTextsAsync())
        {
            label.Length.ShouldBeGreaterThan(0);
            char.IsUpper(label[0]).ShouldBeTrue(label);
        }
        var hours = admin.Locator("tr", new() { Has = admin.GetByRole(AriaRole.Rowheader, new() { Name = "Timer ledsagelse om måneden" }) });
        (await hours.InnerTextAsync()).ShouldContain("15 timer");
        var order = admin.Locator("tr", new() { Has = admin.GetByRole(AriaRole.Rowheader, new() { Name = "Rækkefølge timer bruges i" }) });
        (await order.InnerTextAsync()).ShouldContain("De ældste opsparede timer bruges først");
        (await admin.GetByText("Dokumenterede udgifter", new() { Exact = true }).CountAsync()).ShouldBe(1); // Gribskov's subsidy basis
    }

    [Fact]
    public async Task Administrator_EntersTheYearsSubsidyAmount_OnAPhone_AfterAMistakeOnTheDesk()
    {
        var desk = await SignIn(Admin);
        await Arrive(desk, "**/administrator");
        await Menu(desk, "Satser");
        await Arrive(desk, "**/administrator/satser");
        await Accessible(desk, "admin-satser-skrivebord");
        (await desk.GetByText("Gribskov Kommune tilbyder ikke kontant tilskud").CountAsync()).ShouldBe(1);
        (await desk.Locator("table.cards tbody tr").CountAsync()).ShouldBe(6); // this year and the five before
        await desk.GetByLabel("Beløb i kroner for 2026").FillAsync("1.070");
        await desk.GetByLabel("Kilde (fx ministeriets satstabel)").FillAsync("Social- og Boligministeriets satstabel 2026");
        await desk.GetByRole(AriaRole.Button, new() { Name = "Gem beløbet" }).ClickAsync();
        (await desk.Locator("#amount-error").InnerTextAsync()).ShouldContain("kan læses på to måder");
        await Accessible(desk, "admin-satser-fejl-skrivebord");

        var phone = await SignIn(Admin, phone: true);
        await Arrive(phone, "**/administrator");
        await Menu(phone, "Satser");
        await Arrive(phone, "**/administrator/satser");
        await Accessible(phone, "admin-satser-telefon");
        await phone.GetByLabel("Beløb i kroner for 2026").FillAsync("1070");
        await phone.GetByLabel("Kilde (fx ministeriets satstabel)").FillAsync("Social- og Boligministeriets satstabel 2026");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Gem beløbet" }).ClickAsync();
        (await phone.Locator("p.success").InnerTextAsync()).ShouldBe("Beløbet er gemt.");
        var year = phone.Locator("tr", new() { Has = phone.GetByText("2026", new() { Exact = true }) });
        (await year.InnerTextAsync()).ShouldContain("1.070,00 kr.");
        (await phone.GetByLabel("Beløb i kroner for 2026").CountAsync()).ShouldBe(0); // entered once
        await Accessible(phone, "admin-satser-gemt-telefon");

        await desk.GotoAsync("/administrator/satser");
        (await desk.Locator("tr", new() { Has = desk.GetByText("2026", new() { Exact = true }) }).InnerTextAsync()).ShouldContain("1.070,00 kr.");
        var rate = await desk.APIRequest.GetAsync("/api/subsidy-rates/2026");
        (await rate.TextAsync()).ShouldContain("1070");
    }
}
