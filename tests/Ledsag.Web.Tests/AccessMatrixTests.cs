using System.Net;
using System.Net.Http.Json;
using System.Text;
using Ledsag.Web.Data;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>
/// The demo data of the five municipalities on SQLite, and for two of them one of everything a route can
/// name: the demo citizen's case and grant, the companion who accompanies them, sessions, a planned
/// session, a match proposal, a letter and a subsidy claim.
/// </summary>
public sealed class DemoSite : IAsyncLifetime
{
    public SqliteFactory App { get; } = new();

    public Dictionary<string, Ids> Of { get; } = [];

    public sealed record Ids(Guid Citizen, Guid Case, Guid Grant, Guid Companion, Guid CompanionSession, Guid StaffSession, Guid Planned, Guid Proposal,
        Guid Letter, Guid Claim, Guid Token, Guid Stay, Guid User, Guid Export);

    public async Task InitializeAsync()
    {
        using (var scope = App.Services.CreateScope())
        {
            await DemoData.SeedAsync(scope.ServiceProvider);
        }
        foreach (var m in new[] { "haderslev", "ballerup" })
        {
            Of[m] = await BuildAsync(m);
        }
    }

    public Task DisposeAsync()
    {
        App.Dispose();
        return Task.CompletedTask;
    }

    public async Task<HttpClient> As(string role, string municipality)
    {
        var client = App.CreateClient(new() { HandleCookies = true });
        (await client.PostAsJsonAsync("/api/auth/login", new { userName = $"{role}.{municipality}", password = DemoData.Password })).EnsureSuccessStatusCode();
        return client;
    }

    private async Task<Ids> BuildAsync(string m)
    {
        var (citizen, companion, grant, caseId, staffSession, letter) = await App.WithDb(async db =>
        {
            var citizenId = (await db.Users.FirstAsync(u => u.UserName == $"borger.{m}")).CitizenId!.Value;
            var companionId = (await db.Users.FirstAsync(u => u.UserName == $"ledsager.{m}")).CompanionId!.Value;
            var g = await db.Grants.FirstAsync(x => x.CitizenId == citizenId);
            var s = await db.Sessions.FirstAsync(x => x.GrantId == g.Id && x.RegisteredByRole == nameof(Role.Caseworker) && x.ReversalOf == null);
            var l = await db.Letters.FirstOrDefaultAsync(x => x.CitizenId == citizenId);
            if (l is null)
            {
                var citizen = await db.Citizens.FirstAsync(x => x.Id == citizenId);
                var (subject, body) = Letters.LetterTexts.LapseReminder(2m, new NodaTime.LocalDate(2026, 6, 30), 10m);
                l = App.Services.GetRequiredService<Letters.LetterService>().Add(db, citizen, g.CaseId, "lapse_reminder", subject, body, $"matrix:{m}");
                await db.SaveChangesAsync();
            }
            return (citizenId, companionId, g.Id, g.CaseId, s.Id, l.Id);
        });
        var companionClient = await As("ledsager", m);
        var session = await companionClient.Post($"/api/grants/{grant}/sessions",
            new { date = "2026-06-14", start = "05:00", end = "05:30", activity = "cinema" }, HttpStatusCode.Created);
        var citizenClient = await As("borger", m);
        var planned = await citizenClient.Post($"/api/grants/{grant}/planned",
            new { date = "2026-06-25", start = "10:00", end = "12:00", activity = "cinema", companionId = companion }, HttpStatusCode.Created);
        var claim = await citizenClient.Post("/api/subsidy-claims",
            new { year = 2026, expenses = new[] { new { date = "2026-05-01", what = "Billet", amount = 100m } } }, HttpStatusCode.Created);
        var coordinator = await As("koordinator", m);
        var proposal = await coordinator.Post("/api/match-proposals", new { citizenId = citizen, companionId = companion, proposedOn = "2026-06-15" }, HttpStatusCode.Created);
        var admin = await As("admin", m);
        var token = await admin.Post("/api/tokens", new { name = "Matrix" }, HttpStatusCode.Created);
        // A user of its own for the user administration's routes: the matrix disables, enables and resets it, and nobody signs in as it.
        var user = await admin.Post("/api/admin/users", new { displayName = "Matrix Bruger", userName = $"matrix.{m}", role = "Finance" }, HttpStatusCode.Created);
        var stay = await citizenClient.Post($"/api/grants/{grant}/stays-abroad", new { from = "2026-08-01", to = "2026-10-15", country = "Spanien" }, HttpStatusCode.Created);
        (await (await As("okonomi", m)).PostAsJsonAsync("/api/finance/payroll-exports", new { period = "2026-01" })).EnsureSuccessStatusCode();
        var export = await App.WithDb(db => db.Exports.Where(e => e.MunicipalityId == m && e.Kind == "payroll" && e.Period == "2026-01").Select(e => e.Id).FirstAsync());
        return new Ids(citizen, caseId, grant, companion, session.GetProperty("session").Id(), staffSession, planned.Id(), proposal.Id(), letter, claim.Id(), token.Id(), stay.Id(), user.GetProperty("user").Id(), export);
    }
}

