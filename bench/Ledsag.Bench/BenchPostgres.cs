using Ledsag.Testing;

namespace Ledsag.Bench;

/// <summary>
/// The PostgreSQL the benchmark runs on: LEDSAG_BENCH_POSTGRES when set, otherwise a throwaway cluster
/// from Debian's package with its default durability (fsync on), stopped at the end.
/// </summary>
public static class BenchPostgres
{
    private static string? _server;
    private static ThrowawayPostgres? _cluster;

    public static string Database(string name) =>
        new Npgsql.NpgsqlConnectionStringBuilder(Server()) { Database = $"{name}_{Guid.NewGuid():N}", MaxPoolSize = 100 }.ToString();

    private static string Server()
    {
        if (_server is not null)
        {
            return _server;
        }
        if (Environment.GetEnvironmentVariable("LEDSAG_BENCH_POSTGRES") is { Length: > 0 } configured)
        {
            return _server = configured;
        }
        _cluster = ThrowawayPostgres.Start("ledsag-bench-pg-", 57000, "-c max_connections=300 -c shared_buffers=256MB")
            ?? throw new InvalidOperationException("PostgreSQL is not installed and LEDSAG_BENCH_POSTGRES is not set (scripts/bench installs it).");
        return _server = _cluster.ConnectionString;
    }

    public static void Stop()
    {
        _cluster?.Stop();
        _cluster = null;
    }
}
