namespace SwfServerless.Functions.Hosting;

/// <summary>
/// Work that the Functions host triggers by timer or queue message (one function.json each) and that the
/// standalone host runs itself. The custom-handler endpoint <c>POST /{FunctionName}</c> finds it by name.
/// </summary>
public interface ITriggeredWork
{
    /// <summary>The function's folder name under the published app, e.g. <c>Sweep</c>.</summary>
    string FunctionName { get; }

    /// <summary>Runs once. <paramref name="payload"/> is the trigger's data (a queue message's text; null for timers).</summary>
    Task RunAsync(string? payload, CancellationToken ct);
}
