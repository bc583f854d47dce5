using System.Diagnostics;

namespace Ledsag.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster on 127.0.0.1, started from the Debian package's binaries in a temporary
/// folder. The test suite and the benchmark differ only in its settings (the suite turns fsync off; the
/// benchmark keeps PostgreSQL's default durability). Linked into both projects.
/// </summary>
internal sealed class ThrowawayPostgres
{
    private readonly string _bin;
    private readonly string _dir;

    private ThrowawayPostgres(string bin, string dir, string connectionString) => (_bin, _dir, ConnectionString) = (bin, dir, connectionString);

    /// <summary>The server's connection string (database "postgres").</summary>
    public string ConnectionString { get; }

    /// <summary>Initialises and starts a cluster with <paramref name="settings"/> (postgres -c options); null when PostgreSQL is not installed.</summary>
    public static ThrowawayPostgres? Start(string folderPrefix, int basePort, string settings)
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            : null;
        if (bin is null)
        {
            return null;
        }
        var dir = Directory.CreateTempSubdirectory(folderPrefix).FullName;
        var port = basePort + (Environment.ProcessId % 1000);
        Run("chown", $"postgres:postgres {dir}");
        Run("chmod", $"700 {dir}");
        AsPostgres(Path.Combine(bin, "initdb"), $"-D {dir} -U postgres --auth=trust -E UTF8 --locale=C.UTF-8");
        AsPostgres(Path.Combine(bin, "pg_ctl"), $"-D {dir} -l {dir}/server.log -w -o \"-c listen_addresses=127.0.0.1 -p {port} -k {dir} {settings}\" start");
        return new ThrowawayPostgres(bin, dir, $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres");
    }

    /// <summary>Stops the cluster: "fast" lets sessions end; "immediate" when the process is exiting anyway.</summary>
    public void Stop(string mode = "fast") => AsPostgres(Path.Combine(_bin, "pg_ctl"), $"-D {_dir} stop -m {mode}");

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
