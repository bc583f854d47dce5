namespace Ledsag.Testing;

/// <summary>The repository's root folder (where Ledsag.slnx is), found from the running assembly. Linked into the test projects and the benchmark.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Ledsag.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("The repository root (Ledsag.slnx) was not found above " + AppContext.BaseDirectory);
    }
}
