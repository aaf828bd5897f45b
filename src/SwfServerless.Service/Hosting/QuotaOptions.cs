using SwfServerless.Core.Executions;

namespace SwfServerless.Service.Hosting;

/// <summary>
/// SWF's quotas, section <c>Swf:Quotas</c> (environment: <c>Swf__Quotas__Domains</c> and so on). Defaults are Amazon SWF's
/// figures ("Amazon SWF Quotas", developer guide). Counted per storage prefix: one deployment is one "account".
/// </summary>
public sealed class QuotaOptions
{
    /// <summary>Registered and deprecated domains together (SWF: 100). RegisterDomain past it: LimitExceededFault.</summary>
    public int Domains { get; set; } = 100;

    /// <summary>Registered and deprecated workflow types per domain (SWF: 10,000). RegisterWorkflowType past it: LimitExceededFault.</summary>
    public int WorkflowTypes { get; set; } = 10_000;

    /// <summary>Registered and deprecated activity types per domain (SWF: 10,000). RegisterActivityType past it: LimitExceededFault.</summary>
    public int ActivityTypes { get; set; } = 10_000;

    /// <summary>
    /// Open executions per domain, children included (SWF: 100,000). StartWorkflowExecution past it: LimitExceededFault; a
    /// child start: StartChildWorkflowExecutionFailed with OPEN_WORKFLOWS_LIMIT_EXCEEDED.
    /// </summary>
    public int OpenExecutions { get; set; } = 100_000;

    /// <summary>
    /// Events in one run's history (SWF: 25,000). A change that would pass it terminates the run instead
    /// (WorkflowExecutionTerminated, cause EVENT_LIMIT_EXCEEDED). At least 3.
    /// </summary>
    public int HistoryEvents { get; set; } = ExecutionLimits.SwfMaxHistoryEvents;

    public ExecutionLimits ToExecutionLimits() => new() { MaxHistoryEvents = Math.Max(3, HistoryEvents) };
}
