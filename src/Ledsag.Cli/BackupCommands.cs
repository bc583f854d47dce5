using System.Diagnostics;
using Ledsag.Web.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Ledsag.Cli;

/// <summary>
/// <c>ledsag backup --out FILE</c> and <c>ledsag restore --from FILE</c>. SQLite: the online backup API (a
/// consistent copy while the server runs). PostgreSQL: pg_dump / pg_restore from the Debian package.
/// </summary>
public static class BackupCommands
{
    public static async Task<int> BackupAsync(string outFile, string? provider, string? connection, TextWriter output, TextWriter error)
    {
        try
        {
            await using var db = DatabaseCommands.Open(provider, connection);
            if (!await db.Database.CanConnectAsync())
            {
                throw new ArgumentException("databasen kan ikke åbnes");
            }
            string summary;
            if (db.Database.IsSqlite())
            {
                await using var source = new SqliteConnection(db.Database.GetConnectionString());
                await source.OpenAsync();
                await using var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = outFile, Pooling = false }.ToString());
                await target.OpenAsync();
                source.BackupDatabase(target);
                await target.CloseAsync();
                // What the file holds, counted in the file itself.
                await using var written = DatabaseCommands.Open("Sqlite", new SqliteConnectionStringBuilder { DataSource = outFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
                summary = await SummaryAsync(written);
            }
            else
            {
                // The dump and the counts see one snapshot: the counts are what the file holds, whatever the server writes meanwhile.
                await db.Database.OpenConnectionAsync();
                await using var snapshot = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
                var id = await db.Database.SqlQueryRaw<string>("SELECT pg_export_snapshot() AS \"Value\"").SingleAsync();
                summary = await SummaryAsync(db);
                PgTool("pg_dump", db.Database.GetConnectionString()!, $"-Fc --snapshot={id} -f \"{outFile}\"");
            }
            output.WriteLine($"Sikkerhedskopi skrevet til {outFile}: {summary}");
            return LedsagCommand.Ok;
        }
        catch (Exception e) when (e is ArgumentException or IOException or SqliteException or NpgsqlException or InvalidOperationException)
        {
            error.WriteLine($"fejl: {e.Message}");
            return LedsagCommand.BadInput;
        }
    }

    public static async Task<int> RestoreAsync(string fromFile, bool force, string? provider, string? connection, TextWriter output, TextWriter error)
    {
        try
        {
            if (!File.Exists(fromFile))
            {
                throw new ArgumentException($"--from: filen {fromFile} findes ikke");
            }
            await using var db = DatabaseCommands.Open(provider, connection);
            if (!force && await db.Database.CanConnectAsync() && (await db.Database.GetAppliedMigrationsAsync()).Any() && await db.Audit.AnyAsync())
            {
                throw new ArgumentException("måldatabasen indeholder data; brug --force for at overskrive den");
            }
            if (db.Database.IsSqlite())
            {
                await using var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = fromFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
                await source.OpenAsync();
                await using var target = new SqliteConnection(db.Database.GetConnectionString());
                await target.OpenAsync();
                source.BackupDatabase(target);
            }
            else
            {
                var builder = new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString());
                var database = builder.Database!;
                builder.Database = "postgres";
                await using (var admin = new NpgsqlConnection(builder.ToString()))
                {
                    await admin.OpenAsync();
                    await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @d", admin);
                    exists.Parameters.AddWithValue("d", database);
                    if (await exists.ExecuteScalarAsync() is null)
                    {
                        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Replace("\"", "\"\"")}\"", admin);
                        await create.ExecuteNonQueryAsync();
                    }
                }
                PgTool("pg_restore", db.Database.GetConnectionString()!, $"--clean --if-exists --no-owner -d \"{database}\" \"{fromFile}\"");
            }
            var restored = await SummaryAsync(db);
            // A restore is a deliberate step back: the audit log's anchor moves to the restored chain's head.
            await new Web.Infrastructure.AuditLog(NodaTime.SystemClock.Instance, Web.Infrastructure.MasterKey.FromEnvironment()).ResetHeadAsync(db);
            output.WriteLine("Auditloggens anker er sat til den gendannede logs sidste post.");
            output.WriteLine($"Gendannet fra {fromFile}: {restored}");
            return LedsagCommand.Ok;
        }
        catch (Exception e) when (e is ArgumentException or IOException or SqliteException or NpgsqlException or InvalidOperationException)
        {
            error.WriteLine($"fejl: {e.Message}");
            return LedsagCommand.BadInput;
        }
    }

    /// <summary>Row counts of the main tables, for a human check and for the round-trip test.</summary>
    public static async Task<string> SummaryAsync(LedsagDb db) =>
        $"{await db.Citizens.CountAsync()} borgere, {await db.Cases.CountAsync()} sager, {await db.Grants.CountAsync()} bevillinger, " +
        $"{await db.Sessions.CountAsync()} ledsagelser, {await db.Letters.CountAsync()} breve, {await db.Audit.CountAsync()} auditposter";

    private static void PgTool(string tool, string connection, string args)
    {
        var b = new NpgsqlConnectionStringBuilder(connection);
        var path = new[] { Environment.GetEnvironmentVariable("PATH") ?? "" }.SelectMany(p => p.Split(':'))
            .Concat(Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")) : [])
            .Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists) ?? throw new InvalidOperationException($"{tool} findes ikke (Debian-pakken postgresql-client)");
        var info = new ProcessStartInfo(path, $"-h {b.Host} -p {b.Port} -U {b.Username} {(tool == "pg_dump" ? $"-d \"{b.Database}\" " : "")}{args}")
        {
            RedirectStandardError = true, RedirectStandardOutput = true,
        };
        if (b.Password is { Length: > 0 } password)
        {
            info.Environment["PGPASSWORD"] = password;
        }
        using var p = Process.Start(info)!;
        var stderr = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} fejlede: {stderr.Trim()}");
        }
    }
}
