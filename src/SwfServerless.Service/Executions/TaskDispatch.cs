using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SwfServerless.Core.Executions;
using SwfServerless.Service.Hosting;
using SwfServerless.Storage.Tasks;

namespace SwfServerless.Service.Executions;

/// <summary>
/// This instance's waiting pollers, by task list, and the two ways a task reaches them.
/// <list type="bullet">
/// <item><b>Started for a waiting poller.</b> A commit that schedules a task while a poller of its task list waits here
/// reserves that poller (<see cref="TryReserve"/>) and records the task's *TaskStarted event, with the poller's
/// identity, in the same commit; after the commit the started task is handed to the poller in-process. No message, no
/// receive, no claim. Only tasks that time out once started are started this way: if the poller never hears of it
/// (its caller left, this instance died), the task's timeout brings it back, as a lost poll answer does in SWF.</item>
/// <item><b>Queued here, handed over here.</b> A task this instance queued (no poller waited, or it cannot be started for
/// one) goes to a poller of this instance with the receipt its put returned: to a free waiting poller at once, or to the
/// next poller to come within <see cref="LocalAge"/>, while no commit is in flight here (<see cref="Committing"/>: under
/// load the poller waits for the look, and the commits meanwhile may start new tasks for it). That poller claims it as
/// if received, without a receive. The message is visible all along, so a poller elsewhere may take it first; the claim
/// (ETag-guarded) lets only one of them start it.
/// Once such a task has waited longer, tasks go to pollers here in queue order until a look drains the queue.</item>
/// <item><b>One receive loop per task list.</b> Tasks nobody here was waiting for (queued by another instance, or
/// before a poller came) are received by one loop per task list, however many pollers wait on it: up to as many
/// messages per receive as there are free pollers, at once again while it finds work, backing off with jitter from
/// 50 ms to <c>PollIntervalMilliseconds</c> while it finds none, woken at once when this instance queues a task
/// it could not hand over. Behind a backlog a look also receives for the pollers expected back within <see cref="HoldAge"/>
/// (as many as came in the last one), and they take those in queue order as they come, without a receive each.
/// A loop nobody has waited on for <see cref="IdleStop"/> ends and leaves the dictionary.</item>
/// </list>
/// Both shortcuts give way to a backlog: while the queue may hold tasks that have waited, new tasks queue behind them.
/// Idle cost is therefore per task list with waiters, not per waiting poll call.
/// </summary>
public sealed partial class TaskDispatch(TaskQueues queues, TimeProvider clock, IOptions<SwfOptions> options, ILogger<TaskDispatch> log) : IDisposable
{
    private static readonly TimeSpan FirstLook = TimeSpan.FromMilliseconds(50);
    internal static readonly TimeSpan IdleStop = TimeSpan.FromSeconds(10);

    /// <summary>Queued tasks older than this that fill every free poller mean a backlog: new tasks queue behind it.</summary>
    internal static readonly TimeSpan BacklogAge = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a task queued here waits for a poller here to be handed over without a receive. After that it is one
    /// message among others, met by the looks in queue order: a task list short of pollers here serves its queue fairly.
    /// </summary>
    internal static readonly TimeSpan LocalAge = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a message received ahead for the pollers coming back (behind a backlog) is kept for them before it is made
    /// visible again for whoever polls next, here or elsewhere.
    /// </summary>
    internal static readonly TimeSpan HoldAge = TimeSpan.FromSeconds(1);

    /// <summary>The most tasks queued here a task list keeps for its pollers here; beyond it, all go to the queue, in its order.</summary>
    private const int MaxLocal = 256;

    // Fields, not captured parameters: the loops below reach them through their owner.
    private readonly TaskQueues queues = queues;
    private readonly TimeProvider clock = clock;
    private readonly ILogger log = log;
    private readonly ConcurrentDictionary<string, Waiters> lists = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stopping = new();
    private long matched, handedOver;
    private int committing; // commits in flight here: while there are, tasks queued here are left to the looks

    /// <summary>How long a task message received for a poller stays hidden from every other poller.</summary>
    public TimeSpan Visibility => TimeSpan.FromSeconds(Math.Max(1, options.Value.TaskVisibilitySeconds));

