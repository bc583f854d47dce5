using System.Text.Json;
using Microsoft.Playwright;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>
/// The finance office's day in the browser, in Brønderslev only (other journeys share the demo server): claims for the
/// yearly subsidy decided on the page, payroll and NemKonto files previewed and then made once, the files' history and
/// downloads, the statistics read as a table — on a desk and on a phone, every page state checked with axe-core.
/// The API is used only to read back what the pages changed.
/// </summary>
[Collection("browser")]
public sealed class FinancePagesTests(BrowserFixture fixture) : BrowserPages(fixture)
{
    private const string Finance = "okonomi.bronderslev";

    [Fact]
    public async Task Finance_DecidesAClaimAndMakesFilesOnADesk_ThenRefusesAClaimAndReadsTheStatisticsOnAPhone()
    {
        var page = await SignIn(Finance);
        await Arrive(page, "**/okonomi");
        await Accessible(page, "okonomi");
        var freja = Claim(page, "Freja Skov");
        (await freja.Locator("td[data-label=Status]").InnerTextAsync()).ShouldBe("afventer");
        (await freja.Locator("td[data-label=Borger]").InnerTextAsync()).ShouldMatch(@"^Freja Skov \(\d{6}-xxxx\)$");
        var receipt = await page.APIRequest.GetAsync(await freja.Locator("td[data-label=Kvitteringer] a").First.GetAttributeAsync("href") ?? "");
        receipt.Headers["content-type"].ShouldBe("application/pdf");
        (await receipt.BodyAsync()).Take(5).ShouldBe("%PDF-"u8.ToArray());

        // Approving without the year's § 97 stk. 7 amount: the summary says the administrator must enter it.
        await freja.GetByRole(AriaRole.Link, new() { Name = "Afgør" }).ClickAsync();
        await Arrive(page, "**/okonomi/tilskud/**");
        await Accessible(page, "okonomi-tilskud");
        await page.GetByRole(AriaRole.Button, new() { Name = "Træf afgørelse og send brev" }).ClickAsync();
        (await page.Locator(".error-summary").InnerTextAsync()).ShouldContain("en administrator skal indtaste det");
        await Accessible(page, "okonomi-tilskud-uden-aarets-beloeb");

        var admin = await SignIn("admin.bronderslev");
        await Arrive(admin, "**/administrator");
        await admin.GotoAsync("/administrator/satser");
        await admin.GetByLabel("Beløb i kroner for 2026").FillAsync("1070");
        await admin.GetByLabel("Kilde (fx ministeriets satstabel)").FillAsync("Social- og Boligministeriets satstabel 2026");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Gem beløbet" }).ClickAsync();
        await admin.Locator("p.success").WaitForAsync();

        // A part of the amount needs a reason; with one, it is decided.
        await page.GotoAsync(page.Url);
        (await page.Locator("#aarets-beloeb").InnerTextAsync()).ShouldContain("1.070,00 kr.");
        await page.GetByLabel("Bevil en del af beløbet").CheckAsync();
        await page.GetByLabel("Beløb, der bevilges").FillAsync("100,50");
        await page.GetByRole(AriaRole.Button, new() { Name = "Træf afgørelse og send brev" }).ClickAsync();
        (await page.Locator("#note-error").InnerTextAsync()).ShouldContain("Udfyld begrundelse");
        (await page.Locator(".error-summary a[href='#note']").CountAsync()).ShouldBe(1);
        await Accessible(page, "okonomi-tilskud-mangler-begrundelse");
        await page.GetByLabel("Begrundelse").FillAsync("Busbilletterne er til borgerens egen kørsel, ikke ledsagerens.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Træf afgørelse og send brev" }).ClickAsync();
        (await page.Locator("p.success").InnerTextAsync()).ShouldContain("bevilget 100,50 kr.");
        await Accessible(page, "okonomi-tilskud-afgjort");
        var decided = await ClaimOf(page, "Freja Skov");
        (decided.Str("status"), decided.GetProperty("approvedAmount").GetDecimal()).ShouldBe(("approved", 100.50m));

