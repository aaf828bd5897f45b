using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using SwfServerless.Service.Executions;
using SwfServerless.Service.Hosting;
using SwfServerless.Service.Protocol;
using SwfServerless.Service.Time;
using SwfServerless.Service.WebConsole;

namespace SwfServerless.Functions;

/// <summary>
/// The three functions. Each hands its trigger to the service and holds no logic of its own. Their bindings end up in
/// the build's <c>functions.metadata</c>, which <c>tests/SwfServerless.Functions.Tests</c> checks.
/// </summary>
public sealed class SwfFunctions(SweepWork sweep, IntentsWork intents)
{
    public const string HttpFunction = "Swf";
    public const string SweepFunction = "Sweep";
    public const string IntentsFunction = "Intents";

    /// <summary>When the timer's schedule status is unknown: the default schedule's period.</summary>
    private static readonly TimeSpan DefaultSchedulePeriod = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Every SWF call. Every SDK posts to <c>/</c> and dispatch is by <c>X-Amz-Target</c>, so the route catches every path
    /// (with <c>routePrefix</c> "" in host.json). Anonymous: callers authenticate with SigV4, checked by the service.
    /// GETs under <c>/console</c> are the web console's static files.
    /// </summary>
    [Function(HttpFunction)]
    public IActionResult Swf([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "{*path}")] HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
            ? request.Path == "/healthz" ? new ContentResult { Content = "ok", ContentType = "text/plain" }
              : ConsoleAssets.IsConsolePath(request.Path) ? new ConsoleResult() : new NotFoundResult()
            : new SwfCallResult();

    /// <summary>
    /// The backstop for every deadline: drains all that is due (not one batch per tick) and hands what falls due before
    /// the next tick to this instance's in-process timers.
    /// </summary>
    [Function(SweepFunction)]
    public Task Sweep([TimerTrigger("%" + TriggerSettings.SweepScheduleSetting + "%")] TimerInfo timer, CancellationToken ct) =>
        sweep.DrainAsync(LookAhead(timer), ct);

    /// <summary>One intent; a failure is queued again by <see cref="IntentsWork"/> rather than thrown, so none reaches the poison queue by failing.</summary>
    [Function(IntentsFunction)]
    public Task Intents(
        [QueueTrigger("%" + TriggerSettings.IntentQueueSetting + "%", Connection = "AzureWebJobsStorage")] string message,
        FunctionContext context, CancellationToken ct) =>
        intents.RunAsync(message, DequeueCount(context), ct, context.BindingContext.BindingData.TryGetValue("Id", out var id) ? id?.ToString() : null);

    // The schedule's period (next tick minus last), whatever the time zone the host reports them in.
    internal static TimeSpan LookAhead(TimerInfo timer) =>
        timer.ScheduleStatus is { } status && status.Next > status.Last ? status.Next - status.Last : DefaultSchedulePeriod;

    private static long DequeueCount(FunctionContext context) =>
        context.BindingContext.BindingData.TryGetValue("DequeueCount", out var value) && long.TryParse(value?.ToString(), out var count) ? count : 1;

    /// <summary>Runs the call when the worker executes the result: the service writes the whole answer to the response.</summary>
    private sealed class SwfCallResult : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context) => SwfEndpoint.HandleAsync(context.HttpContext);
    }

    /// <summary>Serves a web console file (both hosts serve the same embedded build).</summary>
    private sealed class ConsoleResult : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context) => ConsoleAssets.Embedded.ServeAsync(context.HttpContext);
    }
}
