using Ledsag.Web.Infrastructure;
using System.CommandLine;
using Ledsag.Domain.Text;

namespace Ledsag.Cli;

/// <summary>The <c>ledsag</c> command. Exit codes: 0 success, 1 a check failed, 2 bad input or usage.</summary>
public static class LedsagCommand
{
    /// <summary>Exit code: everything passed.</summary>
    public const int Ok = 0;
    /// <summary>Exit code: a case or check failed.</summary>
    public const int Failed = 1;
    /// <summary>Exit code: a file could not be read or is invalid, or the command was used wrongly.</summary>
    public const int BadInput = 2;

    /// <summary>Runs the command with its output going to <paramref name="output"/> and <paramref name="error"/>.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var standardsOption = new Option<string?>("--standards")
        {
            Description = "Mappe med national.yaml og kommunernes standarder (standard: den medfølgende)",
            Recursive = true,
        };
        var jsonOption = new Option<bool>("--json") { Description = "Maskinlæsbart output (JSON)", Recursive = true };
        var root = new RootCommand("Ledsag — ledsageordningen efter serviceloven § 97") { standardsOption, jsonOption };

        var paths = new Argument<string[]>("PATH") { Description = "Case-filer eller mapper (*.yaml søges rekursivt)", Arity = ArgumentArity.OneOrMore };
        var explain = new Option<bool>("--explain") { Description = "Vis for hvert resultat de regler og parametre, der gav det, med kilde" };
        var check = new Command("check", "Kør regelcases gennem regelmotoren") { paths, explain };
        check.SetAction(r => CheckCommand.Run(r.GetValue(paths)!, r.GetValue(explain), StandardsFrom(r), output, error, r.GetValue(jsonOption)));
        root.Add(check);

        var standards = new Command("standards", "Vis og valider kommunernes kvalitetsstandarder");
        var id = new Argument<string>("ID") { Description = "Kommunens id, fx haderslev" };
        var date = new Option<string?>("--date") { Description = "Datoen reglerne vises for (ÅÅÅÅ-MM-DD; standard: i dag)" };
        var show = new Command("show", "Vis en kommunes gældende regler på en dato med kilder") { id, date };
        show.SetAction(r => StandardsCommand.Show(r.GetValue(id)!, r.GetValue(date), StandardsFrom(r), output, error));
        var validate = new Command("validate", "Valider national.yaml og alle kommunernes standarder");
        validate.SetAction(r => StandardsCommand.Validate(StandardsFrom(r), output, error));
        standards.Add(show);
        standards.Add(validate);
        var a = new Argument<string>("A") { Description = "Standardfil før (fx standards/lejre.yaml)" };
        var b = new Argument<string>("B") { Description = "Standardfil efter (fx en revideret udgave)" };
        var diff = new Command("diff", "Vis hvad der er forskelligt mellem to udgaver af en standard, med kilder") { a, b, date };
        diff.SetAction(r => OperatorCommands.Diff(r.GetValue(a)!, r.GetValue(b)!, r.GetValue(date), r.GetValue(jsonOption), StandardsFrom(r), output, error));
        standards.Add(diff);
        root.Add(standards);

