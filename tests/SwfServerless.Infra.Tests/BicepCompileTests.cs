using SwfServerless.Testing;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace SwfServerless.Infra.Tests;

/// <summary>
/// Every .bicep file under infra/ (found by globbing, so a new module is covered without touching this file) compiles
/// and lints without a single warning, with the real Bicep CLI and infra/bicepconfig.json.
/// </summary>
public sealed partial class BicepCompileTests
{
    /// <summary>Repository-relative paths of every .bicep file under infra/.</summary>
    public static IReadOnlyList<string> InfraBicepFiles() =>
        Directory.EnumerateFiles(RepoRoot.Path("infra"), "*.bicep", SearchOption.AllDirectories)
            .Select(RepoRoot.Relative).Order(StringComparer.Ordinal).ToList();

    public static TheoryData<string> BicepFiles() => new(InfraBicepFiles());

    [Fact]
    public void The_glob_finds_the_entry_point_and_its_modules()
    {
        var files = InfraBicepFiles();
        Assert.Contains("infra/main.bicep", files);
        // Every module main.bicep uses is a file the glob found, so none escapes the build and lint below.
        foreach (Match m in LocalModule().Matches(File.ReadAllText(RepoRoot.Path("infra", "main.bicep"))))
            Assert.Contains("infra/" + m.Groups["path"].Value, files);
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void Builds_to_an_ARM_template_without_warnings(string file)
    {
        var run = BicepCli.Build(file);
        Assert.True(run.Problem() is null, run.Problem());
        var template = JsonNode.Parse(run.StdOut)!.AsObject();
        Assert.StartsWith("https://schema.management.azure.com/schemas/", (string?)template["$schema"]);
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void Lints_without_warnings(string file)
    {
        var run = BicepCli.Lint(file);
        Assert.True(run.Problem() is null, run.Problem());
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void Uses_no_registry_modules(string file)
    {
        // The CLI runs with --no-restore and no network; a br:/ts: module could not be checked here (and would make
        // a deployment depend on a registry). Local paths only.
        var text = File.ReadAllText(RepoRoot.Path(file));
        Assert.DoesNotMatch(@"(?m)^\s*(module|import)\b.*'(br|ts)[:/]", text);
    }

    /// <summary>The check is not vacuous: a warning the CLI prints (it still exits 0) is caught, under the repo's config.</summary>
    [Fact]
    public void A_warning_fails_the_check_and_the_repo_config_is_the_one_applied()
    {
        var dir = Directory.CreateTempSubdirectory("swf-bicep-selfcheck-");
        try
        {
            var file = Path.Combine(dir.FullName, "warns.bicep");
            // An unused parameter (a default rule), and an untyped object parameter (raised in infra/bicepconfig.json).
            File.WriteAllText(file, "param unused string\nparam settings object\noutput count int = length(settings)\n");

            var lint = BicepCli.Lint(file, RepoRoot.Path("infra", "bicepconfig.json"));
            Assert.Equal(0, lint.ExitCode); // why the output has to be read at all
            Assert.Contains(lint.Diagnostics, l => l.Contains("Warning no-unused-params"));
            Assert.Contains(lint.Diagnostics, l => l.Contains("Warning use-user-defined-types"));
            Assert.NotNull(lint.Problem());

            var build = BicepCli.Build(file);
            Assert.Contains(build.Diagnostics, l => l.Contains("Warning no-unused-params"));
            Assert.NotNull(build.Problem());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_cli_is_the_version_pinned_in_Directory_Packages_props()
    {
        var pinned = XDocument.Load(RepoRoot.Path("Directory.Packages.props")).Descendants("PackageVersion")
            .Single(e => (string?)e.Attribute("Include") == "Azure.Bicep.CommandLine.linux-x64").Attribute("Version")!.Value;
        var run = BicepCli.Run("--version");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"Bicep CLI version {pinned} ", run.StdOut);
    }

    [GeneratedRegex(@"(?m)^\s*module\s+\w+\s+'(?<path>[^':]+\.bicep)'")]
    private static partial Regex LocalModule();
}
