using SwfServerless.Core.Model;
using SwfServerless.Service.Protocol;
using SwfServerless.Storage.Visibility;

namespace SwfServerless.Service.Operations.Executions;

public sealed class CountClosedWorkflowExecutions(ServiceContext context, VisibilityRepository visibility)
    : ISwfOperation<CountClosedWorkflowExecutionsInput, WorkflowExecutionCount>
{
    public async Task<WorkflowExecutionCount> HandleAsync(CountClosedWorkflowExecutionsInput input, SwfCall call, CancellationToken ct)
    {
        await context.RequireDomainExistsAsync(input.Domain!, ct);
        var query = VisibilityQuery.Closed(input.StartTimeFilter, input.CloseTimeFilter, input.TypeFilter, input.TagFilter, input.ExecutionFilter, input.CloseStatusFilter);
        return await query.CountAsync(visibility, input.Domain!, context.Options.MaxCountedExecutions, ct);
    }
}
