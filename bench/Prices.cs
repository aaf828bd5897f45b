namespace SwfServerless.Bench;

/// <summary>
/// List prices the cost comparison uses: every constant in one place, with where it comes from, when it was read
/// and whether a source page confirmed it here. Update them here; nothing else holds a price.
/// Prices looked up 2026 (bench issue 6) with the search tool over stored public pages; looked up again 2026-12-01
/// (issue 11): the SWF GovCloud page still says $0.00012 and $0.000030, and no page here confirmed the others.
/// </summary>
public static class Prices
{
    public sealed record Price(double Usd, string Per, string Source, bool Confirmed);

    // ---- Amazon SWF, US East (N. Virginia) ----
    /// <summary>Widely published US-East price; the page found here was the GovCloud one ($0.00012), so not confirmed.</summary>
    public static readonly Price SwfExecutionStarted = new(0.0001, "workflow execution started",
        "aws.amazon.com/swf/pricing (US East); GovCloud page aws.amazon.com/govcloud-us/pricing/swf/ confirmed $0.00012", Confirmed: false);
    /// <summary>Tasks, markers, timers and signals; decision and activity tasks each count.</summary>
    public static readonly Price SwfTask = new(0.000025, "task, signal, timer or marker",
        "aws.amazon.com/swf/pricing (US East); GovCloud page confirmed $0.000030", Confirmed: false);
    /// <summary>GovCloud (US), confirmed: the upper bound of SWF's list prices.</summary>
    public static readonly Price SwfGovCloudExecutionStarted = new(0.00012, "workflow execution started", "aws.amazon.com/govcloud-us/pricing/swf/", Confirmed: true);
    public static readonly Price SwfGovCloudTask = new(0.000030, "task, signal, timer or marker", "aws.amazon.com/govcloud-us/pricing/swf/", Confirmed: true);

    // ---- Azure Storage, Standard general-purpose v2, LRS, East US ----
    /// <summary>Table: every REST request is one transaction (an entity-group transaction counts as one).</summary>
    public static readonly Price TableTransaction = new(0.00036 / 10_000, "table transaction",
        "azure.microsoft.com/pricing/details/storage/tables ($0.00036 per 10,000, LRS)", Confirmed: false);
    /// <summary>Queue: GPv2 class 1 and class 2 operations, priced alike per 10,000.</summary>
    public static readonly Price QueueOperation = new(0.004 / 10_000, "queue operation",
        "azure.microsoft.com/pricing/details/storage/queues (GPv2 LRS, $0.004 per 10,000 class 1/2 operations)", Confirmed: false);

    // ---- Azure Functions Flex Consumption, on demand, East US ----
    public static readonly Price FlexGbSecond = new(0.000026, "GB-s of instance memory while executing",
        "modal.com/blog/azure-function-pricing-guide (May 2025, East US, quoting the Azure Functions pricing page)", Confirmed: true);
    public static readonly Price FlexExecution = new(0.40 / 1_000_000, "execution",
        "azure.microsoft.com/pricing/details/functions ($0.40 per million on-demand executions)", Confirmed: false);
    /// <summary>Flex Consumption instance sizes are 512 MB, 2048 MB (default) and 4096 MB.</summary>
    public const double FlexInstanceGb = 2.0;

    public static IEnumerable<(string Name, Price Price)> All =>
    [
        ("swfExecutionStarted", SwfExecutionStarted), ("swfTask", SwfTask), ("swfGovCloudExecutionStarted", SwfGovCloudExecutionStarted),
        ("swfGovCloudTask", SwfGovCloudTask), ("tableTransaction", TableTransaction), ("queueOperation", QueueOperation),
        ("flexGbSecond", FlexGbSecond), ("flexExecution", FlexExecution),
    ];
}
