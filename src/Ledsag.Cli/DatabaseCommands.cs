using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Ledsag.Cli;

/// <summary>Commands that work on Ledsag's database: <c>audit verify</c>, <c>db migrate</c>.</summary>
public static class DatabaseCommands
{
    /// <summary>Opens the database named by the options, else by LEDSAG_DB_PROVIDER / LEDSAG_CONNECTION, else the default SQLite file.</summary>
    public static LedsagDb Open(string? provider, string? connection)
    {
        provider ??= Environment.GetEnvironmentVariable("LEDSAG_DB_PROVIDER") ?? "Sqlite";
        connection ??= Environment.GetEnvironmentVariable("LEDSAG_CONNECTION");
        if (provider.Equals("Postgres", StringComparison.OrdinalIgnoreCase) || provider.Equals("PostgreSQL", StringComparison.OrdinalIgnoreCase))
        {
            return new PostgresLedsagDb(new DbContextOptionsBuilder<PostgresLedsagDb>()
                .UseNpgsql(connection ?? throw new ArgumentException("--connection skal angives for PostgreSQL")).Options);
        }
        if (!provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"--provider: '{provider}' er hverken Sqlite eller Postgres");
        }
        return new SqliteLedsagDb(new DbContextOptionsBuilder<SqliteLedsagDb>().UseSqlite(connection ?? Database.DefaultSqlite).AddInterceptors(SqliteDurability.Instance).Options);
    }

    public static async Task<int> VerifyAuditAsync(string? provider, string? connection, TextWriter output, TextWriter error)
    {
        try
        {
            await using var db = Open(provider, connection);
            if (!await db.Database.CanConnectAsync())
            {
                error.WriteLine("fejl: databasen kan ikke åbnes");
                return LedsagCommand.BadInput;
            }
            var (count, problem) = await new AuditLog(NodaTime.SystemClock.Instance, MasterKey.FromEnvironment()).VerifyAsync(db);
            if (problem is not null)
            {
                output.WriteLine($"FEJL i auditloggen efter {count} gyldige poster: {problem}");
                return LedsagCommand.Failed;
            }
            output.WriteLine($"Auditloggen er intakt: {count} poster, hver kommunes kæde er ubrudt.");
            return LedsagCommand.Ok;
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"fejl: {e.Message}");
            return LedsagCommand.BadInput;
        }
    }

    public static async Task<int> MigrateAsync(string? provider, string? connection, TextWriter output, TextWriter error)
    {
        try
        {
            await using var db = Open(provider, connection);
            var pending = (await db.Database.GetPendingMigrationsAsync()).ToList();
            await Database.MigrateAsync(db);
            output.WriteLine(pending.Count == 0 ? "Databasen er opdateret; ingen migreringer manglede." : $"Anvendte {pending.Count} migrering(er): {string.Join(", ", pending)}");
            return LedsagCommand.Ok;
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"fejl: {e.Message}");
            return LedsagCommand.BadInput;
        }
    }

    /// <summary><c>ledsag privacy anonymise</c>: a dry run by default; <c>--apply</c> anonymises each citizen in its own transaction.</summary>
    public static async Task<int> AnonymiseAsync(string? provider, string? connection, string? asOf, int years, bool apply, bool json,
        TextWriter output, TextWriter error)
    {
        try
        {
            var date = NodaTime.LocalDate.FromDateTime(DateTime.Today);
            if (asOf is not null)
            {
                var parsed = NodaTime.Text.LocalDatePattern.Iso.Parse(asOf);
                if (!parsed.Success)
                {
                    error.WriteLine($"fejl: --as-of: '{asOf}' er ikke en dato (ÅÅÅÅ-MM-DD)");
                    return LedsagCommand.BadInput;
                }
                date = parsed.Value;
            }
            if (years is < 1 or > 100)
            {
                error.WriteLine("fejl: --years skal være mellem 1 og 100");
                return LedsagCommand.BadInput;
            }
            await using var db = Open(provider, connection);
            if (!await db.Database.CanConnectAsync())
            {
                error.WriteLine("fejl: databasen kan ikke åbnes");
                return LedsagCommand.BadInput;
            }
            var due = await Ledsag.Web.Features.Retention.DueAsync(db, date, years);
            var done = 0;
            if (apply)
            {
                var audit = new AuditLog(NodaTime.SystemClock.Instance, MasterKey.FromEnvironment());
                foreach (var c in due)
                {
                    db.ChangeTracker.Clear();
                    done += await Ledsag.Web.Features.Retention.AnonymiseAsync(db, audit, c.CitizenId) ? 1 : 0;
                }
            }
            if (json)
            {
                output.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
                {
                    asOf = date.ToString("yyyy-MM-dd", null), years, due = due.Count, anonymised = done,
                    citizens = due.Select(c => new { id = c.CitizenId, municipality = c.MunicipalityId, lastActivity = c.LastActivity.ToString("yyyy-MM-dd", null) }),
                }));
            }
            else
            {
                foreach (var c in due)
                {
                    output.WriteLine($"{c.MunicipalityId,-12} borger {c.CitizenId}  sidste aktivitet {c.LastActivity:yyyy-MM-dd}");
                }
                output.WriteLine(apply
                    ? $"Anonymiserede {done} borger(e), hvis opbevaringsperiode på {years} år var udløbet pr. {date:yyyy-MM-dd}."
                    : $"{due.Count} borger(e) har en udløbet opbevaringsperiode ({years} år) pr. {date:yyyy-MM-dd}. Kør igen med --apply for at anonymisere.");
            }
            return LedsagCommand.Ok;
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"fejl: {e.Message}");
            return LedsagCommand.BadInput;
        }
    }
}
