using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;

namespace Ledsag.Web.Tests;

/// <summary>Small helpers for calling the API and reading JSON answers.</summary>
internal static class Api
{
    public static async Task<JsonElement> Post(this HttpClient client, string url, object body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await client.PostAsJsonAsync(url, body);
        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode is 200 or 201 && expected == HttpStatusCode.OK ? HttpStatusCode.OK : response.StatusCode)
            .ShouldBe(expected, $"POST {url}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement;
    }

    public static async Task<JsonElement> Get(this HttpClient client, string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(expected, $"GET {url}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement;
    }

    /// <summary>
    /// Sends a draft in partshøring and records the citizen's waiver the same day, so a decision may follow at once
    /// (forvaltningsloven § 19; Ballerup always sends a draft).
    /// </summary>
    public static async Task Consult(this HttpClient client, Guid caseId, string sentOn, string outcome = "grant")
    {
        await client.Post($"/api/cases/{caseId}/draft", new { sentOn, outcome, summary = "Udkast til afgørelse." });
        await client.Post($"/api/cases/{caseId}/draft/answer", new { receivedOn = sentOn, kind = "waiver", channel = "telefon" });
    }

    /// <summary>
    /// Assigns an approved companion to a grant's citizen after declaring that they are not close relations
    /// (SEL § 97 stk. 4: the declaration per companion and citizen comes first).
    /// </summary>
    public static async Task AssignCompanion(this HttpClient coordinator, Guid grant, Guid companion, string from)
    {
        var citizenId = (await coordinator.Get($"/api/grants/{grant}")).Id("citizenId");
        var declared = await coordinator.PostAsJsonAsync($"/api/companions/{companion}/relation-declarations", new { citizenId, relation = "none" });
        ((int)declared.StatusCode is 201 or 409).ShouldBeTrue(await declared.Content.ReadAsStringAsync());
        await coordinator.Post($"/api/grants/{grant}/companions", new { companionId = companion, from }, HttpStatusCode.Created);
    }

    /// <summary>A valid CVR number (the weighted sum 2,7,6,5,4,3,2,1 divisible by 11), different each time.</summary>
    public static string NextCvr()
    {
        int[] weights = [2, 7, 6, 5, 4, 3, 2, 1];
        while (true)
        {
            var first = Random.Shared.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var check = (11 - (first.Select((c, i) => (c - '0') * weights[i]).Sum() % 11)) % 11;
            if (check < 10)
            {
                return first + check.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }

    public static string Str(this JsonElement e, string name) => e.GetProperty(name).GetString()!;

    public static Guid Id(this JsonElement e, string name = "id") => e.GetProperty(name).GetGuid();

    public static JsonElement Deadline(this JsonElement caseView, string kind) =>
        caseView.GetProperty("deadlines").EnumerateArray().Last(d => d.Str("kind") == kind);

    public static bool HasOpenDeadline(this JsonElement caseView, string kind) =>
        caseView.GetProperty("deadlines").EnumerateArray().Any(d => d.Str("kind") == kind && d.GetProperty("closedOn").ValueKind == JsonValueKind.Null);
}

/// <summary>Reads a sheet of an xlsx file (MiniExcel): cell (row, column), both from 1, as text.</summary>
internal sealed class XlsxSheet
{
    private readonly List<IDictionary<string, object?>> _rows;

    public XlsxSheet(Stream stream, string sheet)
    {
        _rows = MiniExcelLibs.MiniExcel.Query(stream, useHeaderRow: false, sheetName: sheet).Cast<IDictionary<string, object?>>().ToList();
    }

    public int Rows => _rows.Count;

    public string Cell(int row, int column) =>
        Convert.ToString(_rows[row - 1].TryGetValue(((char)('A' + column - 1)).ToString(), out var v) ? v : null, System.Globalization.CultureInfo.InvariantCulture) ?? "";

    public object? Value(int row, int column) => _rows[row - 1].TryGetValue(((char)('A' + column - 1)).ToString(), out var v) ? v : null;
}