/// <summary>
/// Every API endpoint × every role × own and another municipality's data, anonymous included. What the
/// matrix below allows must get through; everything else must be refused (403, or 404 for what is not
/// yours), and every refusal must leave a "denied" entry in the audit log.
/// </summary>
public sealed class AccessMatrixTests(DemoSite site) : IClassFixture<DemoSite>
{
    // A administrator, S caseworker (sagsbehandler), K coordinator, F finance, L the companion who accompanies
    // the citizen, B the citizen themself. Which roles may use each endpoint on their own municipality's data.
    internal static readonly Dictionary<string, string> Allowed = new()
    {
        ["GET /api/me"] = "ASKFLB",
        ["POST /api/me/contact"] = "ASKF",
        ["POST /api/tokens"] = "A",
        ["GET /api/tokens"] = "A",
        ["POST /api/tokens/{id}/revoke"] = "A",
        ["POST /api/citizens"] = "SA",
        ["GET /api/citizens"] = "SAK",
        ["GET /api/citizens/{id}"] = "ASKFLB",
        ["GET /api/citizens/{id}/personal-data"] = "SAB",
        ["GET /api/citizens/{id}/personal-data.pdf"] = "SAB",
        ["GET /api/citizens/{id}/companion-suggestions"] = "KAS",
        ["POST /api/cases"] = "SA",
        ["GET /api/cases"] = "SAK",
        ["GET /api/cases/{id}"] = "ASKFB",
        ["POST /api/cases/{id}/conversation"] = "SA",
        ["POST /api/cases/{id}/consents"] = "SA",
        ["POST /api/cases/{id}/assessment"] = "SA",
        ["POST /api/cases/{id}/draft"] = "SA",
        ["POST /api/cases/{id}/decision"] = "SA",
        ["POST /api/cases/{id}/decision/check"] = "SA",
        ["POST /api/cases/{id}/draft/answer"] = "SA",
        ["POST /api/cases/{id}/started"] = "SA",
        ["POST /api/cases/{id}/delay-letter"] = "SA",
        ["POST /api/cases/{id}/complaint"] = "SAB",
        ["POST /api/cases/{id}/complaint/reassessment"] = "SA",
        ["POST /api/cases/{id}/complaint/maintained"] = "SA",
        ["POST /api/cases/{id}/complaint/forwarded"] = "SA",
        ["POST /api/cases/{id}/follow-up"] = "SA",
        ["GET /api/worklist"] = "SA",
        ["GET /api/grants/{id}"] = "ASKFLB",
        ["GET /api/grants/{id}/balance"] = "ASKFLB",
        ["GET /api/grants/{id}/history"] = "ASKFLB",
        ["POST /api/grants/{id}/savings-agreements"] = "SA",
        ["POST /api/grants/{id}/end"] = "SA",
        ["POST /api/grants/{id}/companions"] = "KSA",
        ["GET /api/grants/{grantId}/sessions"] = "ASKFLB",
        ["POST /api/grants/{grantId}/sessions"] = "SALB",
        // The companion registered this session: the citizen confirms it, a caseworker on the citizen's behalf.
        ["POST /api/grants/{grantId}/sessions/{id}/confirm"] = "SAB",
        // A caseworker registered this one: only caseworkers reverse it.
        ["POST /api/grants/{grantId}/sessions/{id}/reverse"] = "SA",
        // The citizen objects to a session someone else registered; a caseworker decides the objection.
        ["POST /api/grants/{grantId}/sessions/{id}/objection"] = "B",
        ["POST /api/grants/{grantId}/sessions/{id}/objection/decision"] = "SA",
        ["GET /api/grants/{grantId}/statement"] = "ASKFLB",
        ["GET /api/grants/{grantId}/planned"] = "ASKFLB",
        ["POST /api/grants/{grantId}/planned"] = "SALBK",
        ["POST /api/grants/{grantId}/planned/{id}/cancel"] = "SALBK",
        ["POST /api/companions"] = "KASB",
        ["GET /api/companions"] = "KASF",
        ["GET /api/companions/{id}"] = "KASL",
        ["POST /api/companions/{id}/criminal-record"] = "KA",
        ["POST /api/companions/{id}/relation-exception"] = "SA",
        ["POST /api/companions/{id}/approve"] = "KA",
        ["POST /api/companions/{id}/employ"] = "KA",
        ["POST /api/companions/{id}/end"] = "KA",
        ["GET /api/companions/me/schedule"] = "L",
        ["POST /api/match-proposals"] = "KA",
        ["POST /api/match-proposals/{id}/meeting"] = "KA",
        ["POST /api/match-proposals/{id}/outcome"] = "KA",
        ["POST /api/subsidy-claims"] = "BSA",
        ["GET /api/subsidy-claims"] = "BSAF",
        // The finance office decides claims for the yearly subsidy too (its page does), and sees the receipts.
        ["POST /api/subsidy-claims/{id}/decide"] = "SAF",
        ["GET /api/subsidy-claims/{id}/receipt"] = "BSAF",
        ["POST /api/admin/subsidy-rates"] = "A",
        ["GET /api/subsidy-rates/{year}"] = "ASKFLB",
        ["POST /api/finance/subsidy-payments"] = "FA",
        ["POST /api/finance/payroll-exports"] = "FA",
        ["GET /api/finance/payroll-exports"] = "FA",
        ["GET /api/finance/exports/{id}"] = "FA",
        ["GET /api/letters"] = "BSA",
        ["POST /api/admin/lapse-reminders"] = "A",
        ["GET /api/letters/{id}/pdf"] = "SAB",
        ["POST /api/letters/{id}/sent"] = "A",
        // The Digital Post gateway (an administrator's integration token): a letter as MeMo, and its receipt.
        ["GET /api/letters/{id}/memo"] = "A",
        ["POST /api/letters/{id}/receipt"] = "A",
        ["GET /api/statistics"] = "SAF",
        ["GET /api/statistics.xlsx"] = "SAF",
        ["POST /api/cases/{id}/action-plan"] = "SA",
        ["GET /api/companions/{id}/relation-declarations"] = "KAS",
        ["POST /api/companions/{id}/relation-declarations"] = "KSA",
        ["GET /api/providers"] = "KASF",
        ["POST /api/providers"] = "KA",
        ["GET /api/grants/{id}/stays-abroad"] = "ASKBL",
        ["POST /api/grants/{id}/stays-abroad"] = "SAB",
        ["POST /api/stays-abroad/{id}/decision"] = "SA",
        ["POST /api/grants/{id}/cash-grant"] = "SA",
        ["GET /api/cash-grant-rates"] = "AFS",
        ["POST /api/admin/cash-grant-rates"] = "A",
        ["POST /api/cash-grants/payments"] = "FA",
        ["GET /api/admin/users"] = "A",
        ["POST /api/admin/users"] = "A",
        ["POST /api/admin/users/{id}/role"] = "A",
        ["POST /api/admin/users/{id}/disable"] = "A",
        ["POST /api/admin/users/{id}/enable"] = "A",
        ["POST /api/admin/users/{id}/reset-password"] = "A",
        ["GET /api/cash-grants/statement"] = "FA",
    };

