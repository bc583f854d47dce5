using Ledsag.Web.Infrastructure;
using Ledsag.Cli.Cases;
using Ledsag.Domain.Standards;
using Ledsag.Domain.Text;

namespace Ledsag.Cli;

/// <summary><c>ledsag check PATH...</c>: runs rule cases and prints PASS/FAIL per case, then the totals.</summary>
public static class CheckCommand
{
    /// <summary>Runs every case under <paramref name="paths"/>. Exit 0 all pass, 1 one fails, 2 a file is unreadable or invalid.</summary>
    public static int Run(string[] paths, bool explain, string standardsDir, TextWriter output, TextWriter error, bool json = false)
    {
        StandardSet standards;
        try
        {
            standards = StandardsDirectory.Load(standardsDir);
        }
        catch (RuleFileException e)
        {
            LedsagCommand.WriteErrors(e.Errors, error);
            return LedsagCommand.BadInput;
        }

        var parser = new CaseParser(standards);
        var runner = new CaseRunner(standards);
        var errors = new List<RuleFileError>();
        int passed = 0, failed = 0;
        var results = new List<CaseResult>();
        var report = json ? TextWriter.Null : output;
        foreach (var file in CaseFiles(paths, errors))
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.Add(new RuleFileError(file, 0, "", $"filen kan ikke læses: {e.Message}"));
                continue;
            }
            var (cases, fileErrors) = parser.Parse(text, file);
            errors.AddRange(fileErrors);
            foreach (var c in cases)
            {
                var result = runner.Run(c);
                results.Add(result);
                report.WriteLine($"{(result.Passed ? "PASS" : "FAIL")} {c.Name}");
                foreach (var d in result.Differences)
                {
                    report.WriteLine($"  {d}");
                }
                if (explain)
                {
                    foreach (var step in result.Trace)
                    {
                        report.WriteLine($"    · {step.Rule}: {step.Detail}");
                        report.WriteLine($"      kilde: {step.Source}");
                    }
                }
                if (result.Passed)
                {
                    passed++;
                }
                else
                {
                    failed++;
                }
            }
        }
        if (json)
        {
            output.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
            {
                passed, failed,
                cases = results.Select(r => new
                {
                    name = r.Case.Name, file = r.Case.File, line = r.Case.Line, passed = r.Passed, differences = r.Differences,
                    trace = explain ? r.Trace.Select(t => new { rule = t.Rule, detail = t.Detail, source = t.Source }) : null,
                }),
                errors = errors.Select(e => new { file = e.File, line = e.Line, key = e.Key, reason = e.Reason }),
            }, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web) { WriteIndented = true }));
        }
        else
        {
            LedsagCommand.WriteErrors(errors, error);
            output.WriteLine($"{passed} passed, {failed} failed");
        }
        return errors.Count > 0 ? LedsagCommand.BadInput : failed > 0 ? LedsagCommand.Failed : LedsagCommand.Ok;
    }

    private static IEnumerable<string> CaseFiles(string[] paths, List<RuleFileError> errors)
    {
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                foreach (var f in Directory.EnumerateFiles(path, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    yield return f;
                }
            }
            else if (File.Exists(path))
            {
                yield return path;
            }
            else
            {
                errors.Add(new RuleFileError(path, 0, "", "filen eller mappen findes ikke"));
            }
        }
    }
}
