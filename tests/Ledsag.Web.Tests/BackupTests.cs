using System.Net;
using Ledsag.Web.Data;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary><c>ledsag backup</c> while the server runs, <c>ledsag restore</c> into an empty database: identical data, intact audit chain.</summary>
public abstract class BackupTests(LedsagFactory factory, string provider)
{
    protected abstract string TargetConnection();

    private (int Exit, string Out, string Err) Run(params string[] args) => CliRunner.Run([.. args, "--provider", provider]);

    [Fact]
    public async Task ABackupTakenWhileRunning_RestoresToIdenticalData()
    {
        var client = await factory.SignedIn("ballerup", Role.Caseworker);
        var citizen = (await client.Post("/api/citizens", new { cpr = "250560-1234", name = "Backup Bodil" }, HttpStatusCode.Created)).Id();
        var id = (await client.Post("/api/cases", new { citizenId = citizen, receivedOn = "2025-10-01", channel = "telefon" }, HttpStatusCode.Created)).Id();
        await client.Post($"/api/cases/{id}/assessment", new { assessedOn = "2025-10-10", facts = new { } });
        await client.Consult(id, "2025-10-11");
        var grant = (await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2025-10-20", outcome = "grant", start = "2025-11-01" })).Id("grantId");
        await client.Post($"/api/grants/{grant}/sessions", new { date = "2026-01-10", hours = 3, activity = "culture" }, HttpStatusCode.Created);

        var source = factory.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["ConnectionStrings:Ledsag"]!;
        var file = Path.Combine(Path.GetTempPath(), $"ledsag-backup-{Guid.NewGuid():N}.bak");
        var (exit, output, error) = Run("backup", "--out", file, "--connection", source);
        exit.ShouldBe(0, error);
        var summary = output[(output.IndexOf(": ", StringComparison.Ordinal) + 2)..].Trim();
        summary.ShouldContain("1 bevillinger, 1 ledsagelser");

        var target = TargetConnection();
        var restored = Run("restore", "--from", file, "--connection", target);
        restored.Exit.ShouldBe(0, restored.Err);
        restored.Out.ShouldEndWith(summary + Environment.NewLine);
        Run("audit", "verify", "--connection", target).Exit.ShouldBe(0);
        Run("restore", "--from", file, "--connection", target).Err.ShouldContain("--force");
        Run("restore", "--from", "/nonexistent.bak", "--connection", target).Exit.ShouldBe(2);
        File.Delete(file);
        Summary.Line($"Backup and restore ({provider}): taken while running, restored to an identical database ({summary}), audit chain intact — lost 0");
    }
}

[Collection("sqlite")]
public sealed class SqliteBackupTests(SqliteFactory factory) : BackupTests(factory, "Sqlite"), IClassFixture<SqliteFactory>
{
    protected override string TargetConnection() => $"Data Source={Path.Combine(Path.GetTempPath(), $"ledsag-restored-{Guid.NewGuid():N}.db")}";
}

[Collection("postgres")]
public sealed class PostgresBackupTests(PostgresFactory factory) : BackupTests(factory, "Postgres"), IClassFixture<PostgresFactory>
{
    protected override string TargetConnection() =>
        new Npgsql.NpgsqlConnectionStringBuilder(Postgres.ConnectionString) { Database = $"ledsag_restored_{Guid.NewGuid():N}" }.ToString();
}