        var providerOption = new Option<string?>("--provider") { Description = "Databasetype: Sqlite (standard) eller Postgres", Recursive = true };
        var connectionOption = new Option<string?>("--connection") { Description = "Forbindelsesstreng (standard: Data Source=data/ledsag.db)", Recursive = true };
        var audit = new Command("audit", "Auditloggen") { providerOption, connectionOption };
        var verify = new Command("verify", "Kontroller at ingen post i auditloggen er ændret eller slettet (exit 1 ved brud)");
        verify.SetAction((r, _) => DatabaseCommands.VerifyAuditAsync(r.GetValue(providerOption), r.GetValue(connectionOption), output, error));
        audit.Add(verify);
        root.Add(audit);
        var privacy = new Command("privacy", "Personoplysninger") { providerOption, connectionOption };
        var asOfOption = new Option<string?>("--as-of") { Description = "Dato opbevaringsperioden regnes fra (ÅÅÅÅ-MM-DD; standard: i dag)" };
        var yearsOption = new Option<int>("--years") { Description = "Opbevaringsperiode i år efter sidste aktivitet (standard: 5)", DefaultValueFactory = _ => Ledsag.Web.Features.Retention.DefaultYears };
        var anonymiseApply = new Option<bool>("--apply") { Description = "Anonymisér (uden: vis kun hvem det gælder)" };
        var anonymise = new Command("anonymise", "Anonymisér borgere, hvis opbevaringsperiode er udløbet (se docs/privacy.md)") { asOfOption, yearsOption, anonymiseApply };
        anonymise.SetAction((r, _) => DatabaseCommands.AnonymiseAsync(r.GetValue(providerOption), r.GetValue(connectionOption), r.GetValue(asOfOption),
            r.GetValue(yearsOption), r.GetValue(anonymiseApply), r.GetValue(jsonOption), output, error));
        privacy.Add(anonymise);
        root.Add(privacy);
        var dbCommand = new Command("db", "Databasen") { providerOption, connectionOption };
        var migrate = new Command("migrate", "Opret eller opdater databasen til seneste skema");
        migrate.SetAction((r, _) => DatabaseCommands.MigrateAsync(r.GetValue(providerOption), r.GetValue(connectionOption), output, error));
        dbCommand.Add(migrate);
        root.Add(dbCommand);

        var revisedOption = new Option<string>("--standard") { Description = "Den reviderede standardfil", Required = true };
        var municipalityOption = new Option<string?>("--municipality") { Description = "Kommunens id (standard: filens id)" };
        var onOption = new Option<string?>("--date") { Description = "Simuleringsdato (ÅÅÅÅ-MM-DD; standard: i dag)" };
        var simulate = new Command("simulate", "Vis hvad en revideret standard ville ændre for hver borger — uden at ændre data")
        {
            revisedOption, municipalityOption, onOption, providerOption, connectionOption,
        };
        simulate.SetAction((r, _) => OperatorCommands.SimulateAsync(r.GetValue(revisedOption)!, r.GetValue(municipalityOption), r.GetValue(onOption),
            r.GetValue(jsonOption), r.GetValue(providerOption), r.GetValue(connectionOption), StandardsFrom(r), output, error));
        root.Add(simulate);

        var importKind = new Argument<string>("TYPE") { Description = "citizens, grants, agreements, sessions eller companions" };
        var importFile = new Argument<string>("FILE") { Description = "CSV-fil (; som skilletegn, UTF-8 eller Windows-1252; felter i anførselstegn må rumme ; og linjeskift)" };
        var applyOption = new Option<bool>("--apply") { Description = "Importér (standard er en prøvekørsel, der kun rapporterer)" };
        var skipOption = new Option<bool>("--skip-invalid") { Description = "Importér de gyldige rækker og skriv de ugyldige til FILE.fejl.csv" };
        var importMunicipality = new Option<string>("--municipality") { Description = "Kommunens id", Required = true };
        var import = new Command("import", "Importér borgere, bevillinger, opsparingsaftaler, ledsagelser eller ledsagere fra CSV") { importKind, importFile, applyOption, skipOption, importMunicipality, providerOption, connectionOption };
        import.SetAction((r, _) => ImportCommand.RunAsync(r.GetValue(importKind)!, r.GetValue(importFile)!, r.GetValue(importMunicipality)!, r.GetValue(applyOption),
            r.GetValue(skipOption), r.GetValue(jsonOption), r.GetValue(providerOption), r.GetValue(connectionOption), StandardsFrom(r), output, error));
        root.Add(import);

