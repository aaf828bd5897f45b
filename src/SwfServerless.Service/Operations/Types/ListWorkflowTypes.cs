using SwfServerless.Core.Model;
using SwfServerless.Core.Types;
using SwfServerless.Service.Protocol;

namespace SwfServerless.Service.Operations.Types;

/// <summary>Workflow types of one status, by name then version (reverseOrder: descending), paged by opaque tokens.</summary>
public sealed class ListWorkflowTypes(TypeCatalog catalog) : ISwfOperation<ListWorkflowTypesInput, WorkflowTypeInfos>
{
    public async Task<WorkflowTypeInfos> HandleAsync(ListWorkflowTypesInput input, SwfCall call, CancellationToken ct)
    {
        var (page, next) = await catalog.ListAsync(input.Domain!, TypeKind.Workflow, input.RegistrationStatus!, input.Name,
            input.MaximumPageSize, input.NextPageToken, input.ReverseOrder == true, ct);
        return new WorkflowTypeInfos { TypeInfos = page.Select(TypeInfos.Workflow).ToList(), NextPageToken = next };
    }
}
