namespace Ledsag.Cli.Tests;

/// <summary>Runs the real <c>ledsag</c> command in-process against the repository's standards.</summary>
internal static class Cli
{
    public static string RepoRoot => Ledsag.Testing.RepositoryRoot.Path;

    public static string Standards => Path.Combine(RepoRoot, "standards");

    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = LedsagCommand.Run([.. args, "--standards", Standards], output, error);
        return (exit, output.ToString(), error.ToString());
    }
}

/// <summary>A temporary folder with files, deleted afterwards.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("ledsag-test-").FullName;

    public string Write(string name, string text)
    {
        var file = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
        return file;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
