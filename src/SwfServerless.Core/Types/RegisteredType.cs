using SwfServerless.Core.Model;

namespace SwfServerless.Core.Types;

public enum TypeKind { Activity, Workflow }

/// <summary>A registered activity or workflow type: identity, status and the defaults its tasks/executions inherit.</summary>
public sealed record RegisteredType(
    TypeKind Kind,
    string Domain,
    string Name,
    string Version,
    string Status,
    string? Description,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DeprecatedAt,
    ActivityTypeConfiguration? ActivityDefaults,
    WorkflowTypeConfiguration? WorkflowDefaults)
{
    public bool IsDeprecated => Status == RegistrationStatus.Deprecated;

    public string Describe() => $"{(Kind == TypeKind.Activity ? "ActivityType" : "WorkflowType")}=[name={Name}, version={Version}]";
}
