using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Ledsag.Web.Data;

/// <summary>
/// Inserts many rows of one entity type fast, inside the caller's transaction: binary COPY on
/// PostgreSQL, one prepared INSERT reused row by row on SQLite. Columns and value conversions come
/// from the EF model, so what is written is exactly what EF would write.
/// </summary>
public static class BulkInsert
{
    public static async Task<long> WriteAsync<T>(LedsagDb db, IEnumerable<T> rows, CancellationToken ct = default) where T : class
    {
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not an entity");
        var table = entity.GetTableName()!;
        var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
        var columns = entity.GetProperties()
            .Where(p => !(p.IsPrimaryKey() && p.ClrType == typeof(long))) // identity keys are the database's
            .Select(p => (Property: p, Column: p.GetColumnName(store)!, Converter: p.GetTypeMapping().Converter, Getter: p.GetGetter()))
            .ToList();
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(ct);
        }
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        long count = 0;
        if (db.Database.IsNpgsql())
        {
            var npgsql = (Npgsql.NpgsqlConnection)connection;
            var copy = $"COPY \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c.Column}\""))}) FROM STDIN (FORMAT BINARY)";
            var types = columns.Select(c => c.Property.GetColumnType(store)).ToList();
            await using var importer = await npgsql.BeginBinaryImportAsync(copy, ct);
            foreach (var row in rows)
            {
                await importer.StartRowAsync(ct);
                for (var i = 0; i < columns.Count; i++)
                {
                    var value = Value(columns[i].Getter.GetClrValueUsingContainingEntity(row), columns[i].Converter);
                    if (value is null)
                    {
                        await importer.WriteNullAsync(ct);
                    }
                    else
                    {
                        await importer.WriteAsync(value, types[i], ct);
                    }
                }
                count++;
            }
            await importer.CompleteAsync(ct);
            return count;
        }

        // A page cache large enough for the indexes being filled: random keys (the ids are GUIDs) otherwise
        // send most inserts to disk for a page. Set back afterwards; the connection may be pooled.
        long cacheSize;
        await using (var pragma = connection.CreateCommand())
        {
            pragma.Transaction = transaction;
            pragma.CommandText = "PRAGMA cache_size";
            cacheSize = Convert.ToInt64(await pragma.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
            pragma.CommandText = "PRAGMA cache_size=-262144"; // KiB: 256 MB at most, used only as far as pages are touched
            await pragma.ExecuteNonQueryAsync(ct);
        }
        try
        {
            return Sqlite(db, rows, columns, connection, transaction);
        }
        finally
        {
            await using var pragma = connection.CreateCommand();
            pragma.Transaction = transaction;
            pragma.CommandText = $"PRAGMA cache_size={cacheSize}";
            await pragma.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static long Sqlite<T>(LedsagDb db, IEnumerable<T> rows, List<(IProperty Property, string Column, ValueConverter? Converter, IClrPropertyGetter Getter)> columns,
        DbConnection connection, DbTransaction? transaction) where T : class
    {
        var table = db.Model.FindEntityType(typeof(T))!.GetTableName()!;
        long count = 0;
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c.Column}\""))}) VALUES ({string.Join(", ", columns.Select((_, i) => $"@p{i}"))})";
        var parameters = new DbParameter[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            parameters[i] = command.CreateParameter();
            parameters[i].ParameterName = $"@p{i}";
            command.Parameters.Add(parameters[i]);
        }
        command.Prepare();
        // Synchronous on purpose: SQLite runs in this process, so the async calls would only add overhead per row.
        foreach (var row in rows)
        {
            for (var i = 0; i < columns.Count; i++)
            {
                parameters[i].Value = Value(columns[i].Getter.GetClrValueUsingContainingEntity(row), columns[i].Converter) ?? DBNull.Value;
            }
            command.ExecuteNonQuery();
            count++;
        }
        return count;
    }

    private static object? Value(object? value, ValueConverter? converter) =>
        value is null ? null : converter is null ? value : converter.ConvertToProvider(value);
}
