using SwfServerless.Core.Model;
using SwfServerless.Core.Types;
using SwfServerless.Service.Protocol;

namespace SwfServerless.Service.Operations.Types;

/// <summary>Activity types of one status, by name then version (reverseOrder: descending), paged by opaque tokens.</summary>
public sealed class ListActivityTypes(TypeCatalog catalog) : ISwfOperation<ListActivityTypesInput, ActivityTypeInfos>
{
    public async Task<ActivityTypeInfos> HandleAsync(ListActivityTypesInput input, SwfCall call, CancellationToken ct)
    {
        var (page, next) = await catalog.ListAsync(input.Domain!, TypeKind.Activity, input.RegistrationStatus!, input.Name,
            input.MaximumPageSize, input.NextPageToken, input.ReverseOrder == true, ct);
        return new ActivityTypeInfos { TypeInfos = page.Select(TypeInfos.Activity).ToList(), NextPageToken = next };
    }
}
