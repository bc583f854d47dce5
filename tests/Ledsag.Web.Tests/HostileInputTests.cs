using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>
/// Generated malformed requests across every endpoint, each sent by a role that may use the endpoint, on
/// its own municipality's data, so that it gets past the access check to the input handling. Every request
/// carries at least one thing that must be refused; none may answer 5xx, none may change any data, and
/// every 400/422 is a problem document. Text that is valid but hostile is stored verbatim and shown encoded.
/// </summary>
public sealed class HostileInputTests(DemoSite site) : IClassFixture<DemoSite>
{
    private const int PerEndpoint = 160;

    private static readonly string[] HostileText =
    [
        "<script>alert('x')</script>", "\"><img src=x onerror=alert(1)>", "'; DROP TABLE \"Cases\"; --", "1 OR 1=1", "${jndi:ldap://x}",
        "{{7*7}}", "../../etc/passwd", "\u0000\u0001\u0002", "𝕃𝕖𝕕𝕤𝕒𝕘 🚌", "\u202Eevil", new string('å', 5000), "Robert'); DELETE FROM \"Sessions\";--",
    ];

    // Impossible dates, and real ones no case can have (year 0, before the common era, the last day NodaTime knows).
    private static readonly string[] BadDates = ["2026-02-30", "2026-13-01", "31-02-2026", "0000-00-00", "2026-06-15T25:61", "i går", "99999-01-01", "2026/06/15",
        "0000-01-01", "0001-01-01", "-0001-01-01", "9999-12-31"];

    private static readonly string[] BadCpr = ["320190-1234", "010190-123", "abcdef-ghij", "0101901234567", "01-01-90-1234", "999999-9999"];

    private static readonly object[] WrongTypes = [12345, -1, 1e300, true, false, new object[] { 1, "a" }, new { nested = new { deeper = 1 } }, "ikke-et-tal"];

