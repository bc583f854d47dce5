using System.Globalization;
using System.Text;
using Ledsag.Web.Data;
using Ledsag.Web.Features;
using Ledsag.Web.Infrastructure;
using Ledsag.Web.Letters;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Text;

namespace Ledsag.Cli;

/// <summary><c>ledsag export payroll|subsidies|statistics</c>, <c>ledsag letters lapse-reminders</c> and <c>ledsag seed --demo</c>, through the web's own handlers.</summary>
public static class ExportCommands
{
    private static Today Today => new(SystemClock.Instance);

    /// <summary>The operator acts as the municipality's finance office; every export is audited as such.</summary>
    private static Actor Operator(string municipality) => new(Guid.Empty, municipality, Role.Finance, null, null);

    public static async Task<int> ExportAsync(string kind, string municipality, string? period, string format, string? outFile, string? provider, string? connection,
        string standardsDir, TextWriter output, TextWriter error)
    {
        try
        {
            var standards = new Standards(StandardsDirectory.Load(standardsDir));
            if (!standards.Set.Municipalities.ContainsKey(municipality))
            {
                throw new ArgumentException($"--municipality: ukendt kommune '{municipality}'");
            }
            if (format is not ("csv" or "xlsx"))
            {
                throw new ArgumentException($"--format: '{format}' er hverken csv eller xlsx");
            }
            await using var db = DatabaseCommands.Open(provider, connection);
            var audit = new AuditLog(SystemClock.Instance, MasterKey.FromEnvironment());
            string csv;
            switch (kind)
            {
                case "payroll":
                    var month = YearMonthPattern.Iso.Parse(period ?? "") is { Success: true } m ? m.Value : throw new ArgumentException("--period: angiv lønperioden som ÅÅÅÅ-MM");
                    if (month > Today.Date.ToYearMonth())
                    {
                        throw new ArgumentException("--period: en lønperiode i fremtiden kan ikke eksporteres");
                    }
                    csv = await MoneyEndpoints.PayrollAsync(Operator(municipality), month, db, audit, Today, CancellationToken.None);
                    break;
                case "subsidies":
                    csv = await MoneyEndpoints.PaymentFileAsync(Operator(municipality), Year(period), db, audit, Today, CancellationToken.None);
                    break;
                case "statistics":
                    var stats = await StatisticsEndpoints.ComputeAsync(db, standards, Today, municipality, Year(period), CancellationToken.None);
                    csv = Exports.Csv(new ExportSheet("statistics", ["måned", "aktive bevillinger", "timer brugt", "timer bortfaldet", "afgørelser", "heraf inden for fristen", "klager"],
                        stats.Months.Select(x => (IReadOnlyList<object?>)[x.Month, x.ActiveGrants, x.HoursUsed, x.HoursLapsed, x.Decisions, x.DecisionsWithinDeadline, x.Complaints]).ToList()));
                    break;
                default:
                    throw new ArgumentException($"'{kind}' kan ikke eksporteres (kan: payroll, subsidies, statistics)");
            }
            if (format == "xlsx")
            {
                var target = outFile ?? throw new ArgumentException("--out: angiv en fil til Excel-arket");
                // The file's rows read back with a CSV parser (a name with a line break stays one cell), then written cell by cell.
                var rows = Exports.ReadCsv(csv);
                string[] numeric = ["timer", "km", "beløb", "aktive bevillinger", "timer brugt", "timer bortfaldet", "afgørelser", "heraf inden for fristen", "klager"];
                var cells = rows.Skip(1).Select(r => (IReadOnlyList<object?>)r.Select((v, c) => numeric.Contains(rows[0][c]) &&
                    decimal.TryParse(v.Replace(',', '.'), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) ? n : (object?)v).ToList()).ToList();
                await using (var stream = File.Create(target))
                {
                    await Exports.XlsxAsync(stream, [new ExportSheet(kind, rows[0], cells)]);
                }
                var lines = rows;
                output.WriteLine($"Skrev {lines.Count - 1} rækker til {target}");
            }
            else if (outFile is not null)
            {
                await File.WriteAllTextAsync(outFile, csv, new UTF8Encoding(true));
                output.WriteLine($"Skrev {csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length - 1} rækker til {outFile}");
            }
            else
            {
                output.Write(csv);
            }
            return LedsagCommand.Ok;
        }
        catch (ProblemException p)
        {
            error.WriteLine($"fejl: {p.Title}{(p.Errors.Count > 0 ? ": " + string.Join("; ", p.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")) : "")}");
            return LedsagCommand.BadInput;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or Domain.Text.RuleFileException)
        {
            error.WriteLine($"fejl: {e.Message}");
            return LedsagCommand.BadInput;
        }
    }

    private static int Year(string? text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var y) && y is >= 2000 and <= 2100 ? y : throw new ArgumentException("--period: angiv året, fx 2026");

    private static string Number(decimal d) => d.ToString("0.##", CultureInfo.InvariantCulture).Replace('.', ',');

    public static async Task<int> LapseRemindersAsync(string monthText, string? provider, string? connection, string standardsDir, TextWriter output, TextWriter error)
    {
        try
        {
            var month = YearMonthPattern.Iso.Parse(monthText) is { Success: true } m ? m.Value : throw new ArgumentException("--month: angiv måneden som ÅÅÅÅ-MM");
            var standards = new Standards(StandardsDirectory.Load(standardsDir));
            var date = month == Today.Date.ToYearMonth() ? Today.Date : month.OnDayOfMonth(1);
            await using var db = DatabaseCommands.Open(provider, connection);
            var letters = new LetterService(standards, Today);
            var total = 0;
            foreach (var id in standards.Set.Municipalities.Keys.Order())
            {
                var created = await LapseReminders.RunAsync(db, standards, letters, id, date, CancellationToken.None);
                output.WriteLine($"{id}: {created} påmindelser om bortfald pr. {date:yyyy-MM-dd}");
                total += created;
            }
            output.WriteLine($"I alt {total} breve lagt i udbakken.");
            return LedsagCommand.Ok;
        }
        catch (Exception e) when (e is IOException or ArgumentException or Domain.Text.RuleFileException)
        {
            error.WriteLine($"fejl: {e.Message}");
            return LedsagCommand.BadInput;
        }
    }

    /// <summary><c>ledsag seed --demo</c> seeds the demo data once; <c>--reset</c> first deletes a demo database (only one) to seed it afresh.</summary>
    public static async Task<int> SeedAsync(bool demo, bool reset, string? provider, string? connection, string standardsDir, TextWriter output, TextWriter error)
    {
        if (!demo)
        {
            error.WriteLine(reset ? "fejl: --reset: kan kun bruges sammen med --demo (kun demodata kan nulstilles)" : "fejl: angiv --demo (der findes kun demodata at indlæse)");
            return LedsagCommand.BadInput;
        }
        try
        {
            var services = new ServiceCollection();
            services.AddSingleton<IClock>(SystemClock.Instance);
            services.AddSingleton(new Standards(StandardsDirectory.Load(standardsDir)));
            services.AddSingleton(MasterKey.FromEnvironment()).AddSingleton<AuditLog>().AddSingleton<Passwords>().AddSingleton<Today>().AddSingleton<LetterService>();
            services.AddScoped(_ => DatabaseCommands.Open(provider, connection));
            services.AddScoped<CaseWorkflow>();
            services.AddScoped<Access>();
            await using var provider_ = services.BuildServiceProvider();
            using var scope = provider_.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<LedsagDb>();
            if (reset && await Ledsag.Web.DemoData.ResetAsync(db) is { } refusal)
            {
                error.WriteLine($"fejl: --reset: {refusal}");
                return LedsagCommand.BadInput;
            }
            await Database.MigrateAsync(db);
            foreach (var m in scope.ServiceProvider.GetRequiredService<Standards>().Set.Municipalities.Values)
            {
                if (!db.Municipalities.Any(x => x.Id == m.Id))
                {
                    db.Municipalities.Add(new Municipality { Id = m.Id, Name = m.Name });
                }
            }
            await db.SaveChangesAsync();
            await Ledsag.Web.DemoData.SeedAsync(scope.ServiceProvider);
            output.WriteLine(reset ? Ledsag.Web.DemoData.ResetDone
                : $"Demodata for {string.Join(", ", Ledsag.Web.DemoData.Municipalities)} er indlæst (adgangskode: {Ledsag.Web.DemoData.Password}).");
            return LedsagCommand.Ok;
        }
        catch (Exception e) when (e is IOException or ArgumentException or Domain.Text.RuleFileException or System.Data.Common.DbException)
        {
            error.WriteLine($"fejl: {e.Message}");
            return LedsagCommand.BadInput;
        }
    }
}
