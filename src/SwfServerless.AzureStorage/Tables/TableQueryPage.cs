namespace SwfServerless.AzureStorage;

/// <summary>One page of a query; <see cref="ContinuationToken"/> is null after the last page.</summary>
public sealed record TableQueryPage(IReadOnlyList<TableEntity> Items, string? ContinuationToken);