    [Fact]
    public async Task TenThousandGeneratedMalformedRequests_NoServerError_NoDataChanged_ProblemDocumentsThatNameTheField()
    {
        var clients = new Dictionary<char, HttpClient>();
        foreach (var (letter, role) in new Dictionary<char, string> { ['S'] = "sagsbehandler", ['A'] = "admin", ['B'] = "borger", ['L'] = "ledsager", ['K'] = "koordinator", ['F'] = "okonomi" })
        {
            clients[letter] = await site.As(role, "haderslev");
        }
        var endpoints = site.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Endpoint: e, Method: m)))
            .Where(x => !x.Endpoint.RoutePattern.RawText!.StartsWith("/api/auth/", StringComparison.Ordinal))
            .ToList();
        var before = await Fingerprint();
        var random = new Random(97);
        int sent = 0, withBody = 0, readsAnswered = 0;
        var statuses = new Dictionary<int, int>();
        var failures = new List<string>();
        foreach (var (endpoint, method) in endpoints)
        {
            var pattern = System.Text.RegularExpressions.Regex.Replace(endpoint.RoutePattern.RawText!, @"\{(\w+)(:[^}]*)?\}", "{$1}").TrimEnd('/');
            var key = $"{method} {pattern}";
            var role = "SABLKF".First(r => AccessMatrixTests.Allowed[key].Contains(r));
            var client = clients[role];
            var url = AccessMatrixTests.Fill(pattern, site.Of["haderslev"]);
            var bodyType = endpoint.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
            for (var i = 0; i < PerEndpoint; i++)
            {
                using var request = method == "GET" || bodyType is null
                    ? BadQuery(method, url, pattern, random)
                    : BadBody(method, url, bodyType, random);
                withBody += request.Content is null ? 0 : 1;
                var text = request.Content is null ? "" : await request.Content.ReadAsStringAsync();
                var response = await client.SendAsync(request);
                sent++;
                var status = (int)response.StatusCode;
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                readsAnswered += method == "GET" && status < 400 ? 1 : 0;
                var answer = await response.Content.ReadAsStringAsync();
                if (status >= 500 || (method != "GET" && status < 400))
                {
                    failures.Add($"{key} → {status}: {Short(text)} ⇒ {Short(answer)}");
                }
                else if (status is 400 or 422 && (response.Content.Headers.ContentType?.MediaType != "application/problem+json" || !answer.Contains("\"title\"", StringComparison.Ordinal)))
                {
                    failures.Add($"{key} → {status} without a problem document: {Short(answer)}");
                }
                else if (status == 400 && !answer.Contains("\"errors\"", StringComparison.Ordinal))
                {
                    failures.Add($"{key} → 400 that names no field: {Short(answer)}");
                }
            }
        }
        var after = await Fingerprint();
        failures.Take(20).ShouldBeEmpty($"{failures.Count} bad answers");
        after.ShouldBe(before, "a refused request changed data");
        sent.ShouldBeGreaterThanOrEqualTo(10_000);

        // The whole run — demo seeding, the access matrix's neighbours in this host, 10,000 bad requests — logged at trace level: no CPR number anywhere.
        var numbers = await site.App.WithDb(async db => (await db.Citizens.Select(c => c.Cpr).ToListAsync())
            .Concat(await db.Companions.Where(k => k.Cpr != null).Select(k => k.Cpr!).ToListAsync()).ToList());
        var lines = site.App.Logs.Lines.ToList();
        lines.Count.ShouldBeGreaterThan(1000);
        var leaked = lines.Count(l => numbers.Any(n => l.Contains(n, StringComparison.Ordinal) || l.Contains($"{n[..6]}-{n[6..]}", StringComparison.Ordinal)));
        leaked.ShouldBe(0);
        Summary.Line($"Hostile input: {sent} generated malformed requests on {endpoints.Count} endpoints ({withBody} with bodies) — 5xx 0, writes accepted 0, data changed 0 " +
            $"(reads that ignored or defaulted a bad query value: {readsAnswered}); answers {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");
        Summary.Line($"Personal data in logs: {lines.Count} log lines at trace level searched for {numbers.Count} CPR numbers — leaked 0");
    }

    [Fact]
    public async Task HostileTextThatIsValid_IsStoredVerbatim_AndShownEncodedOnThePages()
    {
        var caseworker = await site.As("sagsbehandler", "haderslev");
        const string Script = "<script>alert('ledsag')</script>";
        const string Sql = "'; DROP TABLE \"Cases\"; --";
        var citizen = (await caseworker.Post("/api/citizens", new { cpr = "241085-2220", name = $"<img src=x onerror=alert(1)> {Sql}" }, HttpStatusCode.Created)).Id();
        var caseId = (await caseworker.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-06-01", channel = "telefon" }, HttpStatusCode.Created)).Id();
        await caseworker.Post($"/api/cases/{caseId}/conversation", new { on = "2026-06-02", note = Script }, HttpStatusCode.OK);
        Strings(await caseworker.Get($"/api/cases/{caseId}")).ShouldContain(Script); // stored and returned verbatim
        (await site.App.WithDb(db => db.Cases.CountAsync())).ShouldBeGreaterThan(0); // the SQL was data, not a command

        foreach (var page in new[] { $"/sager/{caseId}", "/sagsbehandler" })
        {
            var html = await caseworker.GetStringAsync(page);
            html.ShouldNotContain("<script>alert", Case.Insensitive, page);
            html.ShouldNotContain("<img src=x", Case.Insensitive, page);
            html.ShouldContain("&lt;img src=x onerror=alert(1)&gt;", Case.Sensitive, page);
        }
        (await caseworker.GetStringAsync($"/sager/{caseId}")).ShouldContain("&lt;script&gt;alert(&#x27;ledsag&#x27;)&lt;/script&gt;");
    }

    private static IEnumerable<string> Strings(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => [e.GetString()!],
        JsonValueKind.Object => e.EnumerateObject().SelectMany(p => Strings(p.Value)),
        JsonValueKind.Array => e.EnumerateArray().SelectMany(Strings),
        _ => [],
    };

    private static string Short(string s) => s.Length > 200 ? s[..200] + "…" : s;

    /// <summary>A bad query string or a bad route value for a request without a body.</summary>
    private static HttpRequestMessage BadQuery(string method, string url, string pattern, Random random)
    {
        // A POST without a body takes nothing but its route: only a broken route value must be refused there.
        var bad = (method == "GET" ? random.Next(6) : 4) switch
        {
            0 => $"{url}?year={Uri.EscapeDataString(Pick(random, ["abc", "1e9", "-5", "99999999999", "2026.5"]))}",
            1 => $"{url}?date={Uri.EscapeDataString(Pick(random, BadDates))}&month=2026-13",
            2 => $"{url}?month={Uri.EscapeDataString(Pick(random, ["2026-13", "13-2026", "x", "2026-00", "0000-01", "-0001-12", "9999-12"]))}&date=2026-02-30&from={Uri.EscapeDataString(Pick(random, BadDates))}",
            3 => $"{url}?citizenId=ikke-en-guid&year=x",
            4 => pattern.Contains('{') ? url.Replace(url.Split('/').First(s => Guid.TryParse(s, out _) || s == "2026"), Pick(random, ["ikke-en-guid", "00000000-0000-0000-0000-00000000000G", "%3Cscript%3E", "1%27%20OR%201=1"])) : $"{url}?year=%00",
            _ => $"{url}?{new string('a', 3000)}=1&year=-1&date={Uri.EscapeDataString(Pick(random, HostileText))}2026-02-30",
        };
        var request = new HttpRequestMessage(new HttpMethod(method), bad);
        if (method != "GET")
        {
            request.Content = new StringContent("{\"ukendt\":1}", Encoding.UTF8, "application/json");
        }
        return request;
    }

    /// <summary>A body with at least one thing that must be refused, often several, around plausible values.</summary>
    private static HttpRequestMessage BadBody(string method, string url, Type type, Random random)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        var kind = random.Next(100);
        if (kind < 12)
        {
            // Not JSON, or not the JSON the endpoint takes.
            var (content, mediaType) = random.Next(8) switch
            {
                0 => ("{\"date\": \"2026-06-01\"", "application/json"),
                1 => ("[1,2,3]", "application/json"),
                2 => ("{\"date\": 2026-06-01}", "application/json"),
                3 => (new string('[', 5000) + new string(']', 5000), "application/json"),
                4 => ("date=2026-06-01&hours=2", "application/x-www-form-urlencoded"),
                5 => ("<xml>ledsag</xml>", "text/xml"),
                6 => ("\"bare en tekst\"", "application/json"),
                _ => ("{\"a\":" + new string('9', 400) + "}", "application/json"),
            };
            request.Content = new StringContent(content, Encoding.UTF8, mediaType);
            return request;
        }
        var body = Plausible(type, random);
        if (kind < 14)
        {
            body["ukendtFelt"] = Pick(random, HostileText); // strict input: an unknown field is refused
            body["padding"] = new string('x', 6 * 1024 * 1024); // and a huge one
        }
        else
        {
            var names = body.Keys.ToList();
            // Drop some fields (missing), then break at least one thing that must be refused.
            foreach (var n in names.Where(_ => random.Next(4) == 0).ToList())
            {
                body.Remove(n);
            }
            var breaks = 1 + random.Next(3);
            for (var b = 0; b < breaks; b++)
            {
                Break(body, type, random);
            }
        }
        request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        return request;
    }

    private static void Break(Dictionary<string, object?> body, Type type, Random random)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance);
        var p = properties.Length == 0 ? null : properties[random.Next(properties.Length)];
        var name = p is null ? "x" : JsonNamingPolicy.CamelCase.ConvertName(p.Name);
        var target = p is null ? typeof(object) : Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
        switch (random.Next(5))
        {
            case 0:
                body[$"ekstra{random.Next(100)}"] = Pick(random, HostileText); // unknown field
                break;
            case 1 when target == typeof(string) && IsDate(name):
                body[name] = Pick(random, BadDates);
                break;
            case 1 when target == typeof(string) && name is "period" or "month":
                body[name] = Pick(random, ["2026-13", "0000-01", "-0001-12", "9999-12", "2026", "maj"]);
                break;
            case 1 when target == typeof(string) && name.Contains("cpr", StringComparison.OrdinalIgnoreCase):
                body[name] = Pick(random, BadCpr);
                break;
            default:
                // A value of the wrong type for the field (a string where a number goes, an object where a text goes, …).
                body[name] = target == typeof(string) ? Pick(random, WrongTypes.Where(w => w is not string).ToArray())
                    : target == typeof(bool) ? Pick<object>(random, ["ja", 1, new object[] { }])
                    : target == typeof(Guid) ? Pick<object>(random, ["ikke-en-guid", 42, "00000000-0000-0000-0000-00000000000G"])
                    : target == typeof(int) || target == typeof(decimal) ? Pick<object>(random, ["fem", "1,5", true, new object[] { 1 }, 1e300, 7.9e28, -7.9e28])
                    : Pick<object>(random, ["ikke en liste", 7, true]);
                break;
        }
        if (body.Count == 0)
        {
            body["ekstra"] = "x";
        }
    }

    /// <summary>Values of the right types for each field: dates in range, texts with hostile content, small numbers.</summary>
    private static Dictionary<string, object?> Plausible(Type type, Random random)
    {
        var body = new Dictionary<string, object?>();
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(p.Name);
            var t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            body[name] = t == typeof(string) ? (IsDate(name) ? "2026-06-10" : name is "start" or "end" ? "10:00" : Pick(random, HostileText))
                : t == typeof(decimal) ? 1.5m
                : t == typeof(int) ? 2026
                : t == typeof(bool) ? true
                : t == typeof(Guid) ? Guid.NewGuid()
                : t.IsGenericType ? new object[] { new { date = "2026-05-01", what = Pick(random, HostileText), amount = 10, receipt = BadReceipt(random) } }
                : null;
        }
        return body;
    }

    /// <summary>An oversized, wrongly typed or undecodable receipt upload.</summary>
    private static object BadReceipt(Random random) => random.Next(4) switch
    {
        0 => new { fileName = "kvittering.pdf", contentType = "application/pdf", base64 = Convert.ToBase64String(new byte[6 * 1024 * 1024]) },
        1 => new { fileName = "virus.exe", contentType = "application/x-msdownload", base64 = Convert.ToBase64String("MZ\u0090\0"u8.ToArray()) },
        2 => new { fileName = "billede.png", contentType = "image/png", base64 = "ikke base64!!" },
        _ => new { fileName = "<script>.pdf", contentType = "application/pdf", base64 = Convert.ToBase64String("MZ-not-a-pdf"u8.ToArray()) },
    };

    private static bool IsDate(string name) =>
        name.EndsWith("On", StringComparison.Ordinal) || name.EndsWith("By", StringComparison.Ordinal) || name is "date" or "from" or "to";

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];

    /// <summary>A digest of every row of every table except the audit log and the Data Protection keys.</summary>
    private Task<string> Fingerprint() => site.App.WithDb(async db =>
    {
        var tables = db.Model.GetEntityTypes().Select(e => e.GetTableName()).OfType<string>()
            .Where(t => t is not ("Audit" or "DataProtectionKeys")).Distinct().Order().ToList();
        tables.ShouldContain("Sessions");
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var table in tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\" ORDER BY 1";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    sha.AppendData(Encoding.UTF8.GetBytes(reader.IsDBNull(i) ? "∅" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) + "\u001f"));
                    if (reader.GetValue(i) is byte[] bytes)
                    {
                        sha.AppendData(bytes);
                    }
                }
            }
            sha.AppendData(Encoding.UTF8.GetBytes(table));
        }
        return Convert.ToHexString(sha.GetHashAndReset());
    });
}
