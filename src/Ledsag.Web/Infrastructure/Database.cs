using Ledsag.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Ledsag.Web.Infrastructure;

/// <summary>
/// Chooses the database from configuration: <c>Database:Provider</c> = <c>Sqlite</c> (default: a file
/// under data/, created and migrated on first run) or <c>Postgres</c>, with <c>ConnectionStrings:Ledsag</c>.
/// </summary>
public static class Database
{
    public const string DefaultSqlite = "Data Source=data/ledsag.db";

    public static bool IsPostgres(IConfiguration config) =>
        string.Equals(config["Database:Provider"], "Postgres", StringComparison.OrdinalIgnoreCase) ||
        string.Equals(config["Database:Provider"], "PostgreSQL", StringComparison.OrdinalIgnoreCase);

    public static IServiceCollection AddLedsagDatabase(this IServiceCollection services, IConfiguration config)
    {
        var connection = config.GetConnectionString("Ledsag");
        if (IsPostgres(config))
        {
            if (string.IsNullOrWhiteSpace(connection))
            {
                throw new InvalidOperationException("Database:Provider is Postgres, but ConnectionStrings:Ledsag is not set.");
            }
            services.AddDbContextPool<PostgresLedsagDb>(o => o.UseNpgsql(connection));
            services.AddScoped<LedsagDb>(sp => sp.GetRequiredService<PostgresLedsagDb>());
        }
        else
        {
            connection = string.IsNullOrWhiteSpace(connection) ? DefaultSqlite : connection;
            EnsureFolder(connection);
            services.AddDbContextPool<SqliteLedsagDb>(o => o.UseSqlite(connection).AddInterceptors(SqliteDurability.Instance));
            services.AddScoped<LedsagDb>(sp => sp.GetRequiredService<SqliteLedsagDb>());
        }
        return services;
    }

    /// <summary>Applies pending migrations; on SQLite also switches to WAL with full fsync.</summary>
    public static async Task MigrateAsync(LedsagDb db)
    {
        await db.Database.MigrateAsync();
        if (db.Database.IsSqlite())
        {
            // WAL lets readers run beside the writer; synchronous=FULL keeps every acknowledged commit on disk.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
            await db.Database.ExecuteSqlRawAsync("PRAGMA synchronous=FULL;");
        }
    }

    /// <summary>
    /// Deletes the whole database, for a fresh start (the demo's reset): on SQLite the file with its write-ahead log and
    /// shared-memory file (a log left behind would be replayed into the new file), on PostgreSQL the public schema with
    /// every table. <see cref="MigrateAsync"/> creates it again.
    /// </summary>
    public static async Task DropAsync(LedsagDb db)
    {
        if (db.Database.IsSqlite())
        {
            var connection = (Microsoft.Data.Sqlite.SqliteConnection)db.Database.GetDbConnection();
            var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connection.ConnectionString).DataSource;
            await db.Database.CloseConnectionAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearPool(connection);
            if (file is not ("" or ":memory:"))
            {
                foreach (var f in new[] { file, file + "-wal", file + "-shm", file + "-journal" })
                {
                    File.Delete(f);
                }
            }
            return;
        }
        await db.Database.ExecuteSqlRawAsync("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;");
    }

    private static void EnsureFolder(string connection)
    {
        var builder = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connection);
        var folder = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (!string.IsNullOrEmpty(folder) && builder.DataSource != ":memory:")
        {
            Directory.CreateDirectory(folder);
        }
    }
}

/// <summary>
/// The SQLite durability setting, on every connection (a PRAGMA holds per connection, not per file):
/// <c>synchronous=FULL</c> in WAL mode fsyncs the log at every commit, so an acknowledged write survives
/// a crash of the process and of the machine. docs/operations.md
/// </summary>
public sealed class SqliteDurability : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
{
    public static readonly SqliteDurability Instance = new();

    private const string Pragmas = "PRAGMA synchronous=FULL;";

    // The setting belongs to the SQLite handle, which the connection pool keeps between opens: set it once per handle.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> Done = [];

    private static bool IsNew(System.Data.Common.DbConnection connection) =>
        connection is not Microsoft.Data.Sqlite.SqliteConnection { Handle: { } handle } || Done.TryAdd(handle, Done);

    public override void ConnectionOpened(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData)
    {
        if (!IsNew(connection))
        {
            return;
        }
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        if (!IsNew(connection))
        {
            return;
        }
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