        var exportKind = new Argument<string>("TYPE") { Description = "payroll, subsidies eller statistics" };
        var exportMunicipality = new Option<string>("--municipality") { Description = "Kommunens id", Required = true };
        var periodOption = new Option<string?>("--period") { Description = "Lønperiode ÅÅÅÅ-MM (payroll) eller år ÅÅÅÅ (subsidies, statistics)" };
        var formatOption = new Option<string>("--format") { Description = "csv (standard) eller xlsx", DefaultValueFactory = _ => "csv" };
        var outOption = new Option<string?>("--out") { Description = "Fil at skrive til (standard for csv: skærmen)" };
        var export = new Command("export", "Eksportér lønfil, udbetalinger af tilskud eller statistik") { exportKind, exportMunicipality, periodOption, formatOption, outOption, providerOption, connectionOption };
        export.SetAction((r, _) => ExportCommands.ExportAsync(r.GetValue(exportKind)!, r.GetValue(exportMunicipality)!, r.GetValue(periodOption), r.GetValue(formatOption)!,
            r.GetValue(outOption), r.GetValue(providerOption), r.GetValue(connectionOption), StandardsFrom(r), output, error));
        root.Add(export);
        var monthOption = new Option<string>("--month") { Description = "Måneden ÅÅÅÅ-MM", Required = true };
        var reminders = new Command("lapse-reminders", "Læg breve om timer, der snart bortfalder, i udbakken") { monthOption, providerOption, connectionOption };
        reminders.SetAction((r, _) => ExportCommands.LapseRemindersAsync(r.GetValue(monthOption)!, r.GetValue(providerOption), r.GetValue(connectionOption), StandardsFrom(r), output, error));
        root.Add(new Command("letters", "Breve") { reminders });
        var demoOption = new Option<bool>("--demo") { Description = "Indlæs demodata for de fem kommuner" };
        var resetOption = new Option<bool>("--reset") { Description = "Slet først en database med demodata og indlæs frisk demodata (stop serveren før)" };
        var seed = new Command("seed", "Indlæs demodata") { demoOption, resetOption, providerOption, connectionOption };
        seed.SetAction((r, _) => ExportCommands.SeedAsync(r.GetValue(demoOption), r.GetValue(resetOption), r.GetValue(providerOption), r.GetValue(connectionOption),
            StandardsFrom(r), output, error));
        root.Add(seed);

        var backupOut = new Option<string>("--out") { Description = "Filen sikkerhedskopien skrives til", Required = true };
        var backup = new Command("backup", "Tag en sikkerhedskopi af databasen, mens den kører (SQLite: online backup; PostgreSQL: pg_dump)") { backupOut, providerOption, connectionOption };
        backup.SetAction((r, _) => BackupCommands.BackupAsync(r.GetValue(backupOut)!, r.GetValue(providerOption), r.GetValue(connectionOption), output, error));
        root.Add(backup);
        var restoreFrom = new Option<string>("--from") { Description = "Sikkerhedskopien der gendannes fra", Required = true };
        var forceOption = new Option<bool>("--force") { Description = "Overskriv en database, der allerede har data" };
        var restore = new Command("restore", "Gendan databasen fra en sikkerhedskopi") { restoreFrom, forceOption, providerOption, connectionOption };
        restore.SetAction((r, _) => BackupCommands.RestoreAsync(r.GetValue(restoreFrom)!, r.GetValue(forceOption), r.GetValue(providerOption), r.GetValue(connectionOption), output, error));
        root.Add(restore);

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && !IsHelp(args))
        {
            foreach (var e in parse.Errors)
            {
                error.WriteLine($"fejl: {e.Message}");
            }
            error.WriteLine("Se 'ledsag --help'.");
            return BadInput;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"fejl: {e.Message}");
            return BadInput;
        }

        string StandardsFrom(ParseResult r) => StandardsDirectory.Locate(r.GetValue(standardsOption));
    }

    private static bool IsHelp(string[] args) => args.Any(a => a is "--help" or "-h" or "-?");

    /// <summary>Writes rule-file errors as <c>file:line: key: reason</c>.</summary>
    internal static void WriteErrors(IEnumerable<RuleFileError> errors, TextWriter error)
    {
        foreach (var e in errors)
        {
            error.WriteLine($"fejl: {e}");
        }
    }
}
