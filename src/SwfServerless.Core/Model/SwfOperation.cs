namespace SwfServerless.Core.Model;

/// <summary>One operation of the SWF model: what it takes, what it returns, which modelled faults it may return.</summary>
/// <param name="Name">The operation name, as in <c>X-Amz-Target: SimpleWorkflowService.&lt;Name&gt;</c>.</param>
/// <param name="InputShape">The input structure shape (every SWF operation has one).</param>
/// <param name="OutputShape">The output structure shape, or null when the operation answers with an empty body (<c>{}</c>).</param>
/// <param name="Errors">The wire error types (fault shape names) the model lists for the operation.</param>
/// <param name="InputType">The generated class of <paramref name="InputShape"/>.</param>
/// <param name="OutputType">The generated class of <paramref name="OutputShape"/>, or null.</param>
public sealed record SwfOperation(
    string Name,
    string InputShape,
    string? OutputShape,
    IReadOnlyList<string> Errors,
    Type InputType,
    Type? OutputType);