    private TimeSpan MaxInterval => TimeSpan.FromMilliseconds(Math.Max(FirstLook.TotalMilliseconds, options.Value.PollIntervalMilliseconds));

    /// <summary>Tasks started for a poller waiting here by the commit that scheduled them, since start (for tests and measurements).</summary>
    public long Matched => Interlocked.Read(ref matched);

    /// <summary>Tasks queued here and handed to a poller here without a receive, since start (for tests and measurements).</summary>
    public long HandedOver => Interlocked.Read(ref handedOver);

    /// <summary>Task lists with a receive loop right now.</summary>
    public int ActiveLists => lists.Count;

    /// <summary>Pollers waiting here on the task list right now.</summary>
    public int Waiting(string domain, TaskKind kind, string taskList) =>
        lists.TryGetValue(TaskQueues.TaskListKey(domain, kind, taskList), out var list) ? list.Count : 0;

    /// <summary>Messages of the task list received here and held for pollers expected back (tests).</summary>
    internal int Held(string domain, TaskKind kind, string taskList) =>
        lists.TryGetValue(TaskQueues.TaskListKey(domain, kind, taskList), out var list) ? list.HeldCount : 0;

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for a task of the task list: a message to claim, or a task already started
    /// for this poller (<paramref name="identity"/> goes into its *TaskStarted event); null when none came or the caller left.
    /// </summary>
    public async Task<TaskOffer?> WaitAsync(string domain, TaskKind kind, string taskList, string? identity, TimeSpan timeout, CancellationToken ct)
    {
        var key = TaskQueues.TaskListKey(domain, kind, taskList);
        var until = clock.GetUtcNow() + timeout;
        while (true)
        {
            var list = lists.GetOrAdd(key, k => new Waiters(this, k, domain, kind, taskList));
            // Null: that loop ended and left the dictionary just now; the next GetOrAdd makes its successor.
            if (list.TryAdd(identity) is not { } waiter) continue;
            var offer = await list.WaitAsync(waiter, until - clock.GetUtcNow(), ct);
            // A commit that reserved this poller did not happen: wait on, for the time left.
            if (!ReferenceEquals(offer, TaskOffer.Again)) return offer;
            if (ct.IsCancellationRequested || clock.GetUtcNow() >= until) return null;
        }
    }

    /// <summary>Promises the task about to be committed to a waiting poller of its task list; null when none waits (queue it).</summary>
    public Reservation? TryReserve(string domain, TaskKind kind, string taskList) =>
        lists.TryGetValue(TaskQueues.TaskListKey(domain, kind, taskList), out var list) && list.TryReserve() is { } waiter
            ? new Reservation(this, list, waiter)
            : null;

    /// <summary>
    /// This instance queued a task on the task list (after its commit), <paramref name="put"/> holding the receipt that
    /// deletes its message: a free poller here gets it at once, else the next one to come (<see cref="LocalAge"/>), else a
    /// look. A task list nobody here has polled lately (no loop) is left to the looks of whoever polls it.
    /// </summary>
    public void Queued(string domain, TaskKind kind, string taskList, int priority, ReceivedTask put)
    {
        if (lists.TryGetValue(TaskQueues.TaskListKey(domain, kind, taskList), out var list)) list.Queued(put, priority);
    }

    /// <summary>
    /// A commit that may start new tasks for pollers waiting here is in flight until the scope ends. Under load (commits in
    /// flight) a poller that comes waits for the loop's look rather than take a task queued here at once, and the commits
    /// meanwhile may start their new tasks for it: no message at all. Taking the queued tasks at once instead keeps every
    /// poller busy, so that every new task goes by the queue for as long as the load lasts.
    /// </summary>
    public CommitScope Committing()
    {
        Interlocked.Increment(ref committing);
        return new CommitScope(this);
    }

    /// <summary>Ends a commit's time in flight; the last one lets pollers waiting here take the tasks queued here at once.</summary>
    public readonly struct CommitScope(TaskDispatch owner) : IDisposable
    {
        public void Dispose()
        {
            if (Interlocked.Decrement(ref owner.committing) != 0) return;
            foreach (var list in owner.lists.Values) list.NoCommitInFlight();
        }
    }

    private bool CommitInFlight => Volatile.Read(ref committing) > 0;

