using Ledsag.Domain.Standards;

namespace Ledsag.Web.Infrastructure;

/// <summary>Finds and reads the standards folder (national.yaml and one file per municipality).</summary>
public static class StandardsDirectory
{
    /// <summary>The folder to use: the option, else LEDSAG_STANDARDS, else standards/ in the working folder or above it, else the copy beside the program.</summary>
    public static string Locate(string? option)
    {
        if (!string.IsNullOrEmpty(option))
        {
            return option;
        }
        if (Environment.GetEnvironmentVariable("LEDSAG_STANDARDS") is { Length: > 0 } env)
        {
            return env;
        }
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "standards");
            if (File.Exists(Path.Combine(candidate, "national.yaml")))
            {
                return candidate;
            }
        }
        return Path.Combine(AppContext.BaseDirectory, "standards");
    }

    /// <summary>Reads every standard in <paramref name="dir"/>; unreadable or invalid files raise a RuleFileException.</summary>
    public static StandardSet Load(string dir)
    {
        if (!File.Exists(Path.Combine(dir, StandardParser.NationalFileName)))
        {
            throw new Domain.Text.RuleFileException(new Domain.Text.RuleFileError(Path.Combine(dir, StandardParser.NationalFileName), 0, "", "filen findes ikke"));
        }
        var set = StandardParser.Parse(Directory.GetFiles(dir, "*.yaml").Select(f => (Display(f), File.ReadAllText(f))));
        foreach (var m in set.Municipalities.Values)
        {
            if (Path.GetFileNameWithoutExtension(m.File) != m.Id)
            {
                throw new Domain.Text.RuleFileException(new Domain.Text.RuleFileError(m.File, 1, "id", $"id '{m.Id}' skal svare til filnavnet"));
            }
        }
        return set;
    }

    private static string Display(string path)
    {
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return relative.StartsWith("..", StringComparison.Ordinal) && relative.Count(c => c == '/') > 3 ? path : relative;
    }
}
