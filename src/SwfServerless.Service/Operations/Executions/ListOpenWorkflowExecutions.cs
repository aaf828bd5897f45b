using SwfServerless.Core.Model;
using SwfServerless.Service.Protocol;
using SwfServerless.Storage.Visibility;

namespace SwfServerless.Service.Operations.Executions;

/// <summary>Open executions of a domain, newest first by default, from the visibility index (eventually consistent, as in SWF).</summary>
public sealed class ListOpenWorkflowExecutions(ServiceContext context, VisibilityRepository visibility)
    : ISwfOperation<ListOpenWorkflowExecutionsInput, WorkflowExecutionInfos>
{
    public async Task<WorkflowExecutionInfos> HandleAsync(ListOpenWorkflowExecutionsInput input, SwfCall call, CancellationToken ct)
    {
        await context.RequireDomainExistsAsync(input.Domain!, ct);
        var query = VisibilityQuery.Open(input.StartTimeFilter!, input.TypeFilter, input.TagFilter, input.ExecutionFilter);
        return await query.ListAsync(visibility, input.Domain!, input.MaximumPageSize, input.NextPageToken, input.ReverseOrder == true, ct);
    }
}
