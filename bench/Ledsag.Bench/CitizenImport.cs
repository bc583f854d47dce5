using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;

namespace Ledsag.Bench;

/// <summary>
/// Scenario 7: <c>ledsag import citizens</c> on a generated file, run as its own process (the Release build) so its peak
/// resident memory (VmHWM) is the import's alone. The file is read record by record, so the peak at 1,000,000 rows should
/// be close to the peak at 100,000, not ten times it.
/// </summary>
public static class CitizenImport
{
    public sealed record Measurement(int Rows, bool Apply, double Seconds, double RowsPerSecond, double PeakRssMb, string Output);

    /// <summary>
    /// A citizens file as Danish Excel saves «CSV UTF-8»: BOM, CRLF, <c>;</c>. Every CPR number is unique, with a real
    /// birth date (1930 onwards, 7th digit 0–3) and a valid modulus 11 check (the product does not require it, but real
    /// numbers issued before 2007 have it). Every tenth address is quoted with a <c>;</c> and a line break in it, every
    /// twentieth name holds a quoted nickname (<c>""</c>), and the names have æøå.
    /// </summary>
    public static void Generate(string file, int rows)
    {
        using var writer = new StreamWriter(file, false, new UTF8Encoding(true), 1 << 16);
        writer.Write("cpr;navn;adresse;telefon;email;førtidspension\r\n");
        var day = new DateOnly(1930, 1, 1);
        var serial = 0;
        for (var i = 0; i < rows; i++)
        {
            // Serials 0000–3299 of each day (about 300 of them have a valid check digit), then the next day.
            while (true)
            {
                if (serial >= 3300)
                {
                    (day, serial) = (day.AddDays(1), 0);
                }
                var digits = $"{day:ddMMyy}{serial++:0000}";
                if (Modulus11(digits))
                {
                    var name = i % 20 == 0 ? $"\"Søren \"\"Sønnike\"\" Ærø {i}\"" : $"Søren Ærø Ørsted {i}";
                    var address = i % 10 == 0 ? $"\"Åvej {i}; 2. th.\r\n4000 Roskilde\"" : $"Åvej {i}, 4000 Roskilde";
                    writer.Write($"{digits[..6]}-{digits[6..]};{name};{address};{20_000_000 + i};borger{i}@example.dk;{(i % 7 == 0 ? "ja" : "nej")}\r\n");
                    break;
                }
            }
        }
    }

    private static bool Modulus11(string digits)
    {
        ReadOnlySpan<int> weights = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];
        var sum = 0;
        for (var i = 0; i < 10; i++)
        {
            sum += (digits[i] - '0') * weights[i];
        }
        return sum % 11 == 0;
    }

    /// <summary>A new SQLite database with the schema and the municipality, and nothing else.</summary>
    public static async Task<string> FreshDatabaseAsync(string path)
    {
        var connection = $"Data Source={path}";
        await using var db = Ledsag.Cli.DatabaseCommands.Open("Sqlite", connection);
        await Database.MigrateAsync(db);
        db.Municipalities.Add(new Municipality { Id = "gribskov", Name = "Gribskov" });
        await db.SaveChangesAsync();
        return connection;
    }

    /// <summary>Runs the import as a child process and follows its peak resident memory until it exits.</summary>
    public static async Task<Measurement> MeasureAsync(string cliDll, string standards, string csv, int rows, string connection, bool apply, string workDir)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in (string[])[cliDll, "import", "citizens", csv, "--municipality", "gribskov", "--provider", "Sqlite", "--connection", connection, "--standards", standards])
        {
            info.ArgumentList.Add(a);
        }
        if (apply)
        {
            info.ArgumentList.Add("--apply");
        }
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        double peak = 0;
        // VmHWM is the kernel's own high-water mark, so sampling it misses nothing but what happens after the last sample.
        while (!process.HasExited)
        {
            peak = Math.Max(peak, PeakRssMb(process.Id));
            await Task.Delay(20);
        }
        await process.WaitForExitAsync();
        clock.Stop();
        var text = (await output).Trim();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ledsag import citizens failed ({process.ExitCode}): {text} {await error}");
        }
        return new Measurement(rows, apply, clock.Elapsed.TotalSeconds, rows / clock.Elapsed.TotalSeconds, peak, text);
    }

    private static double PeakRssMb(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException)
        {
            return 0; // the process exited between the check and the read
        }
    }
}
