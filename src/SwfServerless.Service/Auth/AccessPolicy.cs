using System.Text.Json;

namespace SwfServerless.Service.Auth;

/// <summary>
/// What one access key may do: an allow-list of actions and domains, plus optional allow-lists for the
/// condition keys SWF supports (task list, activity type name, workflow type name). It is a small subset of
/// an IAM policy for SWF with the same meaning:
/// <list type="bullet">
/// <item>Actions are the 39 operations and, for decisions inside RespondDecisionTaskCompleted, the 13 decision
///   types (SWF's "pseudo API"), so <c>*</c> also allows every decision.</item>
/// <item>The domain is the resource for every action except ListDomains (no domain). For RegisterDomain it is
///   the name being registered; for TagResource/UntagResource/ListTagsForResource the domain named by the ARN.</item>
/// <item>A condition list only applies to actions that have that condition key in the SWF docs (e.g. the task
///   list condition applies to PollForActivityTask, not to RespondActivityTaskCompleted). When it applies and
///   the request carries no value (and no default from the type registration), access is denied, as IAM's
///   StringEquals/StringLike do.</item>
/// </list>
/// Matching is IAM's: <c>*</c> and <c>?</c> wildcards; action names ignore case, names of resources do not.
/// </summary>
public sealed class AccessPolicy
{
    public static AccessPolicy AllowAll { get; } = new();

    private readonly string[]? _actions;       // null = any
    private readonly string[]? _domains;
    private readonly string[]? _taskLists;
    private readonly string[]? _activityTypes;
    private readonly string[]? _workflowTypes;

    /// <summary>Each argument: null (or containing "*") means unrestricted. Throws on unknown action names.</summary>
    public AccessPolicy(
        IEnumerable<string>? actions = null,
        IEnumerable<string>? domains = null,
        IEnumerable<string>? taskLists = null,
        IEnumerable<string>? activityTypes = null,
        IEnumerable<string>? workflowTypes = null)
    {
        _actions = Normalize(actions, isAction: true);
        foreach (var action in _actions ?? [])
        {
            // A misspelt action would silently deny forever; catch it when the configuration is loaded.
            if (!action.Contains('*') && !action.Contains('?') && !Catalog.ContainsKey(action))
                throw new ArgumentException(
                    $"Unknown SWF action '{action}' in access policy: expected an operation (e.g. PollForActivityTask), " +
                    "a decision type (e.g. ScheduleActivityTask) or a wildcard pattern.");
        }
        _domains = Normalize(domains);
        _taskLists = Normalize(taskLists);
        _activityTypes = Normalize(activityTypes);
        _workflowTypes = Normalize(workflowTypes);
    }

    public static AccessPolicy FromOptions(AccessKeyOptions o) =>
        new(o.Actions, o.Domains, o.TaskLists, o.ActivityTypes, o.WorkflowTypes);

    /// <summary>True when nothing is restricted (lets callers skip per-decision checks).</summary>
    public bool IsUnrestricted =>
        _actions is null && _domains is null && _taskLists is null && _activityTypes is null && _workflowTypes is null;

    /// <summary>
    /// May this key call <paramref name="operation"/> (e.g. "PollForActivityTask") on <paramref name="domain"/>?
    /// Pass the effective condition values when the policy might restrict them: <paramref name="taskList"/> is the
    /// request's task list (for Register*Type its defaultTaskList; for StartWorkflowExecution the one given or the
    /// type's default), <paramref name="typeName"/> the activity or workflow type name the operation is about
    /// (Register*Type: name; List/Count*Executions: typeFilter.name). Denied calls answer OperationNotPermittedFault.
    /// </summary>
    public bool Allows(string operation, string? domain, string? taskList = null, string? typeName = null)
    {
        if (!Catalog.TryGetValue(operation, out var entry) || entry.IsDecision)
            return false; // not an SWF operation: nothing to allow
        return Check(operation, entry, domain, taskList, typeName);
    }

