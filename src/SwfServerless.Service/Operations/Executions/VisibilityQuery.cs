using SwfServerless.Core.Faults;
using SwfServerless.Core.Model;
using SwfServerless.Core.Paging;
using SwfServerless.Storage.Visibility;

namespace SwfServerless.Service.Operations.Executions;

/// <summary>The filter rules List/Count Open/Closed WorkflowExecutions share, turned into an index query.</summary>
public sealed record VisibilityQuery(string Index, DateTimeOffset Oldest, DateTimeOffset? Latest, VisibilityFilter Filter)
{
    public static VisibilityQuery Open(ExecutionTimeFilter start, WorkflowTypeFilter? type, TagFilter? tag, WorkflowExecutionFilter? execution)
    {
        Exclusive(("executionFilter", execution), ("typeFilter", type), ("tagFilter", tag));
        return new("o", start.OldestDate!.Value, start.LatestDate, Filters(type, tag, execution, null));
    }

    public static VisibilityQuery Closed(ExecutionTimeFilter? start, ExecutionTimeFilter? close, WorkflowTypeFilter? type, TagFilter? tag,
        WorkflowExecutionFilter? execution, CloseStatusFilter? status)
    {
        if ((start is null) == (close is null))
            throw SwfFault.Validation("startTimeFilter and closeTimeFilter are mutually exclusive: specify exactly one of them.");
        Exclusive(("executionFilter", execution), ("closeStatusFilter", status), ("typeFilter", type), ("tagFilter", tag));
        var time = start ?? close!;
        return new(start is not null ? "c" : "x", time.OldestDate!.Value, time.LatestDate, Filters(type, tag, execution, status?.Status));
    }

    /// <summary>What a page token is bound to: the same query must come with it.</summary>
    public string Describe(string domain, bool reverseOrder) =>
        $"{domain}|{Index}|{Oldest.UtcTicks}|{Latest?.UtcTicks}|{Filter}|{reverseOrder}";

    public async Task<WorkflowExecutionInfos> ListAsync(VisibilityRepository visibility, string domain, int? maximumPageSize,
        string? nextPageToken, bool reverseOrder, CancellationToken ct)
    {
        var size = maximumPageSize is null or 0 ? Pager.DefaultPageSize : maximumPageSize.Value;
        var query = Describe(domain, reverseOrder);
        var (page, lastKey) = await visibility.ListAsync(domain, Index, Oldest, Latest, Filter, size, Pager.Decode(nextPageToken, query), reverseOrder, ct);
        return new WorkflowExecutionInfos { ExecutionInfos = page, NextPageToken = lastKey is null ? null : Pager.Encode(query, lastKey) };
    }

    /// <summary>Counts up to <paramref name="limit"/> executions; past it the answer says truncated, as the model allows.</summary>
    public async Task<WorkflowExecutionCount> CountAsync(VisibilityRepository visibility, string domain, int limit, CancellationToken ct)
    {
        var (count, truncated) = await visibility.CountAsync(domain, Index, Oldest, Latest, Filter, limit, ct);
        return new() { Count = count, Truncated = truncated };
    }

    private static VisibilityFilter Filters(WorkflowTypeFilter? type, TagFilter? tag, WorkflowExecutionFilter? execution, string? closeStatus) =>
        new(execution?.WorkflowId, type?.Name, type?.Version, tag?.Tag, closeStatus);

    private static void Exclusive(params (string Name, object? Value)[] filters)
    {
        var given = filters.Where(f => f.Value is not null).Select(f => f.Name).ToList();
        if (given.Count > 1)
            throw SwfFault.Validation($"{string.Join(", ", filters.Select(f => f.Name))} are mutually exclusive; this request specifies {string.Join(" and ", given)}.");
    }
}
