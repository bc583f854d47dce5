using Ledsag.Domain.Standards;

namespace Ledsag.Domain.Tests;

/// <summary>The shipped standard files, copied beside the test assembly, read once.</summary>
internal static class TestStandards
{
    private static readonly Lazy<StandardSet> Set = new(() => Load(Dir));

    public static string Dir => Path.Combine(AppContext.BaseDirectory, "standards");

    public static StandardSet All => Set.Value;

    public static MunicipalStandard Get(string id) => All[id];

    public static StandardSet Load(string dir) =>
        StandardParser.Parse(Directory.GetFiles(dir, "*.yaml").Select(f => (Path.GetFileName(f), File.ReadAllText(f))));
}
