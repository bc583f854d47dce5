using System.Diagnostics;

namespace Ledsag.Web.Tests;

/// <summary>
/// The PostgreSQL server the suite runs against: LEDSAG_TEST_POSTGRES when set, otherwise a throwaway
/// cluster on 127.0.0.1 started from the Debian package's binaries (scripts/test installs them) and
/// stopped when the test run ends.
/// </summary>
internal static class Postgres
{
    private static readonly Lazy<string> Server = new(Start);

    public static string ConnectionString => Server.Value;

    private static string Start()
    {
        if (Environment.GetEnvironmentVariable("LEDSAG_TEST_POSTGRES") is { Length: > 0 } configured)
        {
            return configured;
        }
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException(
                "PostgreSQL is not installed and LEDSAG_TEST_POSTGRES is not set. Run the tests with ./scripts/test, which installs it.");
        }
        var dir = Directory.CreateTempSubdirectory("ledsag-pg-").FullName;
        var port = 56000 + (Environment.ProcessId % 1000);
        Run("chown", $"postgres:postgres {dir}");
        Run("chmod", $"700 {dir}");
        AsPostgres(Path.Combine(bin, "initdb"), $"-D {dir} -U postgres --auth=trust -E UTF8 --locale=C.UTF-8");
        AsPostgres(Path.Combine(bin, "pg_ctl"), $"-D {dir} -l {dir}/server.log -w -o \"-c listen_addresses=127.0.0.1 -p {port} -k {dir} -c fsync=off -c max_connections=500\" start");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => AsPostgres(Path.Combine(bin, "pg_ctl"), $"-D {dir} stop -m immediate");
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
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
