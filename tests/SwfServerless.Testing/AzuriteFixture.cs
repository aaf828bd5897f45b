using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace SwfServerless.Testing;

/// <summary>
/// A storage emulator for integration tests. Uses SWF_TEST_STORAGE_CONNECTION when set (a shared Azurite or a
/// real account); otherwise starts a private Azurite from the repo's node_modules on free ports, with its data
/// in a fresh folder (on /dev/shm when there is one), and removes both afterwards.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public const string ConnectionVariable = "SWF_TEST_STORAGE_CONNECTION";

    private const string AccountName = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly StringBuilder _output = new();
    private Process? _process;
    private string? _location;

    public string ConnectionString { get; private set; } = "";

    private bool _private;
    private (int Blob, int Queue, int Table) _ports;

    /// <summary>
    /// A private Azurite even when <see cref="ConnectionVariable"/> is set: for tests that stop and restart it
    /// (<see cref="RestartAsync"/>) or must not share it. Dispose it.
    /// </summary>
    public static async Task<AzuriteFixture> StartPrivateAsync()
    {
        var fixture = new AzuriteFixture { _private = true };
        await fixture.InitializeAsync();
        return fixture;
    }

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable(ConnectionVariable);
        if (!_private && !string.IsNullOrWhiteSpace(external))
        {
            ConnectionString = external;
            return;
        }

        // Free ports can be taken between our probe and Azurite's bind; try again with new ones.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartAzuriteAsync();
                return;
            }
            catch (AzuriteStartException) when (attempt < 3)
            {
                await StopAsync();
            }
        }
    }

    public Task DisposeAsync() => StopAsync();

    /// <summary>
    /// Stops the private Azurite (mid-request for whoever is calling), keeps it down for <paramref name="down"/>, and starts
    /// it again on the same ports with the same on-disk data, as a storage outage looks to the app. SIGTERM, not SIGKILL:
    /// Azurite's store saves its files every 5 s and on shutdown, so a SIGKILL would lose writes it had acknowledged,
    /// which Azure Storage never does.
    /// </summary>
    public async Task RestartAsync(TimeSpan down)
    {
        if (!_private) throw new InvalidOperationException("Only a private Azurite (StartPrivateAsync) can be restarted.");
        var process = _process!;
        if (OperatingSystem.IsWindows() || SendSignal(process.Id, 15) != 0) process.Kill(entireProcessTree: true);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            try { await process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { process.Kill(entireProcessTree: true); await process.WaitForExitAsync(); }
        }
        process.Dispose();
        _process = null;
        await Task.Delay(down);
        await StartAzuriteAsync(restart: true);
    }

    private async Task StartAzuriteAsync(bool restart = false)
    {
        var root = FindRepoRoot();
        var script = Path.Combine(root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!restart)
        {
            _ports = FreePorts();
            var tempRoot = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
            _location = Path.Combine(tempRoot, "azurite-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(_location);
        }
        var (blobPort, queuePort, tablePort) = _ports;

        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _location!,
        };
        // Never --inMemoryPersistence: it stalls under sustained queue traffic.
        foreach (var arg in new[]
                 {
                     script, "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose",
                     "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
                     "--blobPort", blobPort.ToString(), "--queuePort", queuePort.ToString(), "--tablePort", tablePort.ToString(),
                     "--location", _location!,
                 })
        {
            start.ArgumentList.Add(arg);
        }

        _output.Clear();
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        try
        {
            _process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"Could not run `node` to start Azurite ({e.Message}). Install Node.js 20+, or set {ConnectionVariable}.", e);
        }
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        await WaitForPortsAsync(blobPort, queuePort, tablePort);

        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{blobPort}/{AccountName};" +
            $"QueueEndpoint=http://127.0.0.1:{queuePort}/{AccountName};" +
            $"TableEndpoint=http://127.0.0.1:{tablePort}/{AccountName};";
    }

    private async Task WaitForPortsAsync(params int[] ports)
    {
        var deadline = Stopwatch.StartNew();
        var pending = new List<int>(ports);
        while (pending.Count > 0)
        {
            if (_process!.HasExited)
                throw new AzuriteStartException($"Azurite exited with code {_process.ExitCode} before listening.\n{Output()}");
            if (deadline.Elapsed > StartTimeout)
                throw new AzuriteStartException($"Azurite did not listen on ports {string.Join(", ", pending)} within {StartTimeout.TotalSeconds} s.\n{Output()}");

            foreach (var port in pending.ToArray())
            {
                if (await AcceptsAsync(port))
                    pending.Remove(port);
            }
            if (pending.Count > 0)
                await Task.Delay(100);
        }
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    // All three listeners stay open until all three ports are known, so the ports differ.
    private static (int Blob, int Queue, int Table) FreePorts()
    {
        var listeners = Enumerable.Range(0, 3).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        try
        {
            foreach (var listener in listeners)
                listener.Start();
            var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
            return (ports[0], ports[1], ports[2]);
        }
        finally
        {
            foreach (var listener in listeners)
                listener.Stop();
        }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "package.json")) &&
                Directory.Exists(Path.Combine(dir.FullName, "node_modules", "azurite")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException(
            $"No folder above {AppContext.BaseDirectory} holds package.json and node_modules/azurite: run `npm ci` in the repo root, " +
            $"or set {ConnectionVariable} to a storage connection string.");
    }

    private async Task StopAsync()
    {
        if (_process is { } process)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    await process.WaitForExitAsync(timeout.Token);
                }
            }
            catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
            {
                // Already gone, or not dying: nothing more a test run can do about it.
            }
            process.Dispose();
            _process = null;
        }

        if (_location is { } location && Directory.Exists(location))
        {
            try { Directory.Delete(location, recursive: true); }
            catch (IOException) { /* a file still held open; the OS reclaims /dev/shm on reboot */ }
        }
        _location = null;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }

    private string Output()
    {
        lock (_output)
            return _output.Length == 0 ? "(Azurite printed nothing)" : "Azurite output:\n" + _output;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private sealed class AzuriteStartException(string message) : Exception(message);
}
