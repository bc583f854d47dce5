using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;

namespace Ledsag.Bench;

/// <summary>The server as its own process (the Release build), and a closed-loop HTTP load of N clients.</summary>
public sealed class Server : IDisposable
{
    private readonly Process _process;

    private Server(Process process, Uri address, TimeSpan startup)
    {
        _process = process;
        Address = address;
        Startup = startup;
    }

    public Uri Address { get; }

    /// <summary>From starting the process to the first successful request.</summary>
    public TimeSpan Startup { get; }

    public static async Task<Server> StartAsync(string repo, string provider, string connection, int port, IReadOnlyDictionary<string, string>? environment = null)
    {
        var dll = Path.Combine(repo, "src", "Ledsag.Web", "bin", "Release", "net10.0", "Ledsag.Web.dll");
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = repo, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
        info.Environment["Database__Provider"] = provider;
        info.Environment["ConnectionStrings__Ledsag"] = connection;
        info.Environment["Jobs__LapseReminders"] = "false";
        info.Environment["Bench__Baselines"] = "true";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        var address = new Uri($"http://127.0.0.1:{port}");
        var clock = Stopwatch.StartNew();
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) { Console.Error.WriteLine($"  server: {e.Data}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(2) };
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the server exited with {process.ExitCode}");
            }
            try
            {
                if ((await http.GetAsync("/health")).StatusCode == HttpStatusCode.OK)
                {
                    return new Server(process, address, clock.Elapsed);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(10);
        }
        process.Kill();
        throw new TimeoutException("the server did not start");
    }

    /// <summary>Peak resident memory of the server process so far (VmHWM), in MB.</summary>
    public double PeakRssMb()
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
    }

    public async Task<HttpClient> SignInAsync(string userName)
    {
        var client = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer(), UseCookies = true }) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        (await client.PostAsJsonAsync("/api/auth/login", new { userName, password = Generator.Password })).EnsureSuccessStatusCode();
        return client;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}

public sealed record LoadResult(int Requests, int Failures, double PerSecond, double P50, double P95, double P99, string? FirstFailure);

public static class Load
{
    /// <summary>
    /// Each client sends its next request when the last one is answered, for <paramref name="duration"/> after a
    /// short warm-up; latencies in milliseconds, measured at the client.
    /// </summary>
    public static async Task<LoadResult> RunAsync(IReadOnlyList<HttpClient> clients, Func<HttpClient, int, long, Task<HttpResponseMessage>> send,
        TimeSpan duration, TimeSpan warmup)
    {
        var latencies = new List<double>[clients.Count];
        var failures = 0;
        string? firstFailure = null;
        var counter = 0L;
        var clock = Stopwatch.StartNew();
        var measuring = Stopwatch.StartNew();
        var start = TimeSpan.Zero;
        var tasks = clients.Select((client, w) => Task.Run(async () =>
        {
            latencies[w] = [];
            while (clock.Elapsed < warmup + duration)
            {
                var n = Interlocked.Increment(ref counter);
                var t0 = Stopwatch.GetTimestamp();
                using var response = await send(client, w, n);
                var ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                if (!response.IsSuccessStatusCode)
                {
                    if (Interlocked.Increment(ref failures) == 1)
                    {
                        firstFailure = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                    }
                }
                else if (clock.Elapsed > warmup)
                {
                    latencies[w].Add(ms);
                }
            }
        })).ToList();
        await Task.WhenAll(tasks);
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double P(double q) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)Math.Ceiling(q * all.Length) - 1)];
        return new LoadResult(all.Length, failures, all.Length / duration.TotalSeconds, P(0.50), P(0.95), P(0.99), firstFailure);
    }
}
