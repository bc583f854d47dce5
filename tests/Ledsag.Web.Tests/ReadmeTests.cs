using System.Text.RegularExpressions;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>What the README shows is there: every screenshot it names exists as a PNG, and every role has one on a desk and one on a phone.</summary>
public sealed partial class ReadmeTests
{
    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "README.md")) && Directory.Exists(Path.Combine(dir.FullName, "docs")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("README.md not found above the test folder");
    }

    [Fact]
    public void EveryScreenshotTheReadmeShowsExists_AndEachRoleHasADeskAndAPhone()
    {
        var root = Root();
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var shots = Screenshot().Matches(readme).Select(m => m.Value).Distinct().ToList();
        shots.Count.ShouldBeGreaterThanOrEqualTo(14);
        foreach (var shot in shots)
        {
            var bytes = File.ReadAllBytes(Path.Combine(root, shot));
            bytes.Take(4).ShouldBe(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, shot);
        }
        foreach (var role in new[] { "Borger", "Ledsager", "Sagsbehandler", "Koordinator", "Økonomi", "Administrator" })
        {
            var row = readme.Split('\n').First(l => l.StartsWith($"| {role} |", StringComparison.Ordinal));
            Screenshot().Matches(row).Count.ShouldBe(2, role);
            Screenshot().Matches(row)[1].Value.ShouldContain("telefon", Case.Sensitive, role);
        }
    }

    [GeneratedRegex(@"docs/screenshots/[a-z0-9-]+\.png")]
    private static partial Regex Screenshot();
}
