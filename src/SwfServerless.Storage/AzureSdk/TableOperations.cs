using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Data.Tables;

namespace SwfServerless.Storage.AzureSdk;

/// <summary>
/// The table operations the repositories use: the SDK's, plus what it leaves to us. Azure's limits are checked before
/// sending (<see cref="TableLimits"/>); a selection always includes the keys (the service returns only what is selected,
/// and an empty <c>$select</c> returns everything); a point read or delete in a missing table throws instead of reading
/// as a missing row (the SDK answers both 404s alike). Conflicts come as the SDK throws them:
/// <see cref="RequestFailedException"/> (or <see cref="TableTransactionFailedException"/>) with status 409 or 412.
/// </summary>
/// <remarks>
/// Trimmed builds (the published handler): the SDK makes the rows it reads with <c>Activator.CreateInstance&lt;T&gt;()</c>,
/// so the reads keep <see cref="TableEntity"/>'s constructor (<see cref="DynamicDependencyAttribute"/>), which the trimmer
/// would otherwise remove; and tables are created with <see cref="CreateIfMissingAsync"/>.
/// </remarks>
public static class TableOperations
{
    /// <summary>Creates the table unless it exists.</summary>
    /// <returns>True if this call created it.</returns>
    /// <remarks>
    /// Not the SDK's CreateIfNotExists: in 12.13 that serializes its request by reflection, which trimmed apps disable
    /// (the published handler failed at startup); Create's request is generated code.
    /// </remarks>
    public static async Task<bool> CreateIfMissingAsync(this TableClient table, CancellationToken cancellationToken = default)
    {
        try
        {
            await table.CreateAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409 && e.ErrorCode == "TableAlreadyExists")
        {
            return false;
        }
    }

    /// <param name="select">Properties to return besides the keys and ETag; empty: keys only.</param>
    /// <returns>The row, or null if there is none.</returns>
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(TableEntity))]
    public static async Task<TableEntity?> GetRowAsync(this TableClient table, string partitionKey, string rowKey,
        IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        TableLimits.ValidateKey(partitionKey, nameof(partitionKey));
        TableLimits.ValidateKey(rowKey, nameof(rowKey));
        var response = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, WithKeys(select), cancellationToken).ConfigureAwait(false);
        if (response.HasValue)
            return response.Value;
        ThrowIfTableMissing(response.GetRawResponse());
        return null;
    }

    /// <exception cref="RequestFailedException">409 EntityAlreadyExists: the row exists.</exception>
    public static async Task<ETag> AddRowAsync(this TableClient table, TableEntity entity, CancellationToken cancellationToken = default)
    {
        TableLimits.ValidateEntity(entity);
        return (await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false)).Headers.ETag ?? default;
    }

    /// <summary>Insert, or merge into / replace the existing row, whatever its ETag.</summary>
    public static async Task<ETag> UpsertRowAsync(this TableClient table, TableEntity entity, TableUpdateMode mode = TableUpdateMode.Merge,
        CancellationToken cancellationToken = default)
    {
        TableLimits.ValidateEntity(entity);
        return (await table.UpsertEntityAsync(entity, mode, cancellationToken).ConfigureAwait(false)).Headers.ETag ?? default;
    }

    /// <summary>Update an existing row if its ETag still is <paramref name="ifMatch"/> (<see cref="ETag.All"/>: any).</summary>
    /// <exception cref="RequestFailedException">412: the row changed since <paramref name="ifMatch"/> was read; 404: it is gone.</exception>
    public static async Task<ETag> UpdateRowAsync(this TableClient table, TableEntity entity, ETag ifMatch, TableUpdateMode mode = TableUpdateMode.Merge,
        CancellationToken cancellationToken = default)
    {
        TableLimits.ValidateEntity(entity);
        return (await table.UpdateEntityAsync(entity, ifMatch, mode, cancellationToken).ConfigureAwait(false)).Headers.ETag ?? default;
    }

    /// <returns>False if the row did not exist (the SDK answers that with a 404 response, not an exception).</returns>
    /// <exception cref="RequestFailedException">412: the row changed since <paramref name="ifMatch"/> was read.</exception>
    public static async Task<bool> DeleteRowAsync(this TableClient table, string partitionKey, string rowKey, ETag ifMatch = default,
        CancellationToken cancellationToken = default)
    {
        TableLimits.ValidateKey(partitionKey, nameof(partitionKey));
        TableLimits.ValidateKey(rowKey, nameof(rowKey));
        var response = await table.DeleteEntityAsync(partitionKey, rowKey, ifMatch == default ? ETag.All : ifMatch, cancellationToken).ConfigureAwait(false);
        if (response.Status != 404)
            return true;
        ThrowIfTableMissing(response);
        return false;
    }

    /// <summary>Every row matching <paramref name="filter"/> (build it with <see cref="TableClient.CreateQueryFilter(FormattableString)"/>), page after page.</summary>
    /// <param name="maxPerPage">At most 1000; the service may return fewer, even none, with a continuation.</param>
    /// <param name="select">Properties to return besides the keys and ETag; empty: keys only.</param>
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(TableEntity))]
    public static IAsyncEnumerable<TableEntity> QueryRowsAsync(this TableClient table, string? filter = null, int? maxPerPage = null,
        IEnumerable<string>? select = null, CancellationToken cancellationToken = default) =>
        table.QueryAsync<TableEntity>(filter, maxPerPage, WithKeys(select), cancellationToken);

    /// <summary>One page of rows; its continuation is null after the last page.</summary>
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(TableEntity))]
    public static async Task<(IReadOnlyList<TableEntity> Rows, string? ContinuationToken)> QueryPageAsync(this TableClient table, string? filter,
        int maxPerPage, string? continuationToken = null, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        var pages = table.QueryAsync<TableEntity>(filter, maxPerPage, WithKeys(select), cancellationToken).AsPages(continuationToken, maxPerPage);
        await foreach (var page in pages.ConfigureAwait(false))
            return (page.Values, page.ContinuationToken);
        return ([], null);
    }

    /// <summary>
    /// Applies all actions or none (an entity-group transaction): at most 100, one partition, each row once, 4 MiB.
    /// A failure is a <see cref="TableTransactionFailedException"/> with the status of the action that failed, and its index.
    /// </summary>
    /// <returns>The answer of each action, in order (an update's carries the row's new ETag).</returns>
    public static async Task<IReadOnlyList<Response>> TransactAsync(this TableClient table, IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        TableLimits.ValidateTransaction(actions);
        return (await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false)).Value;
    }

    private static List<string>? WithKeys(IEnumerable<string>? select) =>
        select?.Where(c => c is not ("PartitionKey" or "RowKey")).Prepend("RowKey").Prepend("PartitionKey").ToList();

    // 404 from a missing row is an answer; from a missing table it is a bug worth an exception.
    private static void ThrowIfTableMissing(Response response)
    {
        if (response.Headers.TryGetValue("x-ms-error-code", out var code) && code == "TableNotFound")
            throw new RequestFailedException(response);
    }
}
