using System.Text.Json;

namespace SwfServerless.Api.Tests.Functions;

/// <summary>Files of the repository itself (host.json, functions/, infra/, README), found from the test's output folder.</summary>
internal static class RepoFiles
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    public static string Text(params string[] parts) => File.ReadAllText(Path(parts));

    public static JsonElement Json(params string[] parts)
    {
        using var document = JsonDocument.Parse(Text(parts), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return document.RootElement.Clone();
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "SwfServerless.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException("SwfServerless.sln not found above " + AppContext.BaseDirectory);
    }
}
