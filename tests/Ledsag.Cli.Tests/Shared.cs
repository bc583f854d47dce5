namespace Ledsag.Cli.Tests;

/// <summary>The repository root, for tests in other projects that run the CLI against the shipped standards.</summary>
public static class CliRoot
{
    public static string Repo => Cli.RepoRoot;
}

/// <summary>A temporary folder for tests in other projects.</summary>
public sealed class TempDirectory : IDisposable
{
    private readonly TempDir _dir = new();

    public string Write(string name, string text) => _dir.Write(name, text);

    public void Dispose() => _dir.Dispose();
}