    /// <summary>Makes a message this instance holds but no poller here will claim visible again at once.</summary>
    public async Task ReleaseAsync(ReceivedTask task)
    {
        if (!task.Hidden) return; // just put, never received: visible to every poller already
        try
        {
            await queues.DeferAsync(task, TimeSpan.Zero, CancellationToken.None);
        }
        catch (Exception e)
        {
            // It stays hidden until its visibility ends, then comes back: later, not lost.
            LogReleaseFailed(log, task.QueueName, e);
        }
    }

    public void Dispose() => stopping.Cancel();

    /// <summary>What a waiting poller is given: a task message to claim, or a task the scheduling commit started for it.</summary>
    public sealed record TaskOffer(ReceivedTask? Message, ClaimedTask? Started)
    {
        /// <summary>The commit that reserved the poller did not happen: it waits on.</summary>
        internal static readonly TaskOffer Again = new(null, null);
    }

    /// <summary>A poller waiting here, and what it will be given.</summary>
    /// <remarks>
    /// Its offer runs the poller on the thread that settles it. A commit's thread, outside every lock here, goes on to
    /// answer the poller it started a task for (that response is written before the committer's own) instead of waking a
    /// pool thread for it: no hand-off, futex wake and context switch per task started for a waiter (W=D=64 measured: 20
    /// → 10 context switches per activity step). Under the gate a waiter is settled through the pool
    /// (<see cref="SettleLater"/>), so that no poller ever runs inside the gate.
    /// </remarks>
    internal sealed class Waiter(string? identity)
    {
        public string? Identity { get; } = identity;
        public TaskCompletionSource<TaskOffer?> Offer { get; } = new();

        /// <summary>Settles the offer on a pool thread: for callers holding the gate.</summary>
        public void SettleLater(TaskOffer offer) =>
            ThreadPool.UnsafeQueueUserWorkItem(static x => x.Waiter.Offer.TrySetResult(x.Offer), (Waiter: this, Offer: offer), preferLocal: false);
    }

    /// <summary>One poller promised one task by a commit in flight: settled once, by the hand-over or by cancelling.</summary>
    public sealed class Reservation
    {
        private readonly TaskDispatch owner;
        private readonly Waiters list;
        private readonly Waiter waiter;
        private int settled;

        internal Reservation(TaskDispatch owner, Waiters list, Waiter waiter) => (this.owner, this.list, this.waiter) = (owner, list, waiter);

        /// <summary>The poller's identity, for the *TaskStarted event.</summary>
        public string? Identity => waiter.Identity;

        /// <summary>After the commit: hands the started task to the poller.</summary>
        public void Deliver(ClaimedTask started)
        {
            if (Interlocked.Exchange(ref settled, 1) != 0) return;
            list.Settle();
            Interlocked.Increment(ref owner.matched);
            waiter.Offer.TrySetResult(new TaskOffer(null, started));
        }

        /// <summary>The commit did not happen, or its outcome is unknown: the poller waits on.</summary>
        public void Cancel()
        {
            if (Interlocked.Exchange(ref settled, 1) != 0) return;
            list.Settle();
            waiter.Offer.TrySetResult(TaskOffer.Again);
        }
    }

    /// <summary>The pollers of one task list on this instance, and its receive loop.</summary>
    internal sealed class Waiters(TaskDispatch owner, string key, string domain, TaskKind kind, string taskList)
    {
        private readonly object gate = new();
        private readonly LinkedList<Waiter> waiters = new();
        private readonly List<LocalTask> local = []; // tasks queued here for the next poller here, in put order
        private readonly List<HeldTask> held = []; // received for pollers expected back (ahead behind a backlog, or theirs taken meanwhile), in queue order
        private int arrivals, lastArrivals; // pollers that came in this HoldAge window and in the one before
        private DateTimeOffset arrivalsSince;
        private long departures; // pollers whose wait ended without a task (they left): a look's messages for them go back
        private int reserved; // pollers promised a task by a commit in flight (out of the list meanwhile)
        private bool backlog; // the last look filled every free poller with tasks that had waited: more may be waiting
        private bool behind; // a task queued here waited over LocalAge for a poller: the queue is served in order until a look drains it
        private bool stopped, running, queued;
        private long queuedVersion;
        private TaskCompletionSource wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private DateTimeOffset lastWaiterAt;