    /// <summary>
    /// The condition values a request body states explicitly, ready for <see cref="Allows"/>:
    /// <c>policy.Allows(op, domain, values.TaskList, values.TypeName)</c>. Defaults that come from a type's
    /// registration are not known here: when StartWorkflowExecution omits taskList and task lists are restricted,
    /// the pre-check denies; check again with the type's default task list to follow SWF exactly.
    /// </summary>
    public static (string? TaskList, string? TypeName) ConditionValues(string operation, JsonElement request)
    {
        string? At(string member, string name) =>
            request.ValueKind == JsonValueKind.Object &&
            request.TryGetProperty(member, out var obj) && obj.ValueKind == JsonValueKind.Object &&
            obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        string? Name() =>
            request.ValueKind == JsonValueKind.Object && request.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String
                ? n.GetString()
                : null;

        return operation switch
        {
            "CountPendingActivityTasks" or "CountPendingDecisionTasks" or "PollForActivityTask" or "PollForDecisionTask"
                => (At("taskList", "name"), null),
            "DeleteActivityType" or "DeprecateActivityType" or "DescribeActivityType" or "UndeprecateActivityType"
                => (null, At("activityType", "name")),
            "DeleteWorkflowType" or "DeprecateWorkflowType" or "DescribeWorkflowType" or "UndeprecateWorkflowType"
                => (null, At("workflowType", "name")),
            "RegisterActivityType" or "RegisterWorkflowType" => (At("defaultTaskList", "name"), Name()),
            "StartWorkflowExecution" => (At("taskList", "name"), At("workflowType", "name")),
            "CountClosedWorkflowExecutions" or "CountOpenWorkflowExecutions" or
                "ListClosedWorkflowExecutions" or "ListOpenWorkflowExecutions" => (null, At("typeFilter", "name")),
            _ => (null, null),
        };
    }

    /// <summary>
    /// May this key make a decision of <paramref name="decisionType"/> (e.g. "ScheduleActivityTask") in a decision task
    /// of <paramref name="domain"/>? Check <see cref="Allows"/> for RespondDecisionTaskCompleted first; a denied decision
    /// becomes its *Failed event with cause OPERATION_NOT_PERMITTED. Condition values: ScheduleActivityTask →
    /// activity task list and activity type name; StartChildWorkflowExecution → child task list and workflow type name;
    /// ContinueAsNewWorkflowExecution → task list (given or default).
    /// </summary>
    public bool AllowsDecision(string decisionType, string domain, string? taskList = null, string? typeName = null)
    {
        if (!Catalog.TryGetValue(decisionType, out var entry) || !entry.IsDecision)
            return false;
        return Check(decisionType, entry, domain, taskList, typeName);
    }

    private bool Check(string action, Entry entry, string? domain, string? taskList, string? typeName)
    {
        if (_actions is not null && !_actions.Any(p => Wildcard.Matches(p, action, ignoreCase: true)))
            return false;

        // ListDomains has no domain resource; every other action needs one when domains are restricted
        // (fail closed: a caller that forgot to pass the domain must not get through). Calls that name their task by
        // token carry no domain: before the token is read (the endpoint's check) only the action is checked, and the
        // handler checks the task's run's domain (TaskTokenService.Authorize), so a restricted key can answer tasks of
        // its domains and only those.
        if (entry.HasDomain && !(entry.DomainFromTask && domain is null) && !Matches(_domains, domain))
            return false;

        if (entry.Conditions.HasFlag(Conditions.TaskList) && !Matches(_taskLists, taskList))
            return false;
        if (entry.Conditions.HasFlag(Conditions.ActivityType) && !Matches(_activityTypes, typeName))
            return false;
        if (entry.Conditions.HasFlag(Conditions.WorkflowType) && !Matches(_workflowTypes, typeName))
            return false;
        return true;
    }

    // Unrestricted lists match anything, even an absent value; restricted ones need a value that matches.
    private static bool Matches(string[]? patterns, string? value) =>
        patterns is null || (value is not null && patterns.Any(p => Wildcard.Matches(p, value, ignoreCase: false)));

    private static string[]? Normalize(IEnumerable<string>? values, bool isAction = false)
    {
        if (values is null)
            return null;
        // Action entries may list several names ("A,B") and carry IAM's "swf:" prefix. Names of domains, task
        // lists and types are taken verbatim: SWF allows commas and spaces in them.
        var list = values
            .Where(v => !string.IsNullOrEmpty(v))
            .SelectMany(v => isAction ? v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [v])
            .Select(v => isAction && v.StartsWith("swf:", StringComparison.OrdinalIgnoreCase) ? v[4..] : v)
            .Distinct()
            .ToArray();
        // "*" alone means unrestricted; an empty list (e.g. "Actions": []) is ambiguous in configuration
        // (the binder cannot tell it from "unset"), so it is treated as unset rather than as "deny all".
        return list.Length == 0 || list.Contains("*") ? null : list;
    }

    [Flags]
    private enum Conditions { None = 0, TaskList = 1, ActivityType = 2, WorkflowType = 4 }

    private readonly record struct Entry(bool IsDecision, bool HasDomain, Conditions Conditions, bool DomainFromTask = false);

