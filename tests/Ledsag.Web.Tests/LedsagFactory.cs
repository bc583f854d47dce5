using Microsoft.Extensions.Logging;
using System.Net.Http.Json;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodaTime;
using NodaTime.Testing;

namespace Ledsag.Web.Tests;

/// <summary>The real host over a fresh database of one provider, with a fake clock set to a fixed day.</summary>
public abstract class LedsagFactory : WebApplicationFactory<Program>
{
    public static readonly Instant Now = Instant.FromUtc(2026, 6, 15, 10, 0);

    public FakeClock Clock { get; } = new(Now);

    /// <summary>Every log line the host writes, at every level, so tests can check what never goes into a log.</summary>
    public LogSink Logs { get; } = new();

    protected abstract string Provider { get; }

    protected abstract string ConnectionString { get; }

    /// <summary>Further settings for the host (e.g. OpenID Connect against the tests' own provider); set them before the host starts.</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
        builder.UseSetting("Database:Provider", Provider);
        builder.UseSetting("ConnectionStrings:Ledsag", ConnectionString);
        builder.UseSetting("Jobs:LapseReminders", "false");
        builder.UseEnvironment("Testing");
        builder.ConfigureLogging(l => l.AddProvider(Logs).AddFilter<LogSink>(null, Microsoft.Extensions.Logging.LogLevel.Trace));
        builder.ConfigureServices(s =>
        {
            s.RemoveAll<IClock>();
            s.AddSingleton<IClock>(Clock);
        });
    }

    public async Task<T> WithDb<T>(Func<LedsagDb, Task<T>> work)
    {
        using var scope = Services.CreateScope();
        return await work(scope.ServiceProvider.GetRequiredService<LedsagDb>());
    }

    /// <summary>The municipality's quality standard as the running system reads it.</summary>
    public Domain.Standards.MunicipalStandard Standard(string municipality) => Services.GetRequiredService<Infrastructure.Standards>().For(municipality);

    /// <summary>
    /// A second instance of the server on the same database: its own locks, caches and audit tail, as another
    /// process behind the load balancer has. Clients for it come from <see cref="SignedIn"/> with <c>on</c>.
    /// </summary>
    public WebApplicationFactory<Program> SecondInstance() => WithWebHostBuilder(_ => { });

    /// <summary>A local user in <paramref name="municipality"/>; returns a client signed in as them (on <paramref name="on"/>, if given).</summary>
    public async Task<HttpClient> SignedIn(string municipality, Role role, Guid? citizenId = null, Guid? companionId = null, WebApplicationFactory<Program>? on = null)
    {
        var name = $"{role}.{municipality}.{Guid.NewGuid():N}";
        await WithDb(async db =>
        {
            var passwords = Services.GetRequiredService<Passwords>();
            var user = new User { MunicipalityId = municipality, UserName = name, DisplayName = name, Role = role, CitizenId = citizenId, CompanionId = companionId };
            if (role == Role.Caseworker)
            {
                // A caseworker signs letters with their name and direct contact.
                (user.DisplayName, user.Phone, user.Email) = ("Test Sagsbehandler", "70 11 22 33", "sagsbehandler@kommune.test");
            }
            user.PasswordHash = passwords.Hash(user, "hemmelig-kode");
            db.Users.Add(user);
            await db.SaveChangesAsync();
            return 0;
        });
        var client = (on ?? this).CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true });
        var login = await client.PostAsJsonAsync("/api/auth/login", new { userName = name, password = "hemmelig-kode" });
        login.EnsureSuccessStatusCode();
        return client;
    }
}

public class SqliteFactory : LedsagFactory
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"ledsag-test-{Guid.NewGuid():N}.db");

    protected override string Provider => "Sqlite";

    protected override string ConnectionString => $"Data Source={_file}";

    /// <summary>The database file, for tests that take it away from under the server.</summary>
    public string DatabaseFile => _file;

    /// <summary>Closes the pooled connections to the file, so the server's next command opens it afresh.</summary>
    public void ClearPool() => Microsoft.Data.Sqlite.SqliteConnection.ClearPool(new Microsoft.Data.Sqlite.SqliteConnection(ConnectionString));

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var f in new[] { _file, _file + "-wal", _file + "-shm" })
        {
            File.Delete(f);
        }
    }
}

public sealed class PostgresFactory : LedsagFactory
{
    private readonly string _database = $"ledsag_test_{Guid.NewGuid():N}";

    protected override string Provider => "Postgres";

    protected override string ConnectionString => new Npgsql.NpgsqlConnectionStringBuilder(Postgres.ConnectionString) { Database = _database }.ToString();
}

/// <summary>Collects formatted log lines (with exceptions) from every category.</summary>
public sealed class LogSink : Microsoft.Extensions.Logging.ILoggerProvider
{
    public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();

    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
