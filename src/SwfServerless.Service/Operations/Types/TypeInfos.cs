using SwfServerless.Core.Model;
using SwfServerless.Core.Types;

namespace SwfServerless.Service.Operations.Types;

internal static class TypeInfos
{
    public static ActivityTypeInfo Activity(RegisteredType t) => new()
    {
        ActivityType = new ActivityType { Name = t.Name, Version = t.Version },
        Status = t.Status,
        Description = t.Description,
        CreationDate = t.CreatedAt,
        DeprecationDate = t.DeprecatedAt,
    };

    public static WorkflowTypeInfo Workflow(RegisteredType t) => new()
    {
        WorkflowType = new WorkflowType { Name = t.Name, Version = t.Version },
        Status = t.Status,
        Description = t.Description,
        CreationDate = t.CreatedAt,
        DeprecationDate = t.DeprecatedAt,
    };
}