    // Signing in and out are for everyone, signed in or not.
    private static readonly HashSet<string> Open = ["POST /api/auth/login", "POST /api/auth/logout"];

    private static readonly Dictionary<char, string> Roles = new()
    {
        ['F'] = "okonomi", ['K'] = "koordinator", ['L'] = "ledsager", ['S'] = "sagsbehandler", ['A'] = "admin", ['B'] = "borger",
    };

    /// <summary>Every /api route of the running app, as "METHOD /pattern" with the route constraints dropped.</summary>
    internal static List<(string Key, string Method, string Pattern)> Endpoints(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(method =>
            {
                var pattern = System.Text.RegularExpressions.Regex.Replace(e.RoutePattern.RawText!, @"\{(\w+)(:[^}]*)?\}", "{$1}").TrimEnd('/');
                return ($"{method} {pattern}", method, pattern);
            }))
            .Distinct().ToList();

    internal static string Fill(string pattern, DemoSite.Ids ids)
    {
        var id = pattern switch
        {
            _ when pattern.Contains("/sessions/{id}/confirm") => ids.CompanionSession,
            _ when pattern.Contains("/sessions/{id}") => ids.StaffSession,
            _ when pattern.Contains("/planned/{id}") => ids.Planned,
            _ when pattern.StartsWith("/api/citizens/", StringComparison.Ordinal) => ids.Citizen,
            _ when pattern.StartsWith("/api/cases/", StringComparison.Ordinal) => ids.Case,
            _ when pattern.StartsWith("/api/grants/", StringComparison.Ordinal) => ids.Grant,
            _ when pattern.StartsWith("/api/companions/", StringComparison.Ordinal) => ids.Companion,
            _ when pattern.StartsWith("/api/match-proposals/", StringComparison.Ordinal) => ids.Proposal,
            _ when pattern.StartsWith("/api/letters/", StringComparison.Ordinal) => ids.Letter,
            _ when pattern.StartsWith("/api/subsidy-claims/", StringComparison.Ordinal) => ids.Claim,
            _ when pattern.StartsWith("/api/tokens/", StringComparison.Ordinal) => ids.Token,
            _ when pattern.StartsWith("/api/stays-abroad/", StringComparison.Ordinal) => ids.Stay,
            _ when pattern.StartsWith("/api/admin/users/", StringComparison.Ordinal) => ids.User,
            _ when pattern.StartsWith("/api/finance/exports/", StringComparison.Ordinal) => ids.Export,
            _ => Guid.Empty,
        };
        return pattern.Replace("{grantId}", ids.Grant.ToString()).Replace("{id}", id.ToString()).Replace("{year}", "2026");
    }

