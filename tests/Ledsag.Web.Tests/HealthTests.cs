using System.Net;
using System.Text.Json;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>The probes: live asks nothing of the database, ready (and /health) asks that the database answers, migrated.</summary>
public sealed class HealthTests
{
    private static async Task<(HttpStatusCode Status, JsonElement Body, string Text)> Probe(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/json", $"{url}: {text}");
        return (response.StatusCode, JsonDocument.Parse(text).RootElement, text);
    }

    [Fact]
    public async Task OnAHealthyHost_LiveReadyAndHealth_Are200Ok_WithoutSigningIn()
    {
        using var factory = new SqliteFactory();
        var client = factory.CreateClient();
        foreach (var url in new[] { "/health/live", "/health/ready", "/health" })
        {
            var (status, body, text) = await Probe(client, url);
            status.ShouldBe(HttpStatusCode.OK, text);
            text.ShouldBe("""{"status":"ok"}""");
            body.Str("status").ShouldBe("ok");
        }
    }

    [Fact]
    public async Task WhenTheDatabaseIsUnmigratedOrGone_ReadyIs503NamingIt_WhileLiveStays200()
    {
        using var factory = new SqliteFactory();
        var client = factory.CreateClient();
        (await Probe(client, "/health/ready")).Status.ShouldBe(HttpStatusCode.OK);
        var file = factory.DatabaseFile;
        try
        {
            // An empty database in its place: it answers, but without the tables this version needs.
            factory.ClearPool();
            foreach (var f in new[] { file, file + "-wal", file + "-shm" })
            {
                File.Delete(f);
            }
            File.WriteAllBytes(file, []);
            var (status, body, text) = await Probe(client, "/health/ready");
            status.ShouldBe(HttpStatusCode.ServiceUnavailable, text);
            body.Str("status").ShouldBe("fejl");
            body.GetProperty("failing").EnumerateObject().Select(p => (p.Name, p.Value.GetString())).ShouldBe([("database", "Databasen mangler migreringer.")]);

            // No database at all: a folder where the file was cannot be opened.
            factory.ClearPool();
            foreach (var f in new[] { file, file + "-wal", file + "-shm" })
            {
                File.Delete(f);
            }
            Directory.CreateDirectory(file);
            (status, body, text) = await Probe(client, "/health/ready");
            status.ShouldBe(HttpStatusCode.ServiceUnavailable, text);
            body.GetProperty("failing").EnumerateObject().Select(p => (p.Name, p.Value.GetString())).ShouldBe([("database", "Databasen svarer ikke.")]);
            text.ShouldNotContain("Exception");
            text.ShouldNotContain("SQLite");
            var health = await Probe(client, "/health");
            (health.Status, health.Text).ShouldBe((HttpStatusCode.ServiceUnavailable, text));

            var live = await Probe(client, "/health/live");
            (live.Status, live.Text).ShouldBe((HttpStatusCode.OK, """{"status":"ok"}"""));
        }
        finally
        {
            factory.ClearPool();
            if (Directory.Exists(file))
            {
                Directory.Delete(file);
            }
        }
    }
}
