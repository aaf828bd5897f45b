namespace SwfServerless.Checker;

/// <summary>A broken promise: which execution (<c>domain/workflowId/runId</c>, or the row for rows of no execution), which rule, what was found.</summary>
public sealed record Violation(string Execution, string Rule, string Detail)
{
    public override string ToString() => $"{Rule} {Execution}: {Detail}";
}

/// <summary>A row whose key the checker does not know (<see cref="ExecutionRowKey.Parse"/>): not judged, only listed.</summary>
public sealed record UnrecognisedRow(string Table, string PartitionKey, string RowKey);

/// <summary>How far a check has come.</summary>
public sealed record CheckProgress(long Executions, long Events, long Rows);

/// <summary>What to check against.</summary>
public sealed record CheckOptions
{
    /// <summary>The store's present (the app's clock): what is due, what is overdue. Default: the checker's clock.</summary>
    public DateTimeOffset? Now { get; init; }

    /// <summary>
    /// How long cross-execution work (a parent told of its child's start) may still be under way on a live store before
    /// its absence is a violation. 0 for a store at rest (the tests, after a scenario).
    /// </summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromMinutes(5);
}

public sealed class CheckReport
{
    /// <summary>Runs (state rows) checked, and of those open, closed, and closed past retention (being removed: partly checked).</summary>
    public long Executions { get; set; }
    public long Open { get; set; }
    public long Closed { get; set; }
    public long AwaitingRemoval { get; set; }

    /// <summary>Committed history events read.</summary>
    public long Events { get; set; }

    /// <summary>Rows read, in all tables.</summary>
    public long Rows { get; set; }

    /// <summary>History rows past their run's LastEventId: an overflow write whose commit never came (invisible; overwritten by the next commit).</summary>
    public long InvisibleEventRows { get; set; }

    public List<Violation> Violations { get; } = [];
    public List<UnrecognisedRow> Unrecognised { get; } = [];

    public string Summary() =>
        $"{Executions} executions ({Open} open, {Closed} closed, {AwaitingRemoval} awaiting removal), {Events} events, {Rows} rows, " +
        $"{InvisibleEventRows} invisible event rows, {Unrecognised.Count} unrecognised rows, {Violations.Count} violations";
}
