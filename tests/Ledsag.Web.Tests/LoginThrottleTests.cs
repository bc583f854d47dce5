using System.Net;
using System.Net.Http.Json;
using Ledsag.Web.Data;
using NodaTime;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>Login rate limiting per address, beside the per-account lockout. Its own host: the limit is per process.</summary>
public sealed class LoginThrottleTests(SqliteFactory factory) : IClassFixture<SqliteFactory>
{
    [Fact]
    public async Task ManyFailedLoginsFromOneAddress_AcrossAccounts_Get429WithRetryAfter_UntilTheWindowPasses()
    {
        // A valid account, signed in first so the test can show that the limit also stops a correct password.
        var client = await factory.SignedIn("gribskov", Role.Caseworker);
        var me = await client.Get("/api/me");
        var userName = me.GetProperty("name").GetString()!; // the test accounts are named by their user name
        var guesser = factory.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 30; i++)
        {
            // A different account each time: lockout alone would never trigger.
            statuses.Add((await guesser.PostAsJsonAsync("/api/auth/login", new { userName = $"gæt{i}.gribskov", password = "123456" })).StatusCode);
        }
        statuses.ShouldAllBe(s => s == HttpStatusCode.Unauthorized);
        var limited = await guesser.PostAsJsonAsync("/api/auth/login", new { userName, password = "hemmelig-kode" });
        limited.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        limited.Headers.RetryAfter.ShouldNotBeNull();
        (await limited.Content.ReadAsStringAsync()).ShouldContain("For mange forkerte forsøg");

        factory.Clock.Advance(Duration.FromMinutes(11));
        (await guesser.PostAsJsonAsync("/api/auth/login", new { userName, password = "hemmelig-kode" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        Summary.Line("Login: 30 failed logins from one address across 30 accounts → the 31st attempt gets 429 with Retry-After, even with the right password; lockout after 5 failures per account");
    }
}
