using System.Net;
using Ledsag.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary><c>ledsag simulate</c> and <c>ledsag standards diff</c> against a real database and real standard files.</summary>
public sealed class OperatorCommandTests(SqliteFactory factory) : IClassFixture<SqliteFactory>
{
    private static string Standards => Path.Combine(Cli.Tests.CliRoot.Repo, "standards");

    private static (int Exit, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public async Task Simulate_CurrentFirstDrawing_ShowsWhoWouldLoseHoursToLapse_AndHowMany_WithoutChangingData()
    {
        var client = await factory.SignedIn("haderslev", Role.Caseworker);
        var citizen = (await client.Post("/api/citizens", new { cpr = "150575-1234", name = "Simon Simulering" }, HttpStatusCode.Created)).Id();
        var id = (await client.Post("/api/cases", new { citizenId = citizen, receivedOn = "2025-09-01", channel = "telefon" }, HttpStatusCode.Created)).Id();
        await client.Post($"/api/cases/{id}/assessment", new { assessedOn = "2025-09-10", facts = new { } });
        var grant = (await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2025-09-20", outcome = "grant", start = "2025-10-01" })).Id("grantId");
        await client.Post($"/api/grants/{grant}/savings-agreements", new { from = "2025-10-01", to = "2026-12-31", agreedOn = "2025-09-20", agreedDocumentation = "Underskrevet aftale i sagen", purpose = "Rejse" }, HttpStatusCode.Created);
        await client.Post($"/api/grants/{grant}/sessions", new { date = "2025-11-10", hours = 20, activity = "travel" }, HttpStatusCode.Created);
        await client.Post($"/api/grants/{grant}/sessions", new { date = "2026-04-05", hours = 10, activity = "cinema" }, HttpStatusCode.Created);
        var open = (await client.Post("/api/citizens", new { cpr = "150580-1234", name = "Åben Sag" }, HttpStatusCode.Created)).Id();
        await client.Post("/api/cases", new { citizenId = open, receivedOn = "2026-06-01", channel = "telefon" }, HttpStatusCode.Created);

        using var dir = new Cli.Tests.TempDirectory();
        var revised = dir.Write("haderslev.yaml", File.ReadAllText(Path.Combine(Standards, "haderslev.yaml"))
            .Replace("parameters:\n", "parameters:\n  savings:\n    drawing_order:\n      - { from: 2024-01-01, value: current_first, source: \"Forslag til revision: den igangværende måneds timer bruges først\" }\n")
            .Replace("value: 8 uger,", "value: 6 uger,").Replace("    - from: 2024-01-01\n      value: 8 uger\n", "    - from: 2024-01-01\n      value: 6 uger\n"));
        var connection = factory.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["ConnectionStrings:Ledsag"]!;
        var before = await factory.WithDb(db => db.Sessions.CountAsync());

        var (exit, output, error) = Run("simulate", "--standard", revised, "--date", "2026-06-15", "--connection", connection);
        exit.ShouldBe(0, error);
        // Oldest first: October's and November's hours were used; December's 15 lapsed 31 May. Current first
        // would have left October's 10 to lapse on 31 March as well.
        output.ShouldContain("Simon Simulering (150575-xxxx): timer bortfaldet til 2026-06-15 med samme forbrug: 15 → 25");
        output.ShouldContain("Åben Sag (150580-xxxx): afgørelsesfrist for sag HAD-2026-");
        output.ShouldContain(": 2026-07-27 → 2026-07-13");
        output.ShouldContain("10 timer mere ville bortfalde");

        var (jsonExit, json, _) = Run("simulate", "--standard", revised, "--date", "2026-06-15", "--connection", connection, "--json");
        jsonExit.ShouldBe(0);
        System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("hoursMoreLapsing").GetDecimal().ShouldBe(10);
        (await factory.WithDb(db => db.Sessions.CountAsync())).ShouldBe(before);

        var (diffExit, diff, _) = Run("standards", "diff", Path.Combine(Standards, "haderslev.yaml"), revised);
        diffExit.ShouldBe(0);
        diff.ShouldContain("savings.drawing_order: oldest_first → current_first");
        diff.ShouldContain("processing_time: 8 uger → 6 uger");
        diff.ShouldContain("Forslag til revision");
        diff.ShouldContain("2 forskel(le).");

        var broken = dir.Write("broken.yaml", "id: haderslev\nname: x\ndocument: y\nparameters:\n  processing_tim: [ { from: 2024-01-01, value: 8 uger, source: s } ]\n");
        var (badExit, _, badError) = Run("simulate", "--standard", broken, "--connection", connection);
        badExit.ShouldBe(2);
        badError.ShouldContain("broken.yaml:5:");
    }
}