    // Which condition keys each action supports, from the "Access Control" sections of the SWF API reference
    // (service-2.json documentation) and "API Summary" of the developer guide (swf-dev-iam.api).
    // Version keys (swf:*.version) and tag keys (swf:tagList.member.N, swf:tagFilter.tag) are not modelled.
    private static readonly Dictionary<string, Entry> Catalog = BuildCatalog();

    private static Dictionary<string, Entry> BuildCatalog()
    {
        const Conditions TL = Conditions.TaskList, AT = Conditions.ActivityType, WT = Conditions.WorkflowType, None = Conditions.None;
        var c = new Dictionary<string, Entry>(StringComparer.OrdinalIgnoreCase);
        void Op(string name, Conditions k = None, bool hasDomain = true) => c[name] = new Entry(false, hasDomain, k);
        void TokenOp(string name) => c[name] = new Entry(false, true, None, DomainFromTask: true);
        void Decision(string name, Conditions k = None) => c[name] = new Entry(true, true, k);

        Op("CountClosedWorkflowExecutions", WT);   // swf:typeFilter.name
        Op("CountOpenWorkflowExecutions", WT);     // swf:typeFilter.name
        Op("CountPendingActivityTasks", TL);
        Op("CountPendingDecisionTasks", TL);
        Op("DeleteActivityType", AT);
        Op("DeleteWorkflowType", WT);
        Op("DeprecateActivityType", AT);
        Op("DeprecateDomain");
        Op("DeprecateWorkflowType", WT);
        Op("DescribeActivityType", AT);
        Op("DescribeDomain");
        Op("DescribeWorkflowExecution");
        Op("DescribeWorkflowType", WT);
        Op("GetWorkflowExecutionHistory");
        Op("ListActivityTypes");
        Op("ListClosedWorkflowExecutions", WT);    // swf:typeFilter.name
        Op("ListDomains", hasDomain: false);
        Op("ListOpenWorkflowExecutions", WT);      // swf:typeFilter.name
        Op("ListTagsForResource");
        Op("ListWorkflowTypes");
        Op("PollForActivityTask", TL);
        Op("PollForDecisionTask", TL);
        TokenOp("RecordActivityTaskHeartbeat");
        Op("RegisterActivityType", TL | AT);       // swf:defaultTaskList.name, swf:name
        Op("RegisterDomain");                      // resource = the domain being registered
        Op("RegisterWorkflowType", TL | WT);       // swf:defaultTaskList.name, swf:name
        Op("RequestCancelWorkflowExecution");
        TokenOp("RespondActivityTaskCanceled");
        TokenOp("RespondActivityTaskCompleted");
        TokenOp("RespondActivityTaskFailed");
        TokenOp("RespondDecisionTaskCompleted");
        Op("SignalWorkflowExecution");
        Op("StartWorkflowExecution", TL | WT);
        Op("TagResource");
        Op("TerminateWorkflowExecution");
        Op("UndeprecateActivityType", AT);
        Op("UndeprecateDomain");
        Op("UndeprecateWorkflowType", WT);
        Op("UntagResource");

        Decision("ScheduleActivityTask", TL | AT);
        Decision("RequestCancelActivityTask");
        Decision("CompleteWorkflowExecution");
        Decision("FailWorkflowExecution");
        Decision("CancelWorkflowExecution");
        Decision("ContinueAsNewWorkflowExecution", TL);
        Decision("RecordMarker");
        Decision("StartTimer");
        Decision("CancelTimer");
        Decision("SignalExternalWorkflowExecution");
        Decision("RequestCancelExternalWorkflowExecution");
        Decision("StartChildWorkflowExecution", TL | WT);
        Decision("ScheduleLambdaFunction");
        return c;
    }
}

/// <summary>IAM-style wildcard matching: <c>*</c> is any run of characters, <c>?</c> any single character.</summary>
internal static class Wildcard
{
    public static bool Matches(string pattern, string value, bool ignoreCase)
    {
        int p = 0, v = 0, star = -1, afterStar = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || Same(pattern[p], value[v], ignoreCase)))
            {
                p++; v++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++; afterStar = v; // first try matching the empty run
            }
            else if (star >= 0)
            {
                p = star + 1; v = ++afterStar; // let the last '*' swallow one more character
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
            p++;
        return p == pattern.Length;
    }

    private static bool Same(char a, char b, bool ignoreCase) =>
        a == b || (ignoreCase && char.ToUpperInvariant(a) == char.ToUpperInvariant(b));
}
