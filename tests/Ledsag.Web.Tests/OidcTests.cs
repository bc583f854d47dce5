using System.Net;
using System.Text.Json;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>Ledsag on Kestrel with both OpenID Connect schemes pointed at the tests' own provider.</summary>
public sealed class OidcFixture : IAsyncLifetime
{
    public TestIdentityProvider Idp { get; private set; } = null!;

    public SqliteFactory App { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    private int _cprs;

    public async Task InitializeAsync()
    {
        (Idp, var url) = await TestIdentityProvider.StartWithAsync(App);
        BaseAddress = new Uri(url);
        Idp.RegisterLedsag(url);
    }

    /// <summary>A valid CPR number (a date in 1950, then four digits) that no other test in this fixture uses.</summary>
    public string NewCpr()
    {
        var n = Interlocked.Increment(ref _cprs);
        return $"{1 + (n % 28):00}{1 + (n / 28 % 12):00}50{1000 + n:0000}";
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Idp.DisposeAsync();
    }
}

/// <summary>
/// Sign-in through a real OpenID Connect provider (code + PKCE) over HTTP, as a browser does it, step by step:
/// Ledsag → the provider's login form → Ledsag's callback. Who gets in, as whom, and what a refusal looks like.
/// </summary>
public sealed class OidcTests(OidcFixture fixture) : IClassFixture<OidcFixture>
{
    private const string Municipality = "gribskov";

    private sealed record SignInResult(HttpClient Client, string Landing);

