using SwfServerless.Core.Executions;
using SwfServerless.Core.Faults;
using SwfServerless.Service.Protocol;
using SwfServerless.Storage.Tasks;

namespace SwfServerless.Service.Executions;

/// <summary>Issues and checks task tokens with the deployment's shared key (loaded at startup).</summary>
public sealed class TaskTokenService
{
    private TaskTokens? tokens;

    public void Initialize(byte[] key) => tokens = new TaskTokens(key);

    private TaskTokens Tokens => tokens ?? throw new InvalidOperationException("Task token key not loaded yet.");

    public string Issue(TaskKind kind, string partition, string runId, long scheduledEventId, long startedEventId) =>
        Tokens.Issue(new TaskTokenData(kind, partition, runId, scheduledEventId, startedEventId));

    /// <summary>The token's task; a malformed, forged or altered token, or one of the other kind, is an unknown resource.</summary>
    public TaskTokenData Require(string token, TaskKind kind) =>
        Tokens.Read(token) is { } data && data.Kind == kind
            ? data
            : throw SwfFault.UnknownResource($"Invalid task token: not a {(kind == TaskKind.Activity ? "activity" : "decision")} task token issued by this service");

    /// <summary>Calls naming a task by token carry no domain: the policy is checked against the run's domain.</summary>
    public static void Authorize(SwfCall call, string domain)
    {
        if (call.Policy is { } policy && !policy.Allows(call.Operation, domain))
            throw SwfFault.OperationNotPermitted($"User is not authorized to perform: swf:{call.Operation} on domain {domain}");
    }
}
