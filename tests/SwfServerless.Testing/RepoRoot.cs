namespace SwfServerless.Testing;

/// <summary>The repository the tests were built from: the folder holding SwfServerless.sln above the test's output folder.</summary>
public static class RepoRoot
{
    public static string Directory { get; } = Find();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Directory, .. parts]);

    public static System.Text.Json.JsonElement Json(params string[] parts)
    {
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path(parts)));
        return document.RootElement.Clone();
    }

    /// <summary>A repository path with forward slashes, as the tests name files (stable across platforms).</summary>
    public static string Relative(string fullPath) => System.IO.Path.GetRelativePath(Directory, fullPath).Replace('\\', '/');

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "SwfServerless.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException("SwfServerless.sln not found above " + AppContext.BaseDirectory);
    }
}