    /// <summary>
    /// Follows the flow: GET /login/{provider} on Ledsag, the provider's form submitted as <paramref name="who"/>,
    /// then Ledsag's callback. Returns the client (with Ledsag's cookie if it set one) and where the callback sent it.
    /// </summary>
    private async Task<SignInResult> SignInVia(string provider, IdpIdentity who)
    {
        var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        var client = new HttpClient(handler) { BaseAddress = fixture.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var challenge = await client.GetAsync($"/login/{provider}");
        challenge.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var authorize = challenge.Headers.Location!;
        authorize.GetLeftPart(UriPartial.Path).ShouldBe($"{fixture.Idp.Authority}connect/authorize");
        var query = QueryHelpers.ParseQuery(authorize.Query);
        query["code_challenge_method"].ToString().ShouldBe("S256");
        (await client.GetStringAsync(authorize)).ShouldContain("Log ind hos test-IdP");

        var form = query.ToDictionary(p => p.Key, p => p.Value.ToString());
        form[TestIdentityProvider.SubjectField] = who.Subject;
        form[TestIdentityProvider.CprField] = who.Cpr ?? "";
        form[TestIdentityProvider.LoaField] = who.Loa ?? "";
        form[TestIdentityProvider.RoleField] = who.Role ?? "";
        form[TestIdentityProvider.MunicipalityField] = who.Municipality ?? "";
        var answer = await client.PostAsync(new Uri(authorize.GetLeftPart(UriPartial.Path)), new FormUrlEncodedContent(form));
        answer.StatusCode.ShouldBe(HttpStatusCode.Redirect, await answer.Content.ReadAsStringAsync());
        var callback = answer.Headers.Location!;
        callback.GetLeftPart(UriPartial.Path).ShouldBe(new Uri(fixture.BaseAddress, provider == "mitid" ? "/signin-mitid" : "/signin-staff").AbsoluteUri);

        var landed = await client.GetAsync(callback);
        landed.StatusCode.ShouldBe(HttpStatusCode.Redirect, await landed.Content.ReadAsStringAsync());
        return new SignInResult(client, landed.Headers.Location!.OriginalString);
    }

    private async Task<User> NewStaff(Role role = Role.Caseworker, bool disabled = false)
    {
        var subject = $"oid-{Guid.NewGuid()}";
        return await fixture.App.WithDb(async db =>
        {
            var user = new User
            {
                MunicipalityId = Municipality, UserName = subject, DisplayName = "Medarbejder Test", Role = role, ExternalSubject = subject,
                DisabledAt = disabled ? LedsagFactory.Now : null,
            };
            db.Users.Add(user);
            await db.SaveChangesAsync();
            return user;
        });
    }

    private async Task<(User User, string Cpr)> NewCitizen(bool disabled = false, string? externalSubject = null)
    {
        var cpr = fixture.NewCpr();
        var user = await fixture.App.WithDb(async db =>
        {
            var citizen = new Citizen { MunicipalityId = Municipality, Cpr = cpr, BirthDate = new LocalDate(1950, 1, 1), Name = "Borger Test" };
            var user = new User
            {
                MunicipalityId = Municipality, UserName = $"borger.{Guid.NewGuid():N}", DisplayName = "Borger Test", Role = Role.Citizen,
                CitizenId = citizen.Id, ExternalSubject = externalSubject, DisabledAt = disabled ? LedsagFactory.Now : null,
            };
            db.Citizens.Add(citizen);
            db.Users.Add(user);
            await db.SaveChangesAsync();
            return user;
        });
        return (user, cpr);
    }

    private static async Task<JsonElement> Me(HttpClient client)
    {
        var me = await client.GetAsync("/api/me");
        me.StatusCode.ShouldBe(HttpStatusCode.OK);
        return JsonDocument.Parse(await me.Content.ReadAsStringAsync()).RootElement;
    }

    private Task<List<AuditEntry>> AuditFor(Guid? user, string action) =>
        fixture.App.WithDb(db => db.Audit.AsNoTracking().Where(a => a.Action == action && a.UserId == user).ToListAsync());

    /// <summary>A refusal: back on the login page with the reason's code, no cookie, and a login-failed entry.</summary>
    private async Task ShouldBeRefused(SignInResult result, string reason)
    {
        result.Landing.ShouldBe($"/login?fejl={reason}");
        (await result.Client.GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Staff_WithBoundSubject_GetsLedsagsOwnCookie_WhichTheStampCheckKeepsAndEnds()
    {
        var user = await NewStaff();
        var tokens = fixture.Idp.TokensIssued;
        var result = await SignInVia("kommune", new IdpIdentity(user.ExternalSubject!));
        fixture.Idp.TokensIssued.ShouldBe(tokens + 1); // the provider issued the ID token: this was the real flow
        result.Landing.ShouldBe("/");
        var start = await result.Client.GetAsync("/");
        start.Headers.Location!.OriginalString.ShouldEndWith("/sagsbehandler");

        // The cookie is validated on every request (security stamp): it works now, and stops when the stamp changes.
        var me = await Me(result.Client);
        me.GetProperty("id").GetGuid().ShouldBe(user.Id);
        me.GetProperty("role").GetString().ShouldBe("Caseworker");
        (await Me(result.Client)).GetProperty("municipality").GetString().ShouldBe(Municipality);
        (await AuditFor(user.Id, "login")).Single().Detail.ShouldBe("staff");
        await fixture.App.WithDb(db => db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.SecurityStamp, "changed")));
        (await result.Client.GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Staff_RoleAndMunicipalityClaimsFromTheIdp_AreIgnored()
    {
        var user = await NewStaff(Role.Finance);
        var result = await SignInVia("kommune", new IdpIdentity(user.ExternalSubject!, Role: "Administrator", Municipality: "lejre"));
        result.Landing.ShouldBe("/");
        var me = await Me(result.Client);
        me.GetProperty("role").GetString().ShouldBe("Finance");
        me.GetProperty("municipality").GetString().ShouldBe(Municipality);
        (await result.Client.GetAsync("/api/tokens")).StatusCode.ShouldBe(HttpStatusCode.Forbidden); // administrators only
    }

    [Fact]
    public async Task Citizen_WithNemLogInsCprClaim_SignsInAsThatCitizen_AndLandsOnMyHours()
    {
        var (user, cpr) = await NewCitizen();
        var result = await SignInVia("mitid", new IdpIdentity($"nl3-{Guid.NewGuid()}", Cpr: cpr, Loa: "Substantial"));
        result.Landing.ShouldBe("/");
        (await result.Client.GetAsync("/")).Headers.Location!.OriginalString.ShouldEndWith("/mine-timer");
        var me = await Me(result.Client);
        me.GetProperty("id").GetGuid().ShouldBe(user.Id);
        me.GetProperty("role").GetString().ShouldBe("Citizen");
        me.GetProperty("citizenId").GetGuid().ShouldBe(user.CitizenId!.Value);
        (await AuditFor(user.Id, "login")).Single().Detail.ShouldBe("mitid");
    }

    [Theory]
    [InlineData("High")]
    [InlineData("HIGH")]
    [InlineData("https://data.gov.dk/concept/core/nsis/loa/Substantial")]
    public async Task Citizen_AtOrAboveTheMinimumLevelOfAssurance_GetsIn(string loa)
    {
        var (user, cpr) = await NewCitizen();
        var result = await SignInVia("mitid", new IdpIdentity("nl3-subject", Cpr: cpr, Loa: loa));
        result.Landing.ShouldBe("/");
        (await Me(result.Client)).GetProperty("id").GetGuid().ShouldBe(user.Id);
    }

    [Theory]
    [InlineData("Low")]
    [InlineData("")]
    [InlineData("Medium")]
    public async Task Citizen_BelowTheMinimumLevelOfAssurance_IsRefused(string loa)
    {
        var (_, cpr) = await NewCitizen();
        await ShouldBeRefused(await SignInVia("mitid", new IdpIdentity("nl3-subject", Cpr: cpr, Loa: loa)), Authentication.Refusal.Assurance);
    }

    [Fact]
    public async Task Staff_UnknownSubject_IsRefused_AndAudited()
    {
        var before = (await AuditFor(null, "login-failed")).Count(a => a.Detail == "staff: ikke-oprettet");
        await ShouldBeRefused(await SignInVia("kommune", new IdpIdentity($"oid-{Guid.NewGuid()}")), Authentication.Refusal.NotCreated);
        (await AuditFor(null, "login-failed")).Count(a => a.Detail == "staff: ikke-oprettet").ShouldBe(before + 1);
    }

    [Fact]
    public async Task Citizen_CprNotInLedsag_IsRefused()
    {
        await ShouldBeRefused(await SignInVia("mitid", new IdpIdentity("nl3-subject", Cpr: fixture.NewCpr(), Loa: "High")), Authentication.Refusal.NotCreated);
    }

    [Theory]
    [InlineData("")]
    [InlineData("12345")]
    [InlineData("3213501234")] // no 32nd of the 13th month
    [InlineData("ikke-et-cpr")]
    public async Task Citizen_MissingOrInvalidCprClaim_IsRefused(string cpr)
    {
        await ShouldBeRefused(await SignInVia("mitid", new IdpIdentity("nl3-subject", Cpr: cpr, Loa: "High")), Authentication.Refusal.NotCreated);
    }

    [Fact]
    public async Task DisabledUsers_AreRefused_AsStaffAndAsCitizens()
    {
        var staff = await NewStaff(disabled: true);
        await ShouldBeRefused(await SignInVia("kommune", new IdpIdentity(staff.ExternalSubject!)), Authentication.Refusal.Disabled);
        (await AuditFor(staff.Id, "login-failed")).Single().Detail.ShouldBe("staff: lukket");

        var (citizen, cpr) = await NewCitizen(disabled: true);
        await ShouldBeRefused(await SignInVia("mitid", new IdpIdentity("nl3-subject", Cpr: cpr, Loa: "High")), Authentication.Refusal.Disabled);
        (await AuditFor(citizen.Id, "login-failed")).Single().Detail.ShouldBe("mitid: lukket");
    }

    [Fact]
    public async Task AStaffIdentity_CannotSignInThroughMitId()
    {
        var staff = await NewStaff(Role.Administrator);
        await ShouldBeRefused(await SignInVia("mitid", new IdpIdentity(staff.ExternalSubject!, Loa: "High")), Authentication.Refusal.NotCreated);
    }

    [Fact]
    public async Task ACitizenIdentity_CannotSignInThroughTheMunicipalLogin()
    {
        // Even a citizen account bound to the subject, and with the CPR claim sent along, is not a staff login.
        var subject = $"oid-{Guid.NewGuid()}";
        var (_, cpr) = await NewCitizen(externalSubject: subject);
        await ShouldBeRefused(await SignInVia("kommune", new IdpIdentity(subject, Cpr: cpr, Loa: "High")), Authentication.Refusal.NotCreated);
    }

    [Fact]
    public async Task TheCprNumber_NeverReachesTheLogOrTheAuditLog()
    {
        var (_, cpr) = await NewCitizen();
        await SignInVia("mitid", new IdpIdentity("nl3-subject", Cpr: cpr, Loa: "High"));
        var unknown = fixture.NewCpr();
        await SignInVia("mitid", new IdpIdentity("nl3-subject", Cpr: unknown, Loa: "High"));
        fixture.App.Logs.Lines.ShouldNotBeEmpty();
        foreach (var digits in new[] { cpr, unknown })
        {
            fixture.App.Logs.Lines.Where(l => l.Contains(digits, StringComparison.Ordinal)).ShouldBeEmpty();
            (await fixture.App.WithDb(db => db.Audit.AsNoTracking().Select(a => a.Detail ?? "").ToListAsync())).Where(d => d.Contains(digits, StringComparison.Ordinal)).ShouldBeEmpty();
        }
    }

    [Fact]
    public async Task TheLoginPage_OffersMitIdAndTheMunicipalLogin_AndExplainsARefusalInDanish()
    {
        using var client = new HttpClient { BaseAddress = fixture.BaseAddress };
        var page = await client.GetStringAsync("/login");
        page.ShouldContain("href=\"/login/mitid\">Log ind med MitID</a>");
        page.ShouldContain("href=\"/login/kommune\">Log ind med kommunens login</a>");

        var refused = await client.GetAsync("/login?fejl=ikke-oprettet");
        refused.StatusCode.ShouldBe(HttpStatusCode.OK);
        var text = await refused.Content.ReadAsStringAsync();
        text.ShouldContain("Brugeren er ikke oprettet i Ledsag.");
        text.ShouldContain("role=\"alert\"");
        // Only the fixed codes say anything: nothing from the address is put on the page.
        (await client.GetStringAsync("/login?fejl=%3Cb%3Ehej%3C%2Fb%3E")).ShouldNotContain("role=\"alert\"");
    }

    [Theory]
    [InlineData("/signin-mitid?code=stolen&state=forged")]
    [InlineData("/signin-staff?error=access_denied&state=forged")]
    [InlineData("/signin-mitid")]
    public async Task AForgedOrCancelledCallback_EndsOnTheLoginPage_NotAnErrorPage(string callback)
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.BaseAddress };
        var response = await client.GetAsync(callback);
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.OriginalString.ShouldBe($"/login?fejl={Authentication.Refusal.Failed}");
    }

    [Fact]
    public async Task AnUnknownMinimumLevelOfAssurance_StopsTheServerFromStarting()
    {
        await using var misconfigured = new SqliteFactory();
        misconfigured.Settings["Authentication:Citizen:Authority"] = fixture.Idp.Authority;
        misconfigured.Settings["Authentication:Citizen:MinimumLoa"] = "Medium";
        Should.Throw<InvalidOperationException>(() => misconfigured.CreateClient()).Message.ShouldContain("MinimumLoa");
    }

    [Fact]
    public async Task WithoutConfiguration_ThereIsNoMitIdOrMunicipalLogin()
    {
        await using var plain = new SqliteFactory();
        var client = plain.CreateClient();
        var page = await client.GetStringAsync("/login");
        page.ShouldNotContain("/login/mitid");
        page.ShouldNotContain("/login/kommune");
        (await client.GetAsync("/login/mitid")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.GetAsync("/signin-mitid")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
