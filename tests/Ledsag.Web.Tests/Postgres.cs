using Ledsag.Testing;

namespace Ledsag.Web.Tests;

/// <summary>
/// The PostgreSQL server the suite runs against: LEDSAG_TEST_POSTGRES when set, otherwise a throwaway
/// cluster (scripts/test installs the Debian package) with fsync off — the suite kills the server
/// process, never the machine — stopped when the test run ends.
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
        var cluster = ThrowawayPostgres.Start("ledsag-pg-", 56000, "-c fsync=off -c max_connections=500")
            ?? throw new InvalidOperationException(
                "PostgreSQL is not installed and LEDSAG_TEST_POSTGRES is not set. Run the tests with ./scripts/test, which installs it.");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Stop("immediate");
        return cluster.ConnectionString;
    }
}
