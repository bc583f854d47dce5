using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NodaTime;
using Ledsag.Web.Infrastructure;
using Shouldly;

namespace Ledsag.Web.Tests;

/// <summary>Building many grants through the API, and firing registrations at them in parallel.</summary>
internal static class Load
{
    public sealed record Outcome(int Sent, int Accepted, int Rejected, int ServerErrors, int Other, IReadOnlyDictionary<Guid, int> AcceptedPerGrant, TimeSpan Elapsed,
        IReadOnlyList<string> Unexpected);

    /// <summary>Creates <paramref name="count"/> citizens with a granted case each (15 hours a month from <paramref name="start"/>).</summary>
    public static async Task<List<Guid>> GrantsAsync(HttpClient caseworker, int count, LocalDate start, int seed)
    {
        var random = new Random(seed);
        var grants = new List<Guid>();
        var received = start.PlusDays(-40);
        for (var i = 0; i < count; i++)
        {
            Guid citizen;
            while (true)
            {
                // A CPR number of a person born 1970–1999 (7th digit 0–3: the 1900s), unique in the municipality.
                var cpr = $"{1 + (i % 28):00}{1 + (i / 28 % 12):00}{70 + random.Next(30):00}-{random.Next(4)}{random.Next(1000):000}";
                var response = await caseworker.PostAsJsonAsync("/api/citizens", new { cpr, name = $"Belastning {i}" });
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    citizen = (await response.Content.ReadFromJsonAsync<JsonElement>()).Id();
                    break;
                }
                response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync()); // the number was taken: draw again
            }
            var caseId = (await caseworker.Post("/api/cases", new { citizenId = citizen, receivedOn = received.Iso(), channel = "telefon" }, HttpStatusCode.Created)).Id();
            await caseworker.Post($"/api/cases/{caseId}/assessment", new { assessedOn = received.PlusDays(5).Iso(), facts = new { } });
            var decision = await caseworker.Post($"/api/cases/{caseId}/decision", new { decidedOn = received.PlusDays(10).Iso(), outcome = "grant", start = start.Iso() });
            grants.Add(decision.Id("grantId"));
        }
        return grants;
    }

    /// <summary>
    /// Fires <paramref name="perGrant"/> registrations of <paramref name="hours"/> at every grant, all at once,
    /// spread over <paramref name="clients"/> (round robin), each with its own idempotency key.
    /// </summary>
    public static async Task<Outcome> RegisterAsync(IReadOnlyList<HttpClient> clients, IReadOnlyList<Guid> grants, int perGrant, decimal hours,
        LocalDate first, LocalDate last)
    {
        var days = Period.Between(first, last, PeriodUnits.Days).Days + 1;
        var jobs = Enumerable.Range(0, perGrant).SelectMany(n => grants.Select(g => (Grant: g, N: n))).ToList();
        var accepted = new System.Collections.Concurrent.ConcurrentDictionary<Guid, int>();
        int ok = 0, rejected = 0, server = 0, other = 0;
        var unexpected = new System.Collections.Concurrent.ConcurrentBag<string>();
        var watch = Stopwatch.StartNew();
        var tasks = jobs.Select((job, i) => Task.Run(async () =>
        {
            var client = clients[i % clients.Count];
            var body = new { date = first.PlusDays(job.N % days).Iso(), hours, activity = "cinema", idempotencyKey = $"load-{job.Grant:N}-{job.N}" };
            var response = await client.PostAsJsonAsync($"/api/grants/{job.Grant}/sessions", body);
            switch ((int)response.StatusCode)
            {
                case 201:
                    Interlocked.Increment(ref ok);
                    accepted.AddOrUpdate(job.Grant, 1, (_, n) => n + 1);
                    break;
                case 422:
                    Interlocked.Increment(ref rejected);
                    break;
                case >= 500:
                    Interlocked.Increment(ref server);
                    unexpected.Add($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    break;
                default:
                    Interlocked.Increment(ref other);
                    unexpected.Add($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    break;
            }
        })).ToList();
        await Task.WhenAll(tasks);
        return new Outcome(jobs.Count, ok, rejected, server, other, accepted, watch.Elapsed, unexpected.Take(5).ToList());
    }

    /// <summary>Hours available on each grant today, as the API reports them.</summary>
    public static async Task<Dictionary<Guid, decimal>> AvailableAsync(HttpClient client, IEnumerable<Guid> grants)
    {
        var result = new Dictionary<Guid, decimal>();
        foreach (var g in grants)
        {
            result[g] = (await client.Get($"/api/grants/{g}/balance")).GetProperty("available").GetDecimal();
        }
        return result;
    }
}