        // The NemKonto file: first what will be paid and to whom, then the file, once.
        await page.GotoAsync("/okonomi");
        (await Claim(page, "Freja Skov").Locator("td[data-label=Status]").InnerTextAsync()).ShouldBe("delvist bevilget");
        await page.GetByLabel("År", new() { Exact = true }).SelectOptionAsync("2026");
        await page.GetByRole(AriaRole.Button, new() { Name = "Vis udbetalingerne, før filen laves" }).First.ClickAsync();
        var payments = page.GetByRole(AriaRole.Table, new() { Name = "Udbetalinger af tilskud for 2026" });
        (await payments.Locator("tbody tr").Filter(new() { HasText = "Freja Skov" }).Locator("td[data-label=Beløb]").InnerTextAsync()).ShouldBe("100,50 kr.");
        (await payments.Locator("tfoot").InnerTextAsync()).ShouldContain("kr.");
        await Accessible(page, "okonomi-udbetaling-forhaandsvisning");
        (await ClaimOf(page, "Freja Skov")).Str("status").ShouldBe("approved"); // the preview paid nothing
        await page.GetByRole(AriaRole.Button, new() { Name = "Lav udbetalingsfilen for 2026" }).ClickAsync();
        (await page.Locator("p.success").InnerTextAsync()).ShouldStartWith("Udbetalingsfilen for 2026 er lavet");
        await Accessible(page, "okonomi-udbetaling-lavet");
        (await ClaimOf(page, "Freja Skov")).Str("status").ShouldBe("paid");
        var paymentFile = History(page).Filter(new() { HasText = "Udbetaling af tilskud" }).First;
        (await paymentFile.Locator("td[data-label='Lavet af']").InnerTextAsync()).ShouldBe("Ole Økonomi");
        (await paymentFile.Locator("td[data-label=Dato]").InnerTextAsync()).ShouldBe("15. juni 2026");
        var csv = await Download(page, paymentFile);
        csv.ShouldContain("Freja Skov");
        csv.ShouldContain("100,50");

        // The payroll file of May: a preview, then six clicks at once on six tabs make one file.
        await page.GetByLabel("Lønperiode").SelectOptionAsync("2026-05");
        await page.GetByRole(AriaRole.Button, new() { Name = "Vis lønfilen, før den laves" }).ClickAsync();
        var payroll = page.GetByRole(AriaRole.Table, new() { Name = "Lønfil for maj 2026" });
        (await payroll.Locator("tbody tr").CountAsync()).ShouldBeGreaterThan(0);
        (await payroll.Locator("tbody td[data-label=Ledsager]").AllInnerTextsAsync()).ShouldContain("Lise Ledsager");
        (await payroll.Locator("tfoot").InnerTextAsync()).ShouldMatch(@"[\d,]+ timer");
        await Accessible(page, "okonomi-loenfil-forhaandsvisning");
        (await PayrollFiles(page, "2026-05")).ShouldBe(0);
        // Each tab its own window, signed in as the same user (its cookies), as when one clicks in several windows.
        var tabs = new List<IPage> { page };
        for (var i = 0; i < 5; i++)
        {
            var tab = await Anonymous();
            await tab.Context.AddCookiesAsync((await page.Context.CookiesAsync()).Select(c => new Cookie
            {
                Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path, Expires = c.Expires, HttpOnly = c.HttpOnly, Secure = c.Secure, SameSite = c.SameSite,
            }));
            await tab.GotoAsync(page.Url);
            tabs.Add(tab);
        }
        await Task.WhenAll(tabs.Select(t => t.GetByRole(AriaRole.Button, new() { Name = "Lav lønfilen for maj 2026" }).ClickAsync()));
        var said = await Task.WhenAll(tabs.Select(t => t.Locator("p.success").InnerTextAsync()));
        said.ShouldAllBe(s => s.StartsWith("Lønfilen for maj 2026 "));
        said.ShouldContain(s => s.Contains("er lavet"));
        (await PayrollFiles(page, "2026-05")).ShouldBe(1);
        // Made once: the page now shows the file, locked, and no button to make it again.
        (await page.GetByRole(AriaRole.Button, new() { Name = "Lav lønfilen for maj 2026" }).CountAsync()).ShouldBe(0);
        (await page.GetByText("Lønfilen for maj 2026 blev lavet 15. juni 2026 af Ole Økonomi").CountAsync()).ShouldBe(1);
        await Accessible(page, "okonomi-loenfil-lavet");
        var payrollCsv = await Download(page, History(page).Filter(new() { HasText = "maj 2026" }).First);
        payrollCsv.ShouldStartWith("ledsager_id;navn;cpr;periode;type;timer;km;arbejdsgiver");
        payrollCsv.ShouldContain("Lise Ledsager");

