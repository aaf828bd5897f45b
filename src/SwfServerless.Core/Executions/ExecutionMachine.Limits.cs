using System.Reflection;
using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

/// <remarks>
/// <para><b>The history limit.</b> SWF caps a run's history (25,000 events); a change that would pass the cap terminates
/// the run instead, with cause EVENT_LIMIT_EXCEEDED and the run's child policy (its children and its parent hear of it
/// through the RunClosed intent, as for any termination). "Instead" means the change is not recorded at all: every
/// public command runs through <see cref="Guarded{T}"/>, which, when the command could reach the cap, keeps a copy of
/// the state before it; <see cref="Append"/> refuses an event that would pass the cap, and the guard puts the copy
/// back and records the termination in its place. Far from the cap no copy is made.</para>
/// <para>An open run keeps one event free for that termination: it holds at most <see cref="ExecutionLimits.MaxHistoryEvents"/>
/// − 1 events, and only a closing event may take the last id.</para>
/// </remarks>
public sealed partial class ExecutionMachine
{
    /// <summary>Events a command records at most, besides those that depend on its arguments (checked per command below).</summary>
    private const int SmallCommandEvents = 4;

    private int commandDepth;
    private Rollback? rollback;
    private bool terminatingForLimit;

    /// <summary>The limits this machine enforces.</summary>
    public ExecutionLimits Limits { get; }

    /// <summary>This command would have passed the history limit and terminated the run instead.</summary>
    public bool HistoryLimitReached { get; private set; }

    /// <summary>
    /// Runs one public command. Nested commands (FireDueDeadlines firing a timer, a child policy terminating) run as part
    /// of the outermost one. <paramref name="maxNewEvents"/> bounds what the command records; when that could reach the
    /// history limit, the state is copied first so that the command can be undone.
    /// </summary>
    private T Guarded<T>(int maxNewEvents, Func<T> command, T whenLimitReached)
    {
        if (commandDepth > 0) return command();
        commandDepth++;
        try
        {
            rollback = State.IsOpen && State.LastEventId + maxNewEvents >= Limits.MaxHistoryEvents - 1 ? new Rollback(this) : null;
            return command();
        }
        catch (HistoryLimitException) when (rollback is not null)
        {
            rollback.Restore(this);
            TerminateForEventLimit();
            return whenLimitReached;
        }
        finally
        {
            commandDepth--;
            rollback = null;
        }
    }

    private void Guarded(int maxNewEvents, Action command) =>
        Guarded(maxNewEvents, () => { command(); return true; }, true);

    /// <summary>Throws when <paramref name="e"/> would pass the history limit (see the remarks above).</summary>
    private void CheckHistoryLimit(HistoryEvent e)
    {
        if (terminatingForLimit) return;
        long next = State.LastEventId + 1;
        long last = Limits.MaxHistoryEvents - (State.IsOpen && !ClosesRun(e.EventType) ? 1 : 0);
        if (next > last) throw new HistoryLimitException(next, Limits.MaxHistoryEvents);
    }

    private static bool ClosesRun(string? eventType) => eventType is ET.WorkflowExecutionCompleted or ET.WorkflowExecutionFailed
        or ET.WorkflowExecutionCanceled or ET.WorkflowExecutionTerminated or ET.WorkflowExecutionTimedOut or ET.WorkflowExecutionContinuedAsNew;

    private void TerminateForEventLimit()
    {
        terminatingForLimit = true;
        try
        {
            Append(new HistoryEvent
            {
                EventType = ET.WorkflowExecutionTerminated,
                WorkflowExecutionTerminatedEventAttributes = new WorkflowExecutionTerminatedEventAttributes
                {
                    ChildPolicy = State.ChildPolicy,
                    Cause = WorkflowExecutionTerminatedCause.EventLimitExceeded,
                },
            });
            HistoryLimitReached = true;
        }
        finally
        {
            terminatingForLimit = false;
        }
    }

    /// <summary>An event would pass the history limit; caught by <see cref="Guarded{T}"/>.</summary>
    private sealed class HistoryLimitException(long eventId, int limit)
        : InvalidOperationException($"Event {eventId} would pass the history limit of {limit} events, and the command was not prepared to be undone: its bound of new events is wrong.");

    /// <summary>The machine as it was before a command: the state (as its JSON) and how long the New* lists were.</summary>
    private sealed class Rollback
    {
        // ExecutionState's stored members: exactly what its JSON round-trips, copied back into the same object, because
        // callers hold on to the machine's State.
        private static readonly PropertyInfo[] StateMembers = typeof(ExecutionState).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.CanWrite).ToArray();

        private readonly string json;
        private readonly int events, tasks, deadlines, intents;
        private readonly bool closed;
        private readonly ExecutionMachine? continuedAs;

        public Rollback(ExecutionMachine m)
        {
            json = ExecutionJsonContext.Serialize(m.State);
            (events, tasks, deadlines, intents) = (m.NewEvents.Count, m.NewTasks.Count, m.NewDeadlines.Count, m.NewIntents.Count);
            (closed, continuedAs) = (m.Closed, m.ContinuedAs);
        }

        public void Restore(ExecutionMachine m)
        {
            var saved = ExecutionJsonContext.Deserialize(json);
            foreach (var member in StateMembers) member.SetValue(m.State, member.GetValue(saved));
            m.NewEvents.RemoveRange(events, m.NewEvents.Count - events);
            m.NewTasks.RemoveRange(tasks, m.NewTasks.Count - tasks);
            m.NewDeadlines.RemoveRange(deadlines, m.NewDeadlines.Count - deadlines);
            m.NewIntents.RemoveRange(intents, m.NewIntents.Count - intents);
            m.Closed = closed;
            m.ContinuedAs = continuedAs;
            m.stateBudget = null;
        }
    }
}
