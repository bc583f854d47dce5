using System.Net;
using System.Net.Http.Json;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>
/// A host whose requests come from the address a test names (X-Test-Peer, as a TCP peer would), with one
/// trusted proxy (10.0.0.1). Its own host and clock: the login limits are per process, and tests here move time.
/// </summary>
public sealed class SignInFactory : SqliteFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Security:TrustedProxies", "10.0.0.1");
        builder.ConfigureServices(s => s.AddSingleton<IStartupFilter, PeerFilter>());
    }

    private sealed class PeerFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (http, go) =>
            {
                if (http.Request.Headers.TryGetValue("X-Test-Peer", out var peer))
                {
                    http.Connection.RemoteIpAddress = IPAddress.Parse(peer.ToString());
                }
                await go();
            });
            next(app);
        };
    }
}

/// <summary>Sign-in that slows guessing without letting anyone lock another out, tells nobody which names exist, and cookies and tokens that end.</summary>
public sealed class SignInTests(SignInFactory factory) : IClassFixture<SignInFactory>
{
    private HttpClient From(string address, string? forwardedFor = null)
    {
        var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = true });
        client.DefaultRequestHeaders.Add("X-Test-Peer", address);
        if (forwardedFor is not null)
        {
            client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        }
        return client;
    }

    private async Task<string> NewUser(string municipality = "gribskov", Role role = Role.Caseworker)
    {
        var client = await factory.SignedIn(municipality, role);
        var me = await client.Get("/api/me");
        return await factory.WithDb(db => db.Users.Where(u => u.Id == me.Id()).Select(u => u.UserName).FirstAsync());
    }

    private static Task<HttpResponseMessage> Login(HttpClient client, string userName, string password = "forkert") =>
        client.PostAsJsonAsync("/api/auth/login", new { userName, password });

    private long Verifications => factory.Services.GetRequiredService<Passwords>().Verifications;

    [Fact]
    public async Task FortyParallelGuesses_CheckAtMostFivePasswords_AndTheRightOneAmongThemDoesNotGetIn()
    {
        var userName = await NewUser();
        var guesser = From("192.0.2.10");
        var before = Verifications;
        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Login(guesser, userName, i == 39 ? "hemmelig-kode" : $"gæt{i}")));
        (Verifications - before).ShouldBeLessThanOrEqualTo(5);
        answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests).ShouldBeGreaterThanOrEqualTo(35);
        answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ShouldAllBe(a => a.Headers.RetryAfter != null);
        Summary.Line($"Login: 40 parallel guesses at one account from one address → {Verifications - before} passwords checked, {answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests)} answered 429 with Retry-After");
    }

    [Fact]
    public async Task GuessesFromFortyAddressesAtOnce_CheckAtMostTenPasswords_ButTheUserAtTheirUsualDeskGetsIn()
    {
        var userName = await NewUser();
        (await Login(From("192.0.2.60"), userName, "hemmelig-kode")).StatusCode.ShouldBe(HttpStatusCode.OK); // the user's usual desk
        var before = Verifications;
        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Login(From($"198.51.100.{100 + i}"), userName, i == 39 ? "hemmelig-kode" : $"gæt{i}")));
        (Verifications - before).ShouldBeLessThanOrEqualTo(10);
        answers.Count(a => a.StatusCode == HttpStatusCode.OK).ShouldBe(0);
        (await Login(From("192.0.2.60"), userName, "hemmelig-kode")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Login(From("198.51.100.250"), userName, "hemmelig-kode")).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task AGuesserElsewhere_DoesNotLockTheUserOut_AndEachFurtherGuessWaitsLonger()
    {
        var userName = await NewUser();
        var attacker = From("198.51.100.7");
        for (var i = 0; i < 5; i++)
        {
            (await Login(attacker, userName)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
        var waits = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            var refused = await Login(attacker, userName);
            refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
            var wait = (int)refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
            waits.Add(wait);
            factory.Clock.Advance(Duration.FromSeconds(wait));
            (await Login(attacker, userName)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
        waits.ShouldBe([1, 2, 4, 8]);
        // The user, at their own desk, signs in at once.
        (await Login(From("192.0.2.20"), userName, "hemmelig-kode")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AnUnknownName_CostsAHashAndGetsTheSameAnswers_AsARealOne()
    {
        var real = await NewUser();
        var unknown = $"findes.ikke.{Guid.NewGuid():N}";
        var answers = new Dictionary<string, List<string>>();
        foreach (var name in new[] { real, unknown })
        {
            var client = From("192.0.2.30");
            var before = Verifications;
            answers[name] = [];
            for (var i = 0; i < 6; i++)
            {
                var response = await Login(client, name);
                answers[name].Add($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            (Verifications - before).ShouldBe(5); // five checked, the sixth waits: for both names alike
            factory.Clock.Advance(Duration.FromMinutes(1));
        }
        answers[unknown].ShouldBe(answers[real]);
        answers[real][0].ShouldContain("Forkert brugernavn eller adgangskode");
        answers[real][5].ShouldStartWith("429");
    }

    [Fact]
    public async Task ThirtyFailuresFromOneAddress_Get429WithRetryAfter_ButOnlyThatClientBehindATrustedProxy()
    {
        var userName = await NewUser();
        // Two people behind the municipality's proxy: one mistypes 30 names, the other is not affected.
        var clumsy = From("10.0.0.1", "192.0.2.40");
        for (var i = 0; i < 30; i++)
        {
            (await Login(clumsy, $"gæt{i}.gribskov", "123456")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
        var limited = await Login(clumsy, userName, "hemmelig-kode");
        limited.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        limited.Headers.RetryAfter.ShouldNotBeNull();
        (await Login(From("10.0.0.1", "192.0.2.41"), userName, "hemmelig-kode")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // A peer that is not a trusted proxy cannot choose its address with X-Forwarded-For.
        for (var i = 0; i < 30; i++)
        {
            (await Login(From("203.0.113.5", $"192.0.2.{100 + i}"), $"gæt{i}.gribskov", "123456")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
        (await Login(From("203.0.113.5", "192.0.2.199"), userName, "hemmelig-kode")).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);

        factory.Clock.Advance(Duration.FromMinutes(11));
        (await Login(clumsy, userName, "hemmelig-kode")).StatusCode.ShouldBe(HttpStatusCode.OK);
        Summary.Line("Login: 30 failed logins from one address → 429 with Retry-After, even with the right password; behind a trusted proxy only that client; no account lockout");
    }

    [Fact]
    public async Task SigningOut_EndsTheCookieAndEveryCopyOfIt_AndADisabledAccountsCookieStopsWorking()
    {
        var client = await factory.SignedIn("lejre", Role.Caseworker);
        var me = await client.Get("/api/me");
        var cookie = (await Login(From("192.0.2.50"), await factory.WithDb(db => db.Users.Where(u => u.Id == me.Id()).Select(u => u.UserName).FirstAsync()), "hemmelig-kode"))
            .Headers.GetValues("Set-Cookie").First().Split(';')[0];
        var copy = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
        copy.DefaultRequestHeaders.Add("Cookie", cookie);
        await copy.Get("/api/me");
        (await client.PostAsync("/api/auth/logout", null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await copy.Get("/api/me", HttpStatusCode.Unauthorized);

        var other = await factory.SignedIn("lejre", Role.Caseworker);
        var id = (await other.Get("/api/me")).Id();
        await factory.WithDb(db => db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(u => u.SetProperty(x => x.DisabledAt, Instant.FromUtc(2026, 6, 1, 0, 0))));
        await other.Get("/api/me", HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Tokens_Expire_CanBeRevoked_AndCannotMintTokens()
    {
        var admin = await factory.SignedIn("bronderslev", Role.Administrator);
        var made = await admin.Post("/api/tokens", new { name = "Digital Post", days = 2 }, HttpStatusCode.Created);
        var bearer = factory.CreateClient();
        bearer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", made.Str("token"));
        (await bearer.Get("/api/me")).Str("role").ShouldBe("Administrator");
        await bearer.Post("/api/tokens", new { name = "Ny" }, HttpStatusCode.Forbidden);
        (await bearer.PostAsync($"/api/tokens/{made.Id()}/revoke", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        // Nor make itself a signed-in administrator another way: a new user, a role, a reopened account or a new password.
        var someone = (await admin.Get("/api/me")).Id();
        var users = await factory.WithDb(db => db.Users.CountAsync());
        (await bearer.Post("/api/admin/users", new { userName = "via.token", displayName = "Via Token", role = "Administrator" }, HttpStatusCode.Forbidden)).Str("code").ShouldBe("TOKEN_NOT_ALLOWED");
        await bearer.Post($"/api/admin/users/{someone}/reset-password", new { }, HttpStatusCode.Forbidden);
        await bearer.Post($"/api/admin/users/{someone}/role", new { role = "Finance" }, HttpStatusCode.Forbidden);
        await bearer.Post($"/api/admin/users/{someone}/enable", new { }, HttpStatusCode.Forbidden);
        (await factory.WithDb(db => db.Users.CountAsync())).ShouldBe(users);
        // One role by its name: two names joined are not read as a third role (Enum.TryParse would make 1|4 Finance of them).
        (await admin.Post($"/api/admin/users/{someone}/role", new { role = "Caseworker, Citizen" }, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("role", out _).ShouldBeTrue();
        (await admin.Get("/api/tokens")).EnumerateArray().ShouldContain(t => t.Str("name") == "Digital Post");

        var second = await admin.Post("/api/tokens", new { name = "Løn" }, HttpStatusCode.Created);
        var revoked = factory.CreateClient();
        revoked.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", second.Str("token"));
        await revoked.Get("/api/me");
        (await admin.PostAsync($"/api/tokens/{second.Id()}/revoke", null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await revoked.Get("/api/me", HttpStatusCode.Unauthorized);
        // Another municipality's administrator cannot revoke it (nor see it).
        var lejre = await factory.SignedIn("lejre", Role.Administrator);
        (await lejre.PostAsync($"/api/tokens/{made.Id()}/revoke", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        factory.Clock.Advance(Duration.FromDays(3));
        await bearer.Get("/api/me", HttpStatusCode.Unauthorized);
        Summary.Line("Tokens: expire (default 90 days), revoked at once, cannot make tokens, users, roles or passwords; sign-out ends every copy of the cookie; a disabled account's cookie stops working");
    }

    [Fact]
    public async Task ACrossSiteFormPost_WithTheCookie_IsRefused()
    {
        var client = await factory.SignedIn("haderslev", Role.Caseworker);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/logout");
        request.Headers.Add("Origin", "https://evil.example");
        (await client.SendAsync(request)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        await client.Get("/api/me"); // still signed in
        var own = new HttpRequestMessage(HttpMethod.Post, "/api/auth/logout");
        own.Headers.Add("Origin", "http://localhost");
        (await client.SendAsync(own)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var me = await client.GetAsync("/api/me");
        me.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await factory.CreateClient().GetAsync("/api/me")).Headers.CacheControl?.NoStore.ShouldBeTrue();
    }
}
