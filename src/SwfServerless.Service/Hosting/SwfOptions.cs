using SwfServerless.Service.Auth;

namespace SwfServerless.Service.Hosting;

/// <summary>The service's own settings, section <c>Swf</c> (environment: <c>Swf__Region</c> and so on).</summary>
public sealed class SwfOptions
{
    /// <summary>Region and account shown in domain ARNs (<c>arn:aws:swf:region:account:/domain/name</c>).</summary>
    public string Region { get; set; } = "us-east-1";
    public string AccountId { get; set; } = "000000000000";

    /// <summary>Prefix of every table and queue name, so deployments can share a storage account.</summary>
    public string StoragePrefix { get; set; } = "swf";

    /// <summary>Requests with a larger body are rejected before parsing.</summary>
    public int MaxRequestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// CountOpen/ClosedWorkflowExecutions count at most this many executions (a keys-only scan of the index, 1,000 rows a
    /// request); past it they answer this count with <c>truncated: true</c>.
    /// </summary>
    public int MaxCountedExecutions { get; set; } = 10_000;

    /// <summary>How long PollForDecisionTask / PollForActivityTask wait for a task (SWF: 60 s).</summary>
    public int LongPollSeconds { get; set; } = 60;

    /// <summary>
    /// Longest pause between looks at a task list's queue while pollers wait on it (one look per task list and instance,
    /// however many pollers wait; tasks queued on this instance reach its pollers at once). Another instance's task waits
    /// half of it on average: 400 ms keeps that near 200 ms for about $2.60 a month per watched task list.
    /// </summary>
    public int PollIntervalMilliseconds { get; set; } = 400;

    /// <summary>
    /// A task scheduled while a poller of its task list waits on this instance is started for that poller in the
    /// scheduling commit (no queue message at all), if a timeout would end it once started; a lost answer then costs the
    /// task's timeout, as a lost poll answer does in SWF. False: every task goes by its queue and is claimed from its
    /// message, which costs three more storage requests per task and survives a lost answer without a timeout.
    /// </summary>
    public bool StartTasksForWaitingPollers { get; set; } = true;

    /// <summary>
    /// How long a task message received for a poller stays hidden from every other poller while it is claimed: after a crash of the
    /// instance holding it, it comes back this much later. A claim takes milliseconds.
    /// </summary>
    public int TaskVisibilitySeconds { get; set; } = 30;

    /// <summary>
    /// How long an instance keeps a domain or type it read (<see cref="Operations.RegistryCache"/>): another instance's
    /// deprecation is seen this much later at most (SWF's is eventual too). 0: read them on every call.
    /// </summary>
    public int LookupCacheSeconds { get; set; } = 10;

    /// <summary>
    /// How often the standalone host sweeps due reminders (timeouts, timers, retention, index repair), and how far
    /// ahead each sweep looks to hand reminders due soon to this instance's in-process timers. 0: no background
    /// sweep (under the Functions host the timer-triggered function <c>Sweep</c> runs it instead).
    /// </summary>
    public int SweepIntervalSeconds { get; set; } = 10;

    /// <summary>At most this many reminders per sweep; a sweep that found a full batch of overdue ones runs again at once.</summary>
    public int SweepBatchSize { get; set; } = 200;

    /// <summary>
    /// Fire deadlines from in-process timers on the instance that armed them (or whose sweep saw them coming), so
    /// they fire within about a second. Off: only the sweep fires them, up to one interval late.
    /// </summary>
    public bool InProcessTimers { get; set; } = true;

    /// <summary>
    /// How long the instance that committed a start, cancel request or close has to write the visibility index before
    /// a reminder rewrites it from the state (its crash in between must not leave the index wrong). Also how long
    /// after its retention ends a closed run waits for removal by another instance than the one that closed it.
    /// </summary>
    public int VisibilityRepairSeconds { get; set; } = 60;

    /// <summary>
    /// How long an intent taken from the intents queue stays hidden while it is carried out: after a crash it comes
    /// back this much later. Carrying one out takes milliseconds; a parent's child policy over 1,000 children, seconds.
    /// </summary>
    public int IntentVisibilitySeconds { get; set; } = 30;

    /// <summary>
    /// Standalone: the longest pause between looks at an empty intents queue. Intents queued on this instance run at once
    /// (woken in-process); the looks only find those another instance left (it died, or deferred one), so they need not
    /// be frequent: 2 s is 30 queue requests a minute per idle instance. Under the Functions host the queue trigger looks.
    /// </summary>
    public int IntentPollIntervalMilliseconds { get; set; } = 2000;

    /// <summary>Intents this instance carries out at once.</summary>
    public int IntentConcurrency { get; set; } = 16;

    /// <summary>
    /// The HTTP functions Lambda tasks may call (<c>Swf__LambdaFunctions__N__Name/Url/Key/Audience</c>, N from 0):
    /// README "Lambda tasks". Only these are ever called.
    /// </summary>
    public List<SwfServerless.Service.Executions.LambdaFunctionOptions> LambdaFunctions { get; set; } = [];

    /// <summary>Base64 HMAC key for task tokens, shared by all instances. Unset: one is generated and kept in the service's storage.</summary>
    public string? TaskTokenKey { get; set; }

    /// <summary>
    /// Host names clients sign requests for (comma-separated, e.g. <c>myapp.azurewebsites.net,swf.example.com</c>).
    /// Unset: the received Host standalone, the proxy's X-Forwarded-Host under the Functions host (see <see cref="Auth.SignedHost"/>).
    /// </summary>
    public string? PublicHostNames { get; set; }

    /// <summary>SWF's quotas on domains, types, open executions and history (<c>Swf__Quotas__*</c>).</summary>
    public QuotaOptions Quotas { get; set; } = new();

    /// <summary>API call throttling, per access key and per instance (<c>Swf__Throttling__*</c>).</summary>
    public ThrottlingOptions Throttling { get; set; } = new();

    /// <summary>Access keys clients sign with, each with its policy. None configured: signatures are not checked.</summary>
    public List<AccessKeyOptions> AccessKeys { get; set; } = [];
}
