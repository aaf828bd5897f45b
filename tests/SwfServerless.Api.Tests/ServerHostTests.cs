using SwfServerless.Server;

namespace SwfServerless.Api.Tests;

/// <summary>The standalone server's host, as <see cref="SwfServer.Build"/> makes it.</summary>
[Collection("api")] // changes the process's working directory for a moment: in turn with the other API tests, not beside them
public sealed class ServerHostTests
{
    [Fact]
    public async Task The_content_root_is_the_apps_folder_wherever_it_is_started_from()
    {
        // From the repository root, a working-directory content root had its settings watcher cover every folder below
        // (node_modules, Azurite's data): thousands of inotify watches, half a second of startup.
        var started = Environment.CurrentDirectory;
        var elsewhere = Directory.CreateTempSubdirectory("swf-cwd-");
        Directory.SetCurrentDirectory(elsewhere.FullName);
        try
        {
            await using var app = SwfServer.Build(["--urls", "http://127.0.0.1:0"], new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" });
            Assert.Equal(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory), Path.TrimEndingDirectorySeparator(app.Environment.ContentRootPath));
        }
        finally
        {
            Directory.SetCurrentDirectory(started);
            elsewhere.Delete(recursive: true);
        }
    }
}