        // On a phone: refuse a claim with a reason, see the files as cards, and the statistics as a chart and a table.
        var phone = await SignIn(Finance, phone: true);
        await Arrive(phone, "**/okonomi");
        await Accessible(phone, "okonomi-telefon");
        await NoSidewaysScrolling(phone);
        (await History(phone).First.Locator("td[data-label=Periode]").EvaluateAsync<string>("e => getComputedStyle(e).display")).ShouldBe("block");
        await Claim(phone, "Gustav Møller").GetByRole(AriaRole.Link, new() { Name = "Afgør" }).ClickAsync();
        await Arrive(phone, "**/okonomi/tilskud/**");
        await Accessible(phone, "okonomi-tilskud-telefon");
        await phone.GetByLabel("Afslå").CheckAsync();
        await phone.GetByRole(AriaRole.Button, new() { Name = "Træf afgørelse og send brev" }).ClickAsync();
        (await phone.Locator(".error-summary").InnerTextAsync()).ShouldContain("Udfyld begrundelse");
        await Accessible(phone, "okonomi-afslag-mangler-begrundelse-telefon");
        await phone.GetByLabel("Begrundelse").FillAsync("Koncerten var ikke en ledsagelse efter ordningen.");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Træf afgørelse og send brev" }).ClickAsync();
        (await phone.Locator("p.success").InnerTextAsync()).ShouldStartWith("Ansøgningen er afslået");
        await Accessible(phone, "okonomi-afslag-telefon");
        (await ClaimOf(phone, "Gustav Møller")).Str("status").ShouldBe("rejected");

        // Nothing left to pay for 2026: the page says so and points at the file that was made.
        await phone.GotoAsync("/okonomi?tilskud=2026");
        (await phone.GetByText("Der er ingen bevilgede tilskud for 2026, som mangler at blive udbetalt.").CountAsync()).ShouldBe(1);
        (await phone.GetByRole(AriaRole.Link, new() { Name = "Hent udbetalingsfilen (2026, fil nr. 1)" }).CountAsync()).ShouldBe(1);
        await Accessible(phone, "okonomi-intet-at-udbetale-telefon");

        // Brønderslev offers the cash grant; its hourly amount for 2026 is not entered, and the page says who must enter it.
        await phone.GetByLabel("Kvartal").SelectOptionAsync("2026-2");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Vis udbetalingerne, før filen laves" }).Last.ClickAsync();
        (await phone.Locator("#kontant-fejl").InnerTextAsync()).ShouldContain("en administrator skal indtaste det");
        await Accessible(phone, "okonomi-kontant-tilskud-telefon");

