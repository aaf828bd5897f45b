using SwfServerless.Core.Model;
using SwfServerless.Service.Protocol;
using SwfServerless.Storage.Visibility;

namespace SwfServerless.Service.Operations.Executions;

/// <summary>Closed executions of a domain, newest first by default, from the visibility index (eventually consistent, as in SWF).</summary>
public sealed class ListClosedWorkflowExecutions(ServiceContext context, VisibilityRepository visibility)
    : ISwfOperation<ListClosedWorkflowExecutionsInput, WorkflowExecutionInfos>
{
    public async Task<WorkflowExecutionInfos> HandleAsync(ListClosedWorkflowExecutionsInput input, SwfCall call, CancellationToken ct)
    {
        await context.RequireDomainExistsAsync(input.Domain!, ct);
        var query = VisibilityQuery.Closed(input.StartTimeFilter, input.CloseTimeFilter, input.TypeFilter, input.TagFilter, input.ExecutionFilter, input.CloseStatusFilter);
        return await query.ListAsync(visibility, input.Domain!, input.MaximumPageSize, input.NextPageToken, input.ReverseOrder == true, ct);
    }
}
