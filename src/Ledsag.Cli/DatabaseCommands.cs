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
            var (count, problem) = await AuditLog.VerifyAsync(db);
            if (problem is not null)
            {
                output.WriteLine($"FEJL i auditloggen efter {count} gyldige poster: {problem}");
                return LedsagCommand.Failed;
            }
            output.WriteLine($"Auditloggen er intakt: {count} poster, kæden er ubrudt.");
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
}
