using System.Globalization;
using System.Text;
using ClosedXML.Excel;
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
                    var sb = new StringBuilder("måned;aktive bevillinger;timer brugt;timer bortfaldet;afgørelser;heraf inden for fristen;klager\r\n");
                    foreach (var x in stats.Months)
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"{x.Month};{x.ActiveGrants};{Number(x.HoursUsed)};{Number(x.HoursLapsed)};{x.Decisions};{x.DecisionsWithinDeadline};{x.Complaints}\r\n");
                    }
                    csv = sb.ToString();
                    break;
                default:
                    throw new ArgumentException($"'{kind}' kan ikke eksporteres (kan: payroll, subsidies, statistics)");
            }
            if (format == "xlsx")
            {
                var target = outFile ?? throw new ArgumentException("--out: angiv en fil til Excel-arket");
                using var workbook = new XLWorkbook();
                var sheet = workbook.Worksheets.Add(kind);
                var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
                for (var r = 0; r < lines.Length; r++)
                {
                    var cells = lines[r].Split(';');
                    for (var c = 0; c < cells.Length; c++)
                    {
                        // Numbers as numbers, everything else as text (a CPR number or "2026-05" must not become a number or a date).
                        if (r > 0 && decimal.TryParse(cells[c].Replace(',', '.'), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) && !cells[c].StartsWith('0'))
                        {
                            sheet.Cell(r + 1, c + 1).Value = n;
                        }
                        else
                        {
                            sheet.Cell(r + 1, c + 1).SetValue(cells[c]);
                        }
                    }
                }
                workbook.SaveAs(target);
                output.WriteLine($"Skrev {lines.Length - 1} rækker til {target}");
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

    public static async Task<int> SeedAsync(bool demo, string? provider, string? connection, string standardsDir, TextWriter output, TextWriter error)
    {
        if (!demo)
        {
            error.WriteLine("fejl: angiv --demo (der findes kun demodata at indlæse)");
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
            await using var provider_ = services.BuildServiceProvider();
            using var scope = provider_.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<LedsagDb>();
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
            output.WriteLine($"Demodata for {string.Join(", ", Ledsag.Web.DemoData.Municipalities)} er indlæst (adgangskode: {Ledsag.Web.DemoData.Password}).");
            return LedsagCommand.Ok;
        }
        catch (Exception e) when (e is IOException or ArgumentException or Domain.Text.RuleFileException)
        {
            error.WriteLine($"fejl: {e.Message}");
            return LedsagCommand.BadInput;
        }
    }
}