        await phone.GotoAsync("/statistik");
        await Accessible(phone, "statistik-telefon");
        await NoSidewaysScrolling(phone);
        var months = phone.GetByRole(AriaRole.Table, new() { Name = "Måned for måned" }).Locator("tbody th[scope=row]");
        (await months.AllInnerTextsAsync()).ShouldBe(Enumerable.Range(1, 12).Select(m => $"{Letters.Danish.Month(m)} 2026").ToList());
        var chart = phone.Locator("figure.chart svg");
        (await chart.Locator("text").AllTextContentsAsync()).ShouldContain("Timer");
        (await chart.Locator("text").AllTextContentsAsync()).ShouldContain("Måned");
        (await chart.Locator("text.month").AllTextContentsAsync()).ShouldBe(["jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec."]);
        (await chart.Locator("line").CountAsync()).ShouldBeGreaterThan(3); // gridlines
        (await chart.BoundingBoxAsync())!.Width.ShouldBeLessThanOrEqualTo(390);
        // The month labels are readable (9 px or more) and none overlaps the next.
        var boxes = await chart.Locator("text.month").EvaluateAllAsync<JsonElement>("els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.right, r.height]; })");
        var labels = boxes.EnumerateArray().Select(b => (Left: b[0].GetDouble(), Right: b[1].GetDouble(), Height: b[2].GetDouble())).ToList();
        labels.ShouldAllBe(l => l.Height >= 9);
        labels.Zip(labels.Skip(1)).ShouldAllBe(p => p.First.Right <= p.Second.Left);
    }

    [Fact]
    public async Task Previews_OfThePayrollAndThePaymentFiles_CreateNothing()
    {
        var page = await SignIn(Finance);
        await Arrive(page, "**/okonomi");
        var files = await Files(page);
        var claims = await Claims(page);
        await page.GetByLabel("Lønperiode").SelectOptionAsync("2026-06");
        await page.GetByRole(AriaRole.Button, new() { Name = "Vis lønfilen, før den laves" }).ClickAsync();
        (await page.GetByRole(AriaRole.Table, new() { Name = "Lønfil for juni 2026" }).Locator("tbody tr").CountAsync()).ShouldBeGreaterThan(0);
        (await page.GetByText("Intet er lavet endnu.").CountAsync()).ShouldBe(1);
        await Accessible(page, "okonomi-forhaandsvisning-juni");
        await page.GetByLabel("År", new() { Exact = true }).SelectOptionAsync("2026");
        await page.GetByRole(AriaRole.Button, new() { Name = "Vis udbetalingerne, før filen laves" }).First.ClickAsync();
        (await page.GetByRole(AriaRole.Heading, new() { Name = "Tilskud for 2026, der ikke er udbetalt" }).CountAsync()).ShouldBe(1);
        await page.GotoAsync("/okonomi?loen=2026-06&tilskud=2026&kvartal=2026-2");
        await Accessible(page, "okonomi-alle-forhaandsvisninger");
        (await Files(page)).ShouldBe(files);
        (await Claims(page)).ShouldBe(claims);
    }

    private static ILocator Claim(IPage page, string citizen) =>
        page.Locator("section[aria-labelledby=claims-heading] tbody tr").Filter(new() { HasText = citizen });

    private static ILocator History(IPage page) => page.Locator("section[aria-labelledby=history-heading] tbody tr");

    private static async Task<string> Download(IPage page, ILocator row)
    {
        var response = await page.APIRequest.GetAsync(await row.GetByRole(AriaRole.Link).GetAttributeAsync("href") ?? "");
        response.Status.ShouldBe(200);
        response.Headers["content-type"].ShouldStartWith("text/csv");
        return await response.TextAsync();
    }

    private static async Task NoSidewaysScrolling(IPage page) =>
        (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth")).ShouldBeLessThanOrEqualTo(390);

    private static async Task<JsonElement> Read(IPage page, string url)
    {
        var response = await page.APIRequest.GetAsync(url);
        response.Status.ShouldBe(200);
        return (await response.JsonAsync())!.Value;
    }

    private static async Task<JsonElement> ClaimOf(IPage page, string citizen) =>
        (await Read(page, "/api/subsidy-claims")).EnumerateArray().Single(c => c.Str("citizen") == citizen);

    private static async Task<string> Claims(IPage page) =>
        string.Join(",", (await Read(page, "/api/subsidy-claims")).EnumerateArray().Select(c => $"{c.Str("id")}:{c.Str("status")}").Order());

    private static async Task<string> Files(IPage page) =>
        string.Join(",", (await Read(page, "/api/finance/payroll-exports")).EnumerateArray().Select(e => e.Str("id")).Order());

    private static async Task<int> PayrollFiles(IPage page, string period) =>
        (await Read(page, "/api/finance/payroll-exports")).EnumerateArray().Count(e => e.Str("kind") == "payroll" && e.Str("period") == period);
}