    private static async Task<HttpResponseMessage> Send(HttpClient client, string method, string url)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method != "GET")
        {
            // An empty object: what passes the access check then fails validation (400) and changes nothing.
            request.Content = new StringContent(url.EndsWith("/confirm", StringComparison.Ordinal) ? """{"onBehalf":true}""" : "{}", Encoding.UTF8, "application/json");
        }
        return await client.SendAsync(request);
    }

    private Task<int> Denials() => site.App.WithDb(db => db.Audit.CountAsync(a => a.Action == "denied"));

    [Fact]
    public async Task EveryEndpointEveryRoleOwnAndOtherMunicipality_OnlyWhatIsAllowedGetsThrough_AndEveryRefusalIsAudited()
    {
        var endpoints = Endpoints(site.App.Services);
        endpoints.Select(e => e.Key).Where(k => !Allowed.ContainsKey(k) && !Open.Contains(k)).ShouldBeEmpty("endpoints missing from the access matrix");
        Allowed.Keys.Except(endpoints.Select(e => e.Key)).ShouldBeEmpty("matrix rows for endpoints that do not exist");

        var wrong = new List<string>();
        int tried = 0, refused = 0, audited = 0;
        var anonymous = site.App.CreateClient(new() { HandleCookies = false });
        foreach (var (key, method, pattern) in endpoints.Where(e => !Open.Contains(e.Key)))
        {
            var response = await Send(anonymous, method, Fill(pattern, site.Of["haderslev"]));
            tried++;
            if (response.StatusCode != HttpStatusCode.Unauthorized)
            {
                wrong.Add($"anonymous {key}: {(int)response.StatusCode}, expected 401");
            }
        }

        foreach (var (letter, role) in Roles)
        {
            foreach (var (municipality, dataOf) in new[] { ("haderslev", "haderslev"), ("haderslev", "ballerup") })
            {
                var client = await site.As(role, municipality);
                foreach (var (key, method, pattern) in endpoints.Where(e => !Open.Contains(e.Key)))
                {
                    var hasIds = pattern.Contains('{') && !pattern.EndsWith("{year}", StringComparison.Ordinal);
                    if (dataOf != municipality && !hasIds)
                    {
                        continue; // a list or a create names no other municipality's data; lists are checked for leaks below
                    }
                    var mayPass = dataOf == municipality && Allowed[key].Contains(letter);
                    var before = await Denials();
                    var response = await Send(client, method, Fill(pattern, site.Of[dataOf]));
                    var status = (int)response.StatusCode;
                    var denialAudited = await Denials() > before;
                    tried++;
                    if (status >= 500)
                    {
                        wrong.Add($"{role} {key} ({dataOf}): {status} {await response.Content.ReadAsStringAsync()}");
                    }
                    else if (mayPass && (status is 401 or 403 || denialAudited))
                    {
                        wrong.Add($"{role} {key} ({dataOf}): refused with {status}, but the matrix allows it");
                    }
                    else if (!mayPass)
                    {
                        refused++;
                        if (status is not (403 or 404))
                        {
                            wrong.Add($"{role} {key} ({dataOf}): {status}, but should be refused (403/404)");
                        }
                        else if (!denialAudited)
                        {
                            wrong.Add($"{role} {key} ({dataOf}): refused with {status} but no denial in the audit log");
                        }
                        else
                        {
                            audited++;
                        }
                    }
                }
                // Lists never show another municipality's people.
                foreach (var list in new[] { "/api/citizens", "/api/cases", "/api/companions", "/api/letters", "/api/subsidy-claims", "/api/worklist" })
                {
                    var text = await (await client.GetAsync(list)).Content.ReadAsStringAsync();
                    var other = site.Of["ballerup"];
                    if (text.Contains(other.Citizen.ToString()) || text.Contains(other.Case.ToString()) || text.Contains(other.Companion.ToString()))
                    {
                        wrong.Add($"{role} GET {list}: shows Ballerup's data");
                    }
                }
            }
        }
        wrong.ShouldBeEmpty();
        Summary.Line($"Access: {endpoints.Count} endpoints × 6 roles × own/other municipality + anonymous = {tried} requests; " +
            $"refused as the matrix says {refused}, each denial audited {audited}/{refused}; leaked 0");
    }
}