        public int Count { get { lock (gate) return waiters.Count; } }

        public int HeldCount { get { lock (gate) return held.Count; } }

        /// <summary>Waiters no commit has promised a task to (the listed ones): what the loop receives for.</summary>
        private int Free => waiters.Count;

        public LinkedListNode<Waiter>? TryAdd(string? identity)
        {
            lock (gate)
            {
                if (stopped) return null;
                lastWaiterAt = owner.clock.GetUtcNow();
                CountArrival(lastWaiterAt);
                if (held.Count > 0)
                {
                    // Received ahead for it: the queue's next task, without a receive of its own.
                    var next = held[0].Task;
                    held.RemoveAt(0);
                    return Served(identity, next);
                }
                if (TakeLocal() is { } put)
                {
                    // A task queued here is waiting: this poller claims it without a receive (it never joins the list).
                    Interlocked.Increment(ref owner.handedOver);
                    return Served(identity, put);
                }
                var node = waiters.AddLast(new Waiter(identity));
                if (!running)
                {
                    running = true;
                    _ = Task.Run(RunAsync);
                }
                // The loop sleeps while no one is free: wake it to look when its next look is due (at once if that has passed
                // or this instance queued a task). Any other poller joins the loop's rhythm, so 64 pollers cost what one does.
                else if (Free == 1 || queued) wake.TrySetResult();
                return node;
            }
        }

        /// <summary>A poller given a task as it comes: it never joins the list.</summary>
        private static LinkedListNode<Waiter> Served(string? identity, ReceivedTask task)
        {
            var served = new Waiter(identity);
            served.Offer.TrySetResult(new TaskOffer(task, null)); // nobody awaits it yet: nothing runs here
            return new LinkedListNode<Waiter>(served);
        }

        /// <summary>Under the gate: counts pollers coming, per <see cref="HoldAge"/> window (how many a look behind a backlog receives ahead for).</summary>
        private void CountArrival(DateTimeOffset now)
        {
            if (now - arrivalsSince >= HoldAge)
            {
                lastArrivals = now - arrivalsSince < HoldAge * 2 ? arrivals : 0;
                arrivals = 0;
                arrivalsSince = now;
            }
            arrivals++;
        }

        public async Task<TaskOffer?> WaitAsync(LinkedListNode<Waiter> node, TimeSpan timeout, CancellationToken ct)
        {
            var offer = node.Value.Offer.Task;
            try
            {
                return await offer.WaitAsync(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero, owner.clock, ct);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                lock (gate)
                {
                    if (node.List is not null)
                    {
                        waiters.Remove(node);
                        departures++;
                        lastWaiterAt = owner.clock.GetUtcNow();
                        return null;
                    }
                }
                // Promised to a commit in flight, or handed a message, just as the wait ended: the answer is at most a
                // commit away. A started task is the poller's now; a message whose poller left goes back (see TaskPoller).
                return await offer;
            }
        }

        /// <summary>
        /// Takes the first waiting poller out of the list for a commit in flight; null when none waits, or when the queue
        /// has a backlog (the last look filled every free poller with tasks that had waited over <see cref="BacklogAge"/>):
        /// a new task then queues behind them rather than overtake them, so that a busy instance's own tasks do not starve
        /// those queued elsewhere or by timers.
        /// </summary>
        public Waiter? TryReserve()
        {
            lock (gate)
            {
                if (stopped || backlog || waiters.First is not { } node) return null;
                waiters.Remove(node);
                reserved++;
                return node.Value;
            }
        }

        /// <summary>A reservation was settled (delivered or cancelled; a cancelled poller adds itself again).</summary>
        public void Settle()
        {
            lock (gate)
            {
                reserved--;
                lastWaiterAt = owner.clock.GetUtcNow();
            }
        }

        public void Queued(ReceivedTask put, int priority)
        {
            lock (gate)
            {
                if (stopped) return;
                var inOrder = backlog || behind;
                if (!inOrder && HandOver(put))
                {
                    Interlocked.Increment(ref owner.handedOver);
                    return;
                }
                if (!inOrder && local.Count == MaxLocal)
                {
                    // More tasks waiting here than pollers take: the queue, in its order, from now on.
                    local.Clear();
                    behind = true;
                }
                else if (!inOrder) local.Add(new LocalTask(put, priority, owner.clock.GetUtcNow()));
                // Kept for a poller to come, or behind a backlog: the loop looks at once when a poller is free (it finds
                // this one too, in queue order, if no poller came for it here in time).
                queued = true;
                queuedVersion++;
                if (Free > 0) wake.TrySetResult();
            }
        }

