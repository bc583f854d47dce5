using System.Data.Common;

namespace Ledsag.Web.Infrastructure;

/// <summary>
/// The benchmark's yardsticks, mapped only when <c>Bench:Baselines</c> is true (never in production): a
/// minimal endpoint that inserts one row with plain ADO.NET, and one that reads one row, in the same
/// server, database and durability setting as the real endpoints. bench/README.md
/// </summary>
public static class BenchBaselines
{
    public static void Map(WebApplication app)
    {
        var config = app.Configuration;
        var postgres = Database.IsPostgres(config);
        var connection = config.GetConnectionString("Ledsag") ?? Database.DefaultSqlite;
        DbConnection Open()
        {
            DbConnection c = postgres ? new Npgsql.NpgsqlConnection(connection) : new Microsoft.Data.Sqlite.SqliteConnection(connection);
            c.Open();
            if (!postgres)
            {
                using var pragma = c.CreateCommand();
                pragma.CommandText = "PRAGMA synchronous=FULL;";
                pragma.ExecuteNonQuery();
            }
            return c;
        }
        using (var c = Open())
        {
            using var create = c.CreateCommand();
            create.CommandText = postgres
                ? "CREATE TABLE IF NOT EXISTS bench_raw (id uuid PRIMARY KEY, grant_id uuid NOT NULL, date date NOT NULL, minutes integer NOT NULL)"
                : "CREATE TABLE IF NOT EXISTS bench_raw (id TEXT PRIMARY KEY, grant_id TEXT NOT NULL, date TEXT NOT NULL, minutes INTEGER NOT NULL)";
            create.ExecuteNonQuery();
        }
        app.MapPost("/bench/raw-insert", async (Guid grant, CancellationToken ct) =>
        {
            await using var c = Open();
            await using var insert = c.CreateCommand();
            insert.CommandText = "INSERT INTO bench_raw (id, grant_id, date, minutes) VALUES (@id, @grant, @date, @minutes)";
            Add(insert, "@id", postgres ? Guid.NewGuid() : Guid.NewGuid().ToString());
            Add(insert, "@grant", postgres ? grant : grant.ToString());
            Add(insert, "@date", postgres ? DateOnly.FromDateTime(DateTime.Today) : DateTime.Today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            Add(insert, "@minutes", 15);
            await insert.ExecuteNonQueryAsync(ct);
            return Results.Created();
        }).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/bench/raw-read", async (Guid grant, CancellationToken ct) =>
        {
            await using var c = Open();
            await using var read = c.CreateCommand();
            read.CommandText = "SELECT \"MinutesPerMonth\" FROM \"Grants\" WHERE \"Id\" = @id";
            Add(read, "@id", postgres ? grant : grant.ToString().ToUpperInvariant());
            return Results.Ok(new { minutes = await read.ExecuteScalarAsync(ct) });
        }).AllowAnonymous().ExcludeFromDescription();
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }
}
