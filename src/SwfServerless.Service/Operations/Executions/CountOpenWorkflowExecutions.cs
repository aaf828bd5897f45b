using SwfServerless.Core.Model;
using SwfServerless.Service.Protocol;
using SwfServerless.Storage.Visibility;

namespace SwfServerless.Service.Operations.Executions;

public sealed class CountOpenWorkflowExecutions(ServiceContext context, VisibilityRepository visibility)
    : ISwfOperation<CountOpenWorkflowExecutionsInput, WorkflowExecutionCount>
{
    public async Task<WorkflowExecutionCount> HandleAsync(CountOpenWorkflowExecutionsInput input, SwfCall call, CancellationToken ct)
    {
        await context.RequireDomainExistsAsync(input.Domain!, ct);
        var query = VisibilityQuery.Open(input.StartTimeFilter!, input.TypeFilter, input.TagFilter, input.ExecutionFilter);
        return await query.CountAsync(visibility, input.Domain!, context.Options.MaxCountedExecutions, ct);
    }
}
