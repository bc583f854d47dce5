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

    public static string Str(this JsonElement e, string name) => e.GetProperty(name).GetString()!;

    public static Guid Id(this JsonElement e, string name = "id") => e.GetProperty(name).GetGuid();

    public static JsonElement Deadline(this JsonElement caseView, string kind) =>
        caseView.GetProperty("deadlines").EnumerateArray().Last(d => d.Str("kind") == kind);

    public static bool HasOpenDeadline(this JsonElement caseView, string kind) =>
        caseView.GetProperty("deadlines").EnumerateArray().Any(d => d.Str("kind") == kind && d.GetProperty("closedOn").ValueKind == JsonValueKind.Null);
}