        /// <summary>
        /// Under the gate: the task queued here that the next poller takes (highest priority, then oldest), unless the queue
        /// has a backlog. Once one of them has waited over <see cref="LocalAge"/>, pollers are scarce here: they all go to
        /// the queue, in its order, until a look has been (the tasks queued here since would otherwise overtake that one).
        /// </summary>
        private ReceivedTask? TakeLocal()
        {
            if (local.Count == 0) return null;
            if (owner.clock.GetUtcNow() - local[0].At > LocalAge) // the oldest: the list is in put order
            {
                local.Clear();
                behind = true;
            }
            if (backlog || behind || local.Count == 0) return null;
            // Under load the poller waits for the look, and the commits meanwhile may start their new tasks for it.
            if (owner.CommitInFlight) return null;
            var best = 0;
            for (var i = 1; i < local.Count; i++)
            {
                if (local[i].Priority > local[best].Priority) best = i;
            }
            var put = local[best].Put;
            local.RemoveAt(best);
            return put;
        }

        /// <summary>No commit is in flight here any more: pollers waiting here take the tasks queued here now.</summary>
        public void NoCommitInFlight()
        {
            lock (gate)
            {
                if (local.Count > 0 && Free > 0) wake.TrySetResult();
            }
        }

        /// <summary>Under the gate: with no commit in flight, tasks queued here go to the pollers waiting here.</summary>
        private void HandOverLocal()
        {
            while (Free > 0 && TakeLocal() is { } put)
            {
                HandOver(put);
                Interlocked.Increment(ref owner.handedOver);
            }
        }

        /// <summary>Under the gate: the first waiter gets the message. Only this and a reservation complete a waiter, each only once it is out of the list.</summary>
        private bool HandOver(ReceivedTask task)
        {
            var node = waiters.First;
            if (node is null) return false;
            waiters.Remove(node);
            node.Value.SettleLater(new TaskOffer(task, null));
            return true;
        }

