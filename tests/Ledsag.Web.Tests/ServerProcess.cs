using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;

namespace Ledsag.Web.Tests;

/// <summary>
/// The real server as its own operating-system process (the build's Ledsag.Web.dll run by <c>dotnet</c>),
/// with the real clock, so a test can run two instances on one database or kill one with SIGKILL.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    private ServerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static string RepoRoot => Ledsag.Testing.RepositoryRoot.Path;

    /// <summary>
    /// Starts the server and waits until /health answers; <paramref name="demo"/> seeds the demo data, <paramref name="reset"/>
    /// deletes the demo database first (<c>--demo --reset</c>).
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string provider, string connection, bool demo = false, bool jobs = false, int? port = null, bool reset = false)
    {
        var dll = Path.Combine(RepoRoot, "src", "Ledsag.Web", "bin", "Debug", "net10.0", "Ledsag.Web.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build the solution first (dotnet test builds it).");
        }
        var chosen = port ?? FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        if (demo)
        {
            info.ArgumentList.Add("--demo");
        }
        if (reset)
        {
            info.ArgumentList.Add("--reset");
        }
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{chosen}");
        info.Environment["Database__Provider"] = provider;
        // The same master key as the tests' own hosts and commands use (they run in the test's folder; the server in the repository's).
        info.Environment["Security__MasterKeyFile"] = Path.GetFullPath(Web.Infrastructure.MasterKey.DefaultFile);
        info.Environment["ConnectionStrings__Ledsag"] = connection;
        info.Environment["Jobs__LapseReminders"] = jobs ? "true" : "false";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var server = new ServerProcess(Process.Start(info)!, chosen);
        server._process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        await server.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        return server;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private async Task WaitUntilHealthyAsync(TimeSpan limit)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < limit)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {_process.ExitCode}:\n{Output}");
            }
            try
            {
                if ((await http.GetAsync("/health")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"The server did not answer /health within {limit}:\n{Output}");
    }

    /// <summary>A client signed in as <paramref name="userName"/> (cookie), with a generous timeout.</summary>
    public async Task<HttpClient> SignInAsync(string userName, string password = DemoData.Password)
    {
        var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), UseCookies = true };
        var client = new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var login = await client.PostAsJsonAsync("/api/auth/login", new { userName, password });
        login.EnsureSuccessStatusCode();
        return client;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing; whatever was not committed is gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        await Task.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// The reliability suite's figures: each part appends its summary line to TestResults/reliability.txt,
/// which scripts/test prints after the run (xUnit hides a passing test's output).
/// </summary>
internal static class Summary
{
    private static readonly object Gate = new();

    public static void Line(string text)
    {
        var dir = Path.Combine(ServerProcess.RepoRoot, "TestResults");
        Directory.CreateDirectory(dir);
        lock (Gate)
        {
            File.AppendAllText(Path.Combine(dir, "reliability.txt"), text + Environment.NewLine);
        }
    }
}
