using System.Net;
using System.Text.RegularExpressions;
using Ledsag.Web.Data;
using Microsoft.EntityFrameworkCore;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>
/// The rates page's cash-grant form, posted as the browser posts it, where the standard offers the cash grant
/// (Ballerup; the browser journeys' Gribskov does not): errors name the field, a saved rate shows in the table.
/// </summary>
public sealed partial class AdministratorRatesPageTests(SqliteFactory factory) : IClassFixture<SqliteFactory>
{
    private static async Task<string> PostForm(HttpClient client, string url, string handler, Dictionary<string, string> fields)
    {
        var page = await client.GetStringAsync(url);
        var token = AntiforgeryToken().Match(page).Groups[1].Value;
        var response = await client.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string>(fields)
        {
            ["_handler"] = handler, ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
        }));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheCashGrantRateForm_NamesTheFieldOfAMistake_AndShowsASavedRateInTheTable()
    {
        var admin = await factory.SignedIn("ballerup", Role.Administrator);
        var wrong = await PostForm(admin, "/administrator/satser", "cash-rate", new()
        {
            ["Cash.Year"] = "2026", ["Cash.HourlyAmount"] = "", ["Cash.OwnCostPerHour"] = "1.234", ["Cash.Source"] = "Byrådets beslutning",
        });
        wrong.ShouldContain("Timebeløb: skriv beløbet i kroner, fx 125,50.");
        wrong.ShouldContain("Kommunens egen udgift pr. time: «1.234» kan læses på to måder.");
        (await factory.WithDb(db => db.CashGrantRates.CountAsync())).ShouldBe(0);

        var saved = await PostForm(admin, "/administrator/satser", "cash-rate", new()
        {
            ["Cash.Year"] = "2026", ["Cash.HourlyAmount"] = "180,50", ["Cash.OwnCostPerHour"] = "175", ["Cash.Source"] = "Byrådets beslutning 2026",
        });
        saved.ShouldContain("Timebeløbet for 2026 er gemt.");
        saved.ShouldContain("180,50 kr.");
        saved.ShouldContain("175,00 kr.");
        var rates = await admin.Get("/api/cash-grant-rates");
        rates[0].GetProperty("rate").GetDecimal().ShouldBe(175m);
    }

    [Fact]
    public async Task WhereTheStandardOffersNoCashGrant_ThePageSaysSoWithItsSource_AndHasNoForm()
    {
        var admin = await factory.SignedIn("lejre", Role.Administrator);
        var page = WebUtility.HtmlDecode(await admin.GetStringAsync("/administrator/satser"));
        page.ShouldContain("Lejre Kommune tilbyder ikke kontant tilskud");
        page.ShouldContain("Lejre Kommunes kvalitetsstandard, 11. Særlige forhold");
        page.ShouldNotContain("Gem timebeløbet");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