        private async Task RunAsync()
        {
            var ct = owner.stopping.Token;
            var delay = FirstLook;
            var nextLook = DateTimeOffset.MinValue; // when the next look is due
            while (!ct.IsCancellationRequested)
            {
                int want, free;
                long version;
                bool urgent;
                Task woken;
                List<ReceivedTask>? expired = null;
                DateTimeOffset? release = null; // when the next held message goes back
                lock (gate)
                {
                    var at = owner.clock.GetUtcNow();
                    // Held for pollers that did not come back in time: visible again, for the next look here or elsewhere.
                    while (held.Count > 0 && at - held[0].At >= HoldAge)
                    {
                        (expired ??= []).Add(held[0].Task);
                        held.RemoveAt(0);
                    }
                    if (held.Count > 0) release = held[0].At + HoldAge;
                    HandOverLocal();
                    if (waiters.Count == 0 && reserved <= 0 && held.Count == 0 && expired is null && at - lastWaiterAt >= IdleStop)
                    {
                        // Nobody has waited for a while: end, and leave the dictionary (a poller arriving now makes a new loop).
                        stopped = true;
                        owner.lists.TryRemove(new KeyValuePair<string, Waiters>(key, this));
                        return;
                    }
                    // Taken before looking: a wake-up between the look and the pause still cuts the pause short.
                    if (wake.Task.IsCompleted) wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    woken = wake.Task;
                    free = want = Math.Min(Free, TaskQueues.MaxReceive);
                    // Behind a backlog, also for the pollers expected back: as many as came in the last HoldAge.
                    if (want > 0 && backlog) want = Math.Min(TaskQueues.MaxReceive, Math.Max(want, Math.Max(arrivals, lastArrivals)));
                    version = queuedVersion;
                    urgent = queued;
                }
                foreach (var task in expired ?? []) await owner.ReleaseAsync(task);

                // Until when to pause, as an instant, turned into a wait only at the last moment: a clock that moved on
                // meanwhile (a test's, or a slow machine's) shortens the wait instead of being added to it, so a held
                // message goes back when HoldAge ends, not HoldAge plus a pause later.
                DateTimeOffset until;
                var now = owner.clock.GetUtcNow();
                if (want <= 0)
                {
                    until = now + IdleStop; // nobody to look for: a poller that comes wakes the loop
                }
                else if (!urgent && now < nextLook)
                {
                    // A poller came back before the next look was due: keep the rhythm. A poller that is answered at once
                    // (its tasks started for it in their scheduling commits) would otherwise cost a receive per poll call.
                    until = nextLook;
                }
                else
                {
                    var found = await LookAsync(want, free, ct);
                    if (found == want) { delay = FirstLook; nextLook = DateTimeOffset.MinValue; continue; } // all served: more may wait (backlog)
                    if (found > 0) delay = FirstLook;
                    else if (found == 0)
                    {
                        lock (gate) if (queuedVersion == version) queued = false;
                    }
                    until = nextLook = owner.clock.GetUtcNow() + (found < 0 ? owner.MaxInterval : Jitter(delay));
                    delay = delay * 2 < owner.MaxInterval ? delay * 2 : owner.MaxInterval;
                    // The look may have held messages for pollers coming back: they go back when HoldAge ends.
                    lock (gate) if (held.Count > 0) release = held[0].At + HoldAge;
                }
                if (release is { } due && due < until) until = due;
                var pause = until - owner.clock.GetUtcNow();
                if (pause <= TimeSpan.Zero) continue;
                try
                {
                    await woken.WaitAsync(pause, owner.clock, ct);
                }
                catch (TimeoutException)
                {
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        private static TimeSpan Jitter(TimeSpan delay) => delay * (0.75 + Random.Shared.NextDouble() * 0.5);

        /// <summary>
        /// Receives <paramref name="want"/> messages for the <paramref name="free"/> pollers and those expected back, hands
        /// them out and holds the rest; the number found, or -1 when storage failed.
        /// </summary>
        private async Task<int> LookAsync(int want, int free, CancellationToken ct)
        {
            long departuresBefore;
            lock (gate) departuresBefore = departures;
            List<ReceivedTask> found;
            try
            {
                found = await owner.queues.ReceiveAsync(domain, kind, taskList, want, owner.Visibility, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogLookFailed(owner.log, key, e);
                return -1;
            }
            catch (OperationCanceledException)
            {
                return 0;
            }
            List<ReceivedTask>? unwanted = null;
            lock (gate)
            {
                var now = owner.clock.GetUtcNow();
                backlog = found.Count == want && found.Exists(t => now - t.Message.EnqueuedAt > BacklogAge);
                if (found.Count < want) behind = false; // the queue is drained: what is queued here from now on may be handed over again
                // Received, so no longer waiting here for a poller to come: one claim per message from this instance.
                if (local.Count > 0) local.RemoveAll(t => found.Exists(f => f.MessageId == t.Put.MessageId));
                foreach (var task in found)
                {
                    if (Free > 0 && HandOver(task)) continue;
                    // Received ahead for the pollers coming back (they take it in queue order); or for pollers that a task
                    // queued or started here took while we looked, which come back when they have done it: held for them
                    // too. Only pollers that left (their long poll ended) are not coming back: theirs goes back at once.
                    if (want > free || departures == departuresBefore) held.Add(new HeldTask(task, now));
                    else (unwanted ??= []).Add(task);
                }
            }
            // Pollers left while we looked: give those back at once, to the next look here or elsewhere.
            foreach (var task in unwanted ?? []) await owner.ReleaseAsync(task);
            return found.Count;
        }
    }

    /// <summary>A task this instance queued, kept for the next poller here.</summary>
    private readonly record struct LocalTask(ReceivedTask Put, int Priority, DateTimeOffset At);

    /// <summary>A message received ahead for a poller expected back, and when.</summary>
    private readonly record struct HeldTask(ReceivedTask Task, DateTimeOffset At);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task list {TaskListKey}: receiving from its queue failed; looking again shortly")]
    private static partial void LogLookFailed(ILogger log, string taskListKey, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A task message on {Queue} could not be given back; it comes back when its visibility ends")]
    private static partial void LogReleaseFailed(ILogger log, string queue, Exception e);
}
