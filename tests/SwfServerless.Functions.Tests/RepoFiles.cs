using System.Text.Json;

namespace SwfServerless.Functions.Tests;

/// <summary>Files of the repository itself (host.json, the settings sample, README), found from the test's output folder.</summary>
internal static class RepoFiles
{
    public static string Root { get; } = FindRoot();

    public static string Text(params string[] parts) => File.ReadAllText(Path.Combine([Root, .. parts]));

    public static JsonElement Json(params string[] parts)
    {
        using var document = JsonDocument.Parse(Text(parts), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return document.RootElement.Clone();
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SwfServerless.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException("SwfServerless.sln not found above " + AppContext.BaseDirectory);
    }
}
