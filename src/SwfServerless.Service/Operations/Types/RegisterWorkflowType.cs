using SwfServerless.Core.Model;
using SwfServerless.Core.Types;
using SwfServerless.Service.Protocol;

namespace SwfServerless.Service.Operations.Types;

public sealed class RegisterWorkflowType(ServiceContext context, TypeCatalog catalog) : ISwfOperation<RegisterWorkflowTypeInput, NoOutput>
{
    public async Task<NoOutput> HandleAsync(RegisterWorkflowTypeInput input, SwfCall call, CancellationToken ct)
    {
        await catalog.RegisterAsync(new RegisteredType(TypeKind.Workflow, input.Domain!, input.Name!, input.Version!,
            RegistrationStatus.Registered, input.Description, context.Now(), null, null, TypeDefaults.Workflow(input)), ct);
        return NoOutput.Instance;
    }
}
