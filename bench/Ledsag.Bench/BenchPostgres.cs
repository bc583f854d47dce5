using System.Diagnostics;

namespace Ledsag.Bench;

/// <summary>
/// The PostgreSQL the benchmark runs on: LEDSAG_BENCH_POSTGRES when set, otherwise a throwaway cluster
/// from Debian's package with its default durability (fsync on), stopped at the end.
/// </summary>
public static class BenchPostgres
{
    private static string? _server;
    private static (string Bin, string Dir)? _cluster;

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
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).First(d => File.Exists(Path.Combine(d, "initdb")));
        var dir = Directory.CreateTempSubdirectory("ledsag-bench-pg-").FullName;
        var port = 57000 + (Environment.ProcessId % 1000);
        Run("chown", $"postgres:postgres {dir}");
        Run("chmod", $"700 {dir}");
        AsPostgres(Path.Combine(bin, "initdb"), $"-D {dir} -U postgres --auth=trust -E UTF8 --locale=C.UTF-8");
        AsPostgres(Path.Combine(bin, "pg_ctl"), $"-D {dir} -l {dir}/server.log -w -o \"-c listen_addresses=127.0.0.1 -p {port} -k {dir} -c max_connections=300 -c shared_buffers=256MB\" start");
        _cluster = (bin, dir);
        return _server = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
    }

    public static void Stop()
    {
        if (_cluster is { } c)
        {
            AsPostgres(Path.Combine(c.Bin, "pg_ctl"), $"-D {c.Dir} stop -m fast");
            _cluster = null;
        }
    }

    private static void AsPostgres(string program, string args) =>
        Run(Environment.UserName == "postgres" ? program : "runuser", Environment.UserName == "postgres" ? args : $"-u postgres -- {program} {args}");

    private static void Run(string program, string args)
    {
        using var p = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stderr = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {args} failed: {stderr}");
        }
    }
}
