using Ledsag.Domain.Hours;
using Ledsag.Domain.Standards;
using Ledsag.Web.Data;
using Ledsag.Web.Features;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>The demo data of the five municipalities, seeded once on SQLite and only read by the tests.</summary>
public sealed class SeededDemo : IAsyncLifetime
{
    public SqliteFactory App { get; } = new();

    public async Task InitializeAsync()
    {
        using var scope = App.Services.CreateScope();
        await DemoData.SeedAsync(scope.ServiceProvider);
    }

    public Task DisposeAsync()
    {
        App.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// The demo data obeys the rules it demonstrates, judged by the product's own rule code (approval, employment, the
/// match rules, one citizen at a time, the hours ledger) — and the reset that starts the demo again.
/// </summary>
public sealed class DemoDataTests(SeededDemo demo) : IClassFixture<SeededDemo>
{
    public static TheoryData<string> Municipalities => [.. DemoData.Municipalities];

    private static readonly NodaTime.LocalDate Today = NodaTime.LocalDate.FromDateTime(LedsagFactory.Now.ToDateTimeUtc());

    /// <summary>What the rules said, as the messages a coordinator would see; empty when they accept.</summary>
    private static string[] Refusals(Validation v)
    {
        try
        {
            v.ThrowIfInvalid();
            return [];
        }
        catch (ProblemException p)
        {
            return [.. p.Errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}"))];
        }
    }

    [Theory]
    [MemberData(nameof(Municipalities))]
    public async Task EveryApprovedOrEmployedCompanion_PassesApproval_AndTheEmployerRule(string m)
    {
        var standard = demo.App.Standard(m);
        await demo.App.WithDb(async db =>
        {
            var companions = await db.Companions.Where(k => k.MunicipalityId == m).ToListAsync();
            companions.Count(k => k.Status == CompanionStatus.Employed).ShouldBeGreaterThanOrEqualTo(2);
            foreach (var k in companions.Where(k => k.Status is CompanionStatus.Approved or CompanionStatus.Employed))
            {
                var v = new Validation();
                // Approval's rules: the criminal record where the standard requires one, the nominator's declaration, the employer.
                await CompanionRules.RequireApprovableAsync(v, db, standard, k, Today, CancellationToken.None);
                if (k.Status == CompanionStatus.Employed)
                {
                    await CompanionRules.RequireEmployerAsync(v, db, standard, m, k.Employer, k.ProviderId, null, Today, CancellationToken.None);
                }
                Refusals(v).ShouldBeEmpty($"{m}: {k.Name} ({k.Status})");
            }
            return 0;
        });
    }

    [Fact]
    public async Task TheApprovalCheck_RefusesARecordWithRemarksInHaderslev_SoTheDemoCheckCanFail()
    {
        var standard = demo.App.Standard("haderslev");
        standard.Get<bool>(Parameters.CompanionCriminalRecord, Today).Value.ShouldBeTrue();
        var remarks = new Companion { MunicipalityId = "haderslev", Name = "Med Anmærkninger", Status = CompanionStatus.Employed, CriminalRecordDate = Today.PlusMonths(-2), CriminalRecordClean = false };
        var v = new Validation();
        await demo.App.WithDb(async db =>
        {
            await CompanionRules.RequireApprovableAsync(v, db, standard, remarks, Today, CancellationToken.None);
            return 0;
        });
        Refusals(v).ShouldContain(r => r.StartsWith("criminalRecord: Kræver en straffeattest uden anmærkninger", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Municipalities))]
    public async Task EveryAssignment_IsToAnApprovedCompanion_WhoMeetsTheMatchRules_AndNoCompanionHasThreeCitizens(string m)
    {
        var standard = demo.App.Standard(m);
        await demo.App.WithDb(async db =>
        {
            var companions = await db.Companions.Where(k => k.MunicipalityId == m).ToDictionaryAsync(k => k.Id);
            var assignments = await db.Assignments.Where(a => companions.Keys.Contains(a.CompanionId)).ToListAsync();
            assignments.ShouldNotBeEmpty();
            foreach (var a in assignments)
            {
                var k = companions[a.CompanionId];
                k.Status.ShouldBeOneOf(CompanionStatus.Approved, CompanionStatus.Employed);
                // The rules a coordinator's accepted match meets: approved, clean record where required, a declaration without a close relation.
                await Should.NotThrowAsync(() => CompanionRules.RequireAssignableAsync(db, standard, k, a.CitizenId, a.From, CancellationToken.None), $"{m}: {k.Name}");
            }
            var running = assignments.Where(a => a.EndedOn is null).GroupBy(a => a.CompanionId).ToList();
            // The standards set no number of citizens per companion; the demo gives each at most two, never three as it once did.
            running.ShouldAllBe(g => g.Count() <= 2);
            // A citizen whose grant ended is no longer accompanied.
            var inForce = await db.Grants.Where(g => g.MunicipalityId == m && g.End == null).Select(g => g.CitizenId).ToListAsync();
            running.SelectMany(g => g).ShouldAllBe(a => inForce.Contains(a.CitizenId));
            return 0;
        });
    }

    [Theory]
    [MemberData(nameof(Municipalities))]
    public async Task NoCompanionIsWithTwoCitizensAtOnce_AndEverySessionsCompanionIsEmployedAndAssigned(string m)
    {
        var standard = demo.App.Standard(m);
        await demo.App.WithDb(async db =>
        {
            var grants = await db.Grants.Where(g => g.MunicipalityId == m).ToDictionaryAsync(g => g.Id);
            var sessions = GrantEndpoints.Standing(await db.Sessions.Where(s => grants.Keys.Contains(s.GrantId) && s.CompanionId != null).ToListAsync());
            sessions.ShouldNotBeEmpty();
            var companions = await db.Companions.Where(k => k.MunicipalityId == m).ToDictionaryAsync(k => k.Id);
            var assignments = await db.Assignments.Where(a => companions.Keys.Contains(a.CompanionId)).ToListAsync();
            foreach (var s in sessions)
            {
                companions[s.CompanionId!.Value].Status.ShouldBe(CompanionStatus.Employed);
                assignments.ShouldContain(a => a.CompanionId == s.CompanionId && a.CitizenId == grants[s.GrantId].CitizenId
                    && a.From <= s.Date && (a.EndedOn == null || s.Date <= a.EndedOn));
                if (standard.Get<bool>(Parameters.CompanionOneCitizenAtATime, s.Date).Value)
                {
                    var others = sessions.Where(o => o.CompanionId == s.CompanionId && o.Date == s.Date && o.Id != s.Id).ToList();
                    SessionEndpoints.Overlapping(others, s.StartTime!.Value, s.EndTime!.Value).ShouldBeNull($"{m}: {companions[s.CompanionId.Value].Name} on {s.Date}");
                }
            }
            return 0;
        });
    }

    [Theory]
    [MemberData(nameof(Municipalities))]
    public async Task EveryGrantsSessions_FitItsHours_InTheLedgerTheRegistrationUses(string m)
    {
        var standard = demo.App.Standard(m);
        await demo.App.WithDb(async db =>
        {
            var grants = await db.Grants.Where(g => g.MunicipalityId == m).ToListAsync();
            grants.Count.ShouldBe(4);
            foreach (var g in grants)
            {
                var (all, agreements) = await GrantEndpoints.RowsAsync(db, g.Id, CancellationToken.None);
                var standing = GrantEndpoints.Standing(all);
                standing.ShouldNotBeEmpty();
                var ledger = new HoursLedger(GrantEndpoints.ToDomain(g, agreements), LedgerRules.Timeline(standard));
                foreach (var s in standing)
                {
                    var outcome = ledger.Use(s.Date, new Domain.Minutes(s.Minutes));
                    outcome.Accepted.ShouldBeTrue($"{m}: grant {g.Id}, {s.Minutes} minutes on {s.Date}: {outcome.Reason}");
                }
            }
            return 0;
        });
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task SeedDemoReset_DeletesTheDemoDatabase_AndSeedsItAgain_WithoutWhatWasAddedBefore(string provider)
    {
        var file = Path.Combine(Path.GetTempPath(), $"ledsag-reset-{Guid.NewGuid():N}.db");
        var connection = provider == "Sqlite" ? $"Data Source={file}"
            : new Npgsql.NpgsqlConnectionStringBuilder(Postgres.ConnectionString) { Database = $"ledsag_reset_{Guid.NewGuid():N}" }.ToString();
        (int Exit, string Out, string Err) Run(params string[] args) => CliRunner.Run([.. args, "--provider", provider, "--connection", connection]);
        try
        {
            Run("seed", "--demo").Exit.ShouldBe(0);
            await using (var db = Cli.DatabaseCommands.Open(provider, connection))
            {
                db.Citizens.Add(new Citizen { MunicipalityId = "lejre", Name = "Før Nulstilling", Cpr = "0101801234", BirthDate = new NodaTime.LocalDate(1980, 1, 1) });
                await db.SaveChangesAsync();
            }

            var (exit, output, error) = Run("seed", "--demo", "--reset");
            exit.ShouldBe(0, error);
            output.ShouldStartWith("Demodata er nulstillet: databasen er slettet og oprettet igen med frisk demodata");
            await using (var db = Cli.DatabaseCommands.Open(provider, connection))
            {
                (await db.Citizens.AnyAsync(c => c.Name == "Før Nulstilling")).ShouldBeFalse();
                (await db.Users.CountAsync(u => u.UserName.StartsWith("admin."))).ShouldBe(5);
                (await db.Companions.CountAsync()).ShouldBe(10);
                (await db.Citizens.CountAsync()).ShouldBe(40);
            }

            // Bad input: a reset without --demo, and a database that holds more than the demo, are refused with a line and a reason.
            var alone = Run("seed", "--reset");
            alone.Exit.ShouldBe(2);
            alone.Err.ShouldBe($"fejl: --reset: kan kun bruges sammen med --demo (kun demodata kan nulstilles){Environment.NewLine}");
            await using (var db = Cli.DatabaseCommands.Open(provider, connection))
            {
                await db.Users.Where(u => u.UserName == "admin.haderslev").ExecuteUpdateAsync(u => u.SetProperty(x => x.UserName, "kommunens.admin"));
            }
            var real = Run("seed", "--demo", "--reset");
            real.Exit.ShouldBe(2);
            real.Err.ShouldStartWith("fejl: --reset: databasen indeholder andre data end demodata og bliver ikke nulstillet");
            await using (var db = Cli.DatabaseCommands.Open(provider, connection))
            {
                (await db.Users.AnyAsync(u => u.UserName == "kommunens.admin")).ShouldBeTrue(); // nothing was touched
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var f in new[] { file, file + "-wal", file + "-shm" })
            {
                File.Delete(f);
            }
        }
    }

    [Fact]
    public async Task TheServer_StartedWithDemoAndReset_StartsFromFreshDemoData()
    {
        var file = Path.Combine(Path.GetTempPath(), $"ledsag-reset-server-{Guid.NewGuid():N}.db");
        var connection = $"Data Source={file}";
        try
        {
            CliRunner.Run("seed", "--demo", "--connection", connection).Exit.ShouldBe(0);
            await using (var db = Cli.DatabaseCommands.Open("Sqlite", connection))
            {
                db.Citizens.Add(new Citizen { MunicipalityId = "ballerup", Name = "Gammel Testborger", Cpr = "0101801234", BirthDate = new NodaTime.LocalDate(1980, 1, 1) });
                await db.SaveChangesAsync();
            }
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

            await using (var server = await ServerProcess.StartAsync("Sqlite", connection, demo: true, reset: true))
            {
                server.Output.ShouldContain(DemoData.ResetDone);
                using var admin = await server.SignInAsync("sagsbehandler.ballerup");
                var citizens = await admin.GetStringAsync("/api/citizens");
                citizens.ShouldNotContain("Gammel Testborger");
                citizens.ShouldContain("Anna Holm");
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var f in new[] { file, file + "-wal", file + "-shm" })
            {
                File.Delete(f);
            }
        }
    }
}
