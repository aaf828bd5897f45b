using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using SwfServerless.Core.Executions;
using SwfServerless.Storage.AzureSdk;

namespace SwfServerless.Storage.Tasks;

/// <summary>
/// A scheduled task on its way to a worker: which run, which scheduled event. An activity task's message also carries
/// what the poll answers with, so the claim need not read the ActivityTaskScheduled event again: its input
/// (<see cref="HasInput"/>: false when it did not fit in a queue message, or in messages of older builds) and, to tell
/// it apart from a message of a commit that never happened, the activity id and the event's time.
/// LOAD-BEARING: queued messages must stay readable across deployments (new members are optional).
/// </summary>
public sealed record TaskMessage(TaskKind Kind, string Partition, string RunId, long ScheduledEventId, DateTimeOffset EnqueuedAt)
{
    public bool HasInput { get; init; }
    public string? Input { get; init; }
    public string? ActivityId { get; init; }
    public DateTimeOffset? ScheduledAt { get; init; }
}

/// <summary>
/// A task message as this instance holds it: received from a queue (<paramref name="QueueName"/>), or just put there.
/// A received one is hidden from other pollers until it is deleted or its visibility ends; a put one is visible.
/// </summary>
public sealed record ReceivedTask(TaskMessage Message, string QueueName, string MessageId, string PopReceipt)
{
    /// <summary>Received (hidden from other pollers), rather than just put (visible to all).</summary>
    public bool Hidden { get; init; } = true;
}

/// <summary>
/// One Azure queue per (domain, task list, kind, priority). Task list names are free text: queue names carry a
/// hash of them, so no two task lists collide. Priority 0 (the default) is the base queue; other priorities get
/// their own queues, recorded in the TaskLists table so pollers drain them highest first.
/// LOAD-BEARING: queue names must stay stable across deployments, or queued tasks are stranded.
/// </summary>
public sealed class TaskQueues(StorageClients clients, SwfTables tables, string prefix, TimeProvider clock)
{
    private static readonly TimeSpan PriorityCacheTime = TimeSpan.FromSeconds(5);

    /// <summary>Azure's most messages per receive.</summary>
    public const int MaxReceive = 32;

    // Priorities by task list: kept while read within PriorityCacheTime; expired entries are pruned whenever the cache
    // doubles, so it holds about the task lists in use, not every one ever seen.
    private readonly ConcurrentDictionary<string, (int[] Priorities, DateTimeOffset ReadAt)> priorities = new();
    private int pruneAt = 1024;

    /// <remarks>Kept for the task lists in use: every put, receive, hand-over and commit asks for it, and a hash is dearer than a lookup.</remarks>
    public static string TaskListKey(string domain, TaskKind kind, string taskList)
    {
        if (Keys.TryGetValue((domain, kind, taskList), out var key)) return key;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{domain}\n{taskList}"));
        key = (kind == TaskKind.Activity ? "a-" : "d-") + Convert.ToHexStringLower(hash, 0, 12);
        if (Keys.Count >= MaxKeys) Keys.Clear(); // task lists come and go: keep about those in use
        Keys[(domain, kind, taskList)] = key;
        return key;
    }

    private const int MaxKeys = 4096;
    private static readonly ConcurrentDictionary<(string Domain, TaskKind Kind, string TaskList), string> Keys = new();

    public string QueueName(string taskListKey, int priority) =>
        $"{prefix}-{taskListKey}" + (priority == 0 ? "" : priority > 0 ? $"-p{priority}" : $"-m{-(long)priority}");

    /// <summary>
    /// Queues a task, visible at once; returns the message with the receipt that deletes it (a commit that lost its race
    /// deletes its messages). Called before the commit that schedules it: a crash in between leaves a message whose task
    /// never committed, which claimers recognise and drop.
    /// </summary>
    public async Task<ReceivedTask> EnqueueAsync(string domain, string taskList, int priority, TaskMessage message, CancellationToken ct)
    {
        var key = TaskListKey(domain, message.Kind, taskList);
        if (priority != 0) await RegisterPriorityAsync(key, priority, ct);
        var queue = clients.GetQueueClient(QueueName(key, priority));
        var text = Serialize(message);
        SendReceipt receipt;
        try
        {
            // Never expires: a task waits for a worker until SWF's own timeouts end it (schedule-to-start, the execution's
            // start-to-close, up to a year); a message gone after Azure's default 7 days would strand it scheduled.
            receipt = await queue.SendCheckedAsync(text, null, QueueOperations.NeverExpires, ct);
        }
        catch (RequestFailedException e) when (e.IsNotFound())
        {
            // The first task ever on this queue: create it (no per-queue cache to keep, and one request in the usual case).
            await queue.CreateIfNotExistsAsync(cancellationToken: ct);
            receipt = await queue.SendCheckedAsync(text, null, QueueOperations.NeverExpires, ct);
        }
        return new ReceivedTask(message, queue.Name, receipt.MessageId, receipt.PopReceipt) { Hidden = false };
    }

