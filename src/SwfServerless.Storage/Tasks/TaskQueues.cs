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

/// <summary>A scheduled task on its way to a worker: which run, which scheduled event.</summary>
public sealed record TaskMessage(TaskKind Kind, string Partition, string RunId, long ScheduledEventId, DateTimeOffset EnqueuedAt);

/// <summary>A task message taken from a queue (<paramref name="QueueName"/>), hidden from other pollers until it is deleted or its visibility ends.</summary>
public sealed record ReceivedTask(TaskMessage Message, string QueueName, string MessageId, string PopReceipt);

/// <summary>
/// One Azure queue per (domain, task list, kind, priority). Task list names are free text: queue names carry a
/// hash of them, so no two task lists collide. Priority 0 (the default) is the base queue; other priorities get
/// their own queues, recorded in the TaskLists table so pollers drain them highest first.
/// Pollers waiting on this instance are woken in-process as soon as a task is queued here.
/// LOAD-BEARING: queue names must stay stable across deployments, or queued tasks are stranded.
/// </summary>
public sealed class TaskQueues(StorageClients clients, SwfTables tables, string prefix, TimeProvider clock)
{
    private static readonly TimeSpan PriorityCacheTime = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, QueueClient> queues = new();
    private readonly ConcurrentDictionary<string, bool> created = new();
    private readonly ConcurrentDictionary<string, (int[] Priorities, DateTimeOffset ReadAt)> priorities = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> wakeups = new();

    public static string TaskListKey(string domain, TaskKind kind, string taskList)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{domain}\n{taskList}"));
        return (kind == TaskKind.Activity ? "a-" : "d-") + Convert.ToHexStringLower(hash, 0, 12);
    }

    public string QueueName(string taskListKey, int priority) =>
        $"{prefix}-{taskListKey}" + (priority == 0 ? "" : priority > 0 ? $"-p{priority}" : $"-m{-(long)priority}");

    /// <summary>Queues a task. Called before the commit that schedules it: a crash in between leaves a message whose task never committed, which claimers recognise and drop.</summary>
    public async Task EnqueueAsync(string domain, string taskList, int priority, TaskMessage message, CancellationToken ct)
    {
        var key = TaskListKey(domain, message.Kind, taskList);
        if (priority != 0) await RegisterPriorityAsync(key, priority, ct);
        var queue = await CreatedQueueAsync(QueueName(key, priority), ct);
        await queue.SendCheckedAsync(JsonSerializer.Serialize(message, StorageJsonContext.Default.TaskMessage), timeToLive: TimeSpan.FromDays(7), cancellationToken: ct);
    }

    /// <summary>Wakes this instance's pollers of a task list: call after the commit, so they find the task committed.</summary>
    public void NotifyLocal(string domain, TaskKind kind, string taskList)
    {
        if (wakeups.TryRemove(TaskListKey(domain, kind, taskList), out var waiters)) waiters.TrySetResult();
    }

    /// <summary>
    /// Completes when a task is next queued on this instance for the task list. Take it BEFORE looking in the
    /// queue: a task queued between the look and the wait then still wakes the poller.
    /// </summary>
    public Task LocalWorkSignal(string domain, TaskKind kind, string taskList) =>
        wakeups.GetOrAdd(TaskListKey(domain, kind, taskList), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>The next message of the task list, highest priority first, hidden for <paramref name="visibility"/>.</summary>
    public async Task<ReceivedTask?> ReceiveAsync(string domain, TaskKind kind, string taskList, TimeSpan visibility, CancellationToken ct)
    {
        var key = TaskListKey(domain, kind, taskList);
        foreach (var priority in await PrioritiesAsync(key, ct))
        {
            var queue = Queue(QueueName(key, priority));
            QueueMessage[] messages;
            try { messages = (await queue.ReceiveMessagesAsync(1, visibility, ct)).Value; }
            catch (RequestFailedException e) when (e.IsNotFound()) { continue; } // nothing was ever queued there
            if (messages.Length == 0) continue;
            var m = messages[0];
            TaskMessage? message = null;
            try { message = JsonSerializer.Deserialize(m.Body.ToString(), StorageJsonContext.Default.TaskMessage); }
            catch (JsonException) { }
            if (message is null) { await queue.DeleteIfOwnedAsync(m.MessageId, m.PopReceipt, ct); continue; } // not ours: drop it
            return new ReceivedTask(message, queue.Name, m.MessageId, m.PopReceipt);
        }
        return null;
    }

    /// <summary>Deletes the message; a message that is no longer ours (its visibility ran out and another poller took it) is left alone.</summary>
    public Task DeleteAsync(ReceivedTask task, CancellationToken ct) => Queue(task.QueueName).DeleteIfOwnedAsync(task.MessageId, task.PopReceipt, ct);

    /// <summary>Makes the message visible again after <paramref name="delay"/> (its task's commit is not visible yet).</summary>
    public Task DeferAsync(ReceivedTask task, TimeSpan delay, CancellationToken ct) =>
        Queue(task.QueueName).UpdateMessageAsync(task.MessageId, task.PopReceipt, visibilityTimeout: delay, cancellationToken: ct);

    /// <summary>Messages waiting in the task list's queues (approximate, as Azure reports it; stale messages count until skipped).</summary>
    public async Task<int> CountAsync(string domain, TaskKind kind, string taskList, CancellationToken ct)
    {
        var key = TaskListKey(domain, kind, taskList);
        var total = 0;
        foreach (var priority in await PrioritiesAsync(key, ct))
        {
            try { total += (await Queue(QueueName(key, priority)).GetPropertiesAsync(ct)).Value.ApproximateMessagesCount; }
            catch (RequestFailedException e) when (e.IsNotFound()) { }
        }
        return total;
    }

    private QueueClient Queue(string name) => queues.GetOrAdd(name, clients.GetQueueClient);

    private async Task<QueueClient> CreatedQueueAsync(string name, CancellationToken ct)
    {
        var queue = Queue(name);
        if (created.ContainsKey(name)) return queue;
        await queue.CreateIfNotExistsAsync(cancellationToken: ct);
        created[name] = true;
        return queue;
    }

    private async Task<int[]> PrioritiesAsync(string key, CancellationToken ct)
    {
        if (priorities.TryGetValue(key, out var cached) && clock.GetUtcNow() - cached.ReadAt < PriorityCacheTime) return cached.Priorities;
        var found = new SortedSet<int> { 0 };
        await foreach (var row in tables.TaskLists.QueryRowsAsync(TableClient.CreateQueryFilter($"PartitionKey eq {key}"), cancellationToken: ct))
            found.Add(row.GetInt32("Priority") ?? 0);
        var result = found.Reverse().ToArray();
        priorities[key] = (result, clock.GetUtcNow());
        return result;
    }

    private async Task RegisterPriorityAsync(string key, int priority, CancellationToken ct)
    {
        if (priorities.TryGetValue(key, out var cached) && cached.Priorities.Contains(priority)) return;
        await tables.TaskLists.UpsertRowAsync(new TableEntity(key, priority.ToString("D11")) { ["Priority"] = priority }, cancellationToken: ct);
        priorities.TryRemove(key, out _);
    }
}
