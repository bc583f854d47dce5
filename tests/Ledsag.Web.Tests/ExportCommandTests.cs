using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary><c>ledsag seed --demo</c>, <c>export</c> and <c>letters lapse-reminders</c> on a database the CLI creates itself.</summary>
public sealed class ExportCommandTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"ledsag-cli-{Guid.NewGuid():N}.db");

    private (int Exit, string Out, string Err) Run(params string[] args) => CliRunner.Run([.. args, "--connection", $"Data Source={_file}"]);

    [Fact]
    public void SeedExportAndReminders_WorkFromTheCommandLine()
    {
        var seeded = Run("seed", "--demo");
        seeded.Exit.ShouldBe(0, seeded.Err);
        Run("seed", "--demo").Exit.ShouldBe(0); // a second seed adds nothing and does not fail

        var month = DateTime.UtcNow.AddMonths(-1).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        var payroll = Run("export", "payroll", "--municipality", "lejre", "--period", month);
        payroll.Exit.ShouldBe(0, payroll.Err);
        payroll.Out.ShouldStartWith("ledsager_id;navn;cpr;periode;type;timer;km");
        payroll.Out.ShouldContain($"Lise Ledsager;;{month};løn;");
        Run("export", "payroll", "--municipality", "lejre", "--period", month).Out.ShouldBe(payroll.Out);

        var xlsx = Path.ChangeExtension(_file, ".xlsx");
        Run("export", "statistics", "--municipality", "ballerup", "--period", DateTime.UtcNow.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), "--format", "xlsx", "--out", xlsx).Exit.ShouldBe(0);
        using (var file = File.OpenRead(xlsx))
        {
            var sheet = new XlsxSheet(file, "statistics");
            sheet.Cell(1, 1).ShouldBe("måned");
            sheet.Cell(2, 1).ShouldEndWith("-01");
        }
        File.Delete(xlsx);

        Run("export", "subsidies", "--municipality", "haderslev", "--period", "2024").Out.ShouldStartWith("cpr;navn;beløb;tekst");
        var reminders = Run("letters", "lapse-reminders", "--month", DateTime.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture));
        reminders.Exit.ShouldBe(0, reminders.Err);
        reminders.Out.ShouldContain("I alt");

        Run("export", "payroll", "--municipality", "lejre", "--period", "2026-13").Err.ShouldContain("--period");
        Run("export", "payroll", "--municipality", "aarhus", "--period", month).Exit.ShouldBe(2);
        Run("export", "salaries", "--municipality", "lejre").Exit.ShouldBe(2);
        Run("export", "statistics", "--municipality", "lejre", "--period", "2026", "--format", "pdf").Err.ShouldContain("--format");
        Run("letters", "lapse-reminders", "--month", "maj").Exit.ShouldBe(2);
        Run("seed").Exit.ShouldBe(2);
        Run("export", "--help").Exit.ShouldBe(0);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var f in new[] { _file, _file + "-wal", _file + "-shm" })
        {
            File.Delete(f);
        }
    }
}
