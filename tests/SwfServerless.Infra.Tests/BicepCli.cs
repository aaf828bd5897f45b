using SwfServerless.Testing;
using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace SwfServerless.Infra.Tests;

/// <summary>What one run of the Bicep CLI printed, and the diagnostics in it.</summary>
internal sealed partial record BicepRun(string Command, int ExitCode, string StdOut, string StdErr)
{
    /// <summary>Diagnostic lines (<c>path(line,col) : Warning rule: message</c>) from both streams.</summary>
    public IReadOnlyList<string> Diagnostics =>
        Lines(StdOut).Concat(Lines(StdErr)).Where(l => DiagnosticLine().IsMatch(l)).ToList();

    /// <summary>
    /// Why this run is not clean, or null. Bicep exits 0 on warnings (lint too), so the output is read as well: any
    /// Warning or Error diagnostic, and any other stderr line that speaks of an error or a warning (a config
    /// problem, say, is not printed in the diagnostic format).
    /// </summary>
    public string? Problem()
    {
        var bad = Diagnostics.Where(l => DiagnosticLine().Match(l).Groups["level"].Value is "Warning" or "Error")
            .Concat(Lines(StdErr).Where(l => !DiagnosticLine().IsMatch(l) && ErrorWord().IsMatch(l)))
            .ToList();
        if (ExitCode == 0 && bad.Count == 0) return null;
        return $"`{Command}` exited {ExitCode}{(bad.Count > 0 ? ":\n" + string.Join("\n", bad) : "")}\n--- stderr ---\n{StdErr}";
    }

    private static IEnumerable<string> Lines(string text) =>
        text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0);

    [GeneratedRegex(@"^.+\(\d+,\d+\) : (?<level>Error|Warning|Info) (?<code>[\w-]+): ")]
    internal static partial Regex DiagnosticLine();

    [GeneratedRegex(@"\b(error|warning)", RegexOptions.IgnoreCase)]
    private static partial Regex ErrorWord();
}

/// <summary>
/// The Bicep CLI from the NuGet package Azure.Bicep.CommandLine.linux-x64 (pinned in Directory.Packages.props), run as a
/// child process. Always with <c>--no-restore</c>: the templates use local modules only, and without it every build and
/// lint looks up the public module index on the internet (seen with strace), which these tests must not depend on.
/// </summary>
internal static class BicepCli
{
    private static readonly Lazy<string> executable = new(Locate);

    public static string Executable => executable.Value;

    public static BicepRun Build(string bicepFile) => Run("build", "--no-restore", "--stdout", bicepFile);

    public static BicepRun Lint(string bicepFile, string? configFile = null) =>
        configFile is null ? Run("lint", "--no-restore", bicepFile) : Run("lint", "--no-restore", "--config", configFile, bicepFile);

    public static BicepRun Run(params string[] args)
    {
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = RepoRoot.Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        var command = "bicep " + string.Join(' ', args);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + Executable);
        // Both streams at once: a full stderr pipe must not block the child while stdout is being read.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{command}` did not finish in 3 minutes");
        }
        return new BicepRun(command, process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    private static string Locate()
    {
        var path = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "BicepCliPath")?.Value;
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
            throw new FileNotFoundException($"The Bicep CLI from NuGet is not at '{path}' (assembly metadata BicepCliPath).");
        return EnsureExecutable(path);
    }

    /// <summary>NuGet extraction does not promise to keep the execute bit; set it, or run a private copy if the cache is not ours.</summary>
    private static string EnsureExecutable(string path)
    {
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("The Bicep CLI package these tests reference is the linux-x64 one.");
        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(path);
        if ((mode & execute) == execute) return path;
        try
        {
            File.SetUnixFileMode(path, mode | execute);
            return path;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            var copy = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"swf-bicep-{Environment.UserName}-{new FileInfo(path).Length}", "bicep");
            if (!File.Exists(copy))
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(copy)!);
                var partial = copy + "." + Environment.ProcessId;
                File.Copy(path, partial, overwrite: true);
                File.SetUnixFileMode(partial, File.GetUnixFileMode(partial) | UnixFileMode.UserRead | UnixFileMode.UserExecute);
                File.Move(partial, copy, overwrite: true);
            }
            return copy;
        }
    }
}
