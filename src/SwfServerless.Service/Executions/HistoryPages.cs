using SwfServerless.Core.Model;
using SwfServerless.Core.Paging;
using SwfServerless.Storage.Executions;

namespace SwfServerless.Service.Executions;

/// <summary>
/// Pages a run's history by event id, reading only the rows of the page. Page tokens name the last event id
/// handed out and are bound to the query (run, order) they came from.
/// </summary>
public sealed class HistoryPages(ExecutionRepository executions)
{
    public async Task<(List<HistoryEvent> Events, string? NextPageToken)> PageAsync(
        string partition, string runId, long firstEventId, long lastEventId, int? maximumPageSize, bool reverseOrder,
        string? nextPageToken, string scope, CancellationToken ct)
    {
        var size = maximumPageSize is null or 0 ? Pager.DefaultPageSize : maximumPageSize.Value;
        var query = $"{scope}|{partition}|{runId}|{reverseOrder}";
        var after = Pager.Decode(nextPageToken, query) is { } key && long.TryParse(key, out var position) ? position : (long?)null;
        long from, to;
        if (!reverseOrder)
        {
            from = (after ?? firstEventId - 1) + 1;
            to = Math.Min(lastEventId, from + size - 1);
        }
        else
        {
            to = (after ?? lastEventId + 1) - 1;
            from = Math.Max(firstEventId, to - size + 1);
        }
        var events = await executions.ReadHistoryAsync(partition, runId, from, to, ct);
        if (reverseOrder) events.Reverse();
        var more = reverseOrder ? from > firstEventId : to < lastEventId;
        var last = reverseOrder ? from : to;
        return (events, more ? Pager.Encode(query, last.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null);
    }
}