    /// <summary>The message as queued: with the activity's input when the whole still fits in a queue message, else without it.</summary>
    private static string Serialize(TaskMessage message)
    {
        var text = JsonSerializer.Serialize(message, StorageJsonContext.Default.TaskMessage);
        if (!message.HasInput || (Encoding.UTF8.GetByteCount(text) + 2) / 3 * 4 <= QueueLimits.MaxMessageBytes) return text;
        return JsonSerializer.Serialize(message with { HasInput = false, Input = null }, StorageJsonContext.Default.TaskMessage);
    }

    /// <summary>Up to <paramref name="max"/> messages of the task list, highest priority first, hidden for <paramref name="visibility"/>.</summary>
    public async Task<List<ReceivedTask>> ReceiveAsync(string domain, TaskKind kind, string taskList, int max, TimeSpan visibility, CancellationToken ct)
    {
        var key = TaskListKey(domain, kind, taskList);
        var result = new List<ReceivedTask>();
        foreach (var priority in await PrioritiesAsync(key, ct))
        {
            if (result.Count >= max) break;
            var queue = clients.GetQueueClient(QueueName(key, priority));
            QueueMessage[] messages;
            try { messages = (await queue.ReceiveMessagesAsync(Math.Min(max - result.Count, MaxReceive), visibility, ct)).Value; }
            catch (RequestFailedException e) when (e.IsNotFound()) { continue; } // nothing was ever queued there
            foreach (var m in messages)
            {
                TaskMessage? message = null;
                try { message = JsonSerializer.Deserialize(m.Body.ToString(), StorageJsonContext.Default.TaskMessage); }
                catch (JsonException) { }
                if (message is null)
                {
                    // Not ours: dropped, and told by its id (never its text) for the log.
                    await queue.DeleteIfOwnedAsync(m.MessageId, m.PopReceipt, ct);
                    clients.ReportDropped(queue.Name, m.MessageId);
                    continue;
                }
                result.Add(new ReceivedTask(message, queue.Name, m.MessageId, m.PopReceipt));
            }
        }
        return result;
    }

    /// <summary>Deletes the message; a message that is no longer ours (its visibility ran out and another poller took it) is left alone.</summary>
    public Task DeleteAsync(ReceivedTask task, CancellationToken ct) => clients.GetQueueClient(task.QueueName).DeleteIfOwnedAsync(task.MessageId, task.PopReceipt, ct);

    /// <summary>Makes the message visible again after <paramref name="delay"/> (its task's commit is not visible yet, or its poller left).</summary>
    public async Task DeferAsync(ReceivedTask task, TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await clients.GetQueueClient(task.QueueName).UpdateMessageAsync(task.MessageId, task.PopReceipt, visibilityTimeout: delay, cancellationToken: ct);
        }
        catch (RequestFailedException e) when (e.Status == 404 || e.ErrorCode == "PopReceiptMismatch")
        {
            // Gone or no longer ours: someone else has it, nothing to give back.
        }
    }

    private async Task<int[]> PrioritiesAsync(string key, CancellationToken ct)
    {
        if (priorities.TryGetValue(key, out var cached) && clock.GetUtcNow() - cached.ReadAt < PriorityCacheTime) return cached.Priorities;
        var found = new SortedSet<int> { 0 };
        await foreach (var row in tables.TaskLists.QueryRowsAsync(TableClient.CreateQueryFilter($"PartitionKey eq {key}"), cancellationToken: ct))
            found.Add(row.GetInt32("Priority") ?? 0);
        var result = found.Reverse().ToArray();
        Remember(key, result);
        return result;
    }

    private void Remember(string key, int[] result)
    {
        var now = clock.GetUtcNow();
        priorities[key] = (result, now);
        if (priorities.Count <= pruneAt) return;
        foreach (var (k, v) in priorities)
        {
            if (now - v.ReadAt >= PriorityCacheTime) priorities.TryRemove(k, out _);
        }
        pruneAt = Math.Max(1024, priorities.Count * 2);
    }

    private async Task RegisterPriorityAsync(string key, int priority, CancellationToken ct)
    {
        if (priorities.TryGetValue(key, out var cached) && cached.Priorities.Contains(priority)) return;
        await tables.TaskLists.UpsertRowAsync(new TableEntity(key, priority.ToString("D11")) { ["Priority"] = priority }, cancellationToken: ct);
        priorities.TryRemove(key, out _);
    }
}
