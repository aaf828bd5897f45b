using SwfServerless.Core.Model;
using SwfServerless.Core.Types;
using SwfServerless.Service.Protocol;

namespace SwfServerless.Service.Operations.Types;

public sealed class RegisterActivityType(ServiceContext context, TypeCatalog catalog) : ISwfOperation<RegisterActivityTypeInput, NoOutput>
{
    public async Task<NoOutput> HandleAsync(RegisterActivityTypeInput input, SwfCall call, CancellationToken ct)
    {
        await catalog.RegisterAsync(new RegisteredType(TypeKind.Activity, input.Domain!, input.Name!, input.Version!,
            RegistrationStatus.Registered, input.Description, context.Now(), null, TypeDefaults.Activity(input), null), ct);
        return NoOutput.Instance;
    }
}
