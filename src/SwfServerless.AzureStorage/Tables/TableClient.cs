using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Azure;
using static SwfServerless.AzureStorage.TableRequests;

namespace SwfServerless.AzureStorage;

/// <summary>
/// One table over the Table service REST API, shaped like Azure.Data.Tables' TableClient.
/// Conflicts surface as <see cref="EntityAlreadyExistsException"/> (409) and <see cref="ConcurrencyConflictException"/> (412).
/// </summary>
public sealed class TableClient
{
    private static readonly HttpMethod Merge = new("MERGE");

    private readonly StoragePipeline _pipeline;
    private readonly TableUris _uris;

    internal TableClient(StoragePipeline pipeline, Uri endpoint, string name)
    {
        TableLimits.ValidateTableName(name);
        _pipeline = pipeline;
        _uris = new TableUris(endpoint, name);
        Name = name;
    }

    public string Name { get; }

    /// <returns>True if this call created the table.</returns>
    public async Task<bool> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        var body = Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("TableName", Name);
            w.WriteEndObject();
        });
        using var response = await SendAsync(StorageOperation.TableCreate,
            () => Request(HttpMethod.Post, _uris.Tables, body, preferNoContent: true),
            cancellationToken, tolerate: HttpStatusCode.Conflict).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Conflict)
            return true;
        if (ErrorCode(response) == StorageErrorCodes.TableAlreadyExists)
            return false;
        throw await StorageErrors.FromResponseAsync(response, StorageOperation.TableCreate, cancellationToken).ConfigureAwait(false);
    }

    /// <returns>False if the table did not exist.</returns>
    public async Task<bool> DeleteAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(StorageOperation.TableDeleteTable,
            () => Request(HttpMethod.Delete, _uris.Table),
            cancellationToken, tolerate: HttpStatusCode.NotFound).ConfigureAwait(false);
        return response.StatusCode != HttpStatusCode.NotFound;
    }

    /// <exception cref="EntityAlreadyExistsException">The row exists.</exception>
    public async Task<ETag> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        TableLimits.ValidateEntity(entity);
        var body = EntityJson(entity);
        using var response = await SendAsync(StorageOperation.TableInsert,
            () => Request(HttpMethod.Post, new Uri(_uris.EntitySet), body, preferNoContent: true),
            cancellationToken).ConfigureAwait(false);
        return ResponseETag(response);
    }

    /// <summary>Insert, or merge into / replace the existing row, whatever its ETag.</summary>
    public async Task<ETag> UpsertEntityAsync(TableEntity entity, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default)
    {
        TableLimits.ValidateEntity(entity);
        var body = EntityJson(entity);
        var uri = new Uri(_uris.Entity(entity.PartitionKey, entity.RowKey));
        using var response = await SendAsync(StorageOperation.TableUpsert,
            () => Request(UpdateMethod(mode), uri, body),
            cancellationToken).ConfigureAwait(false);
        return ResponseETag(response);
    }

    /// <summary>Update an existing row if its ETag still is <paramref name="ifMatch"/> (<see cref="ETag.All"/>: any).</summary>
    /// <exception cref="ConcurrencyConflictException">The row changed since <paramref name="ifMatch"/> was read.</exception>
    public async Task<ETag> UpdateEntityAsync(TableEntity entity, ETag ifMatch, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default)
    {
        TableLimits.ValidateEntity(entity);
        RequireETag(ifMatch);
        var body = EntityJson(entity);
        var uri = new Uri(_uris.Entity(entity.PartitionKey, entity.RowKey));
        using var response = await SendAsync(StorageOperation.TableUpdate,
            () => IfMatch(Request(UpdateMethod(mode), uri, body), ifMatch),
            cancellationToken).ConfigureAwait(false);
        return ResponseETag(response);
    }

    /// <returns>False if the row did not exist.</returns>
    /// <exception cref="ConcurrencyConflictException">The row changed since <paramref name="ifMatch"/> was read.</exception>
    public async Task<bool> DeleteEntityAsync(string partitionKey, string rowKey, ETag ifMatch = default, CancellationToken cancellationToken = default)
    {
        TableLimits.ValidateKey(partitionKey, nameof(partitionKey));
        TableLimits.ValidateKey(rowKey, nameof(rowKey));
        var uri = new Uri(_uris.Entity(partitionKey, rowKey));
        var etag = ifMatch == default ? ETag.All : ifMatch;
        using var response = await SendAsync(StorageOperation.TableDelete,
            () => IfMatch(Request(HttpMethod.Delete, uri), etag),
            cancellationToken, tolerate: HttpStatusCode.NotFound).ConfigureAwait(false);
        return !await IsMissingEntityAsync(response, StorageOperation.TableDelete, cancellationToken).ConfigureAwait(false);
    }

    /// <param name="select">Custom properties to return; keys and ETag always come.</param>
    /// <returns>The row, or null if there is none.</returns>
    public async Task<TableEntity?> GetEntityIfExistsAsync(string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        TableLimits.ValidateKey(partitionKey, nameof(partitionKey));
        TableLimits.ValidateKey(rowKey, nameof(rowKey));
        var uri = new Uri(_uris.Entity(partitionKey, rowKey) + QueryString(filter: null, top: null, select));
        using var response = await SendAsync(StorageOperation.TableGet,
            () => Request(HttpMethod.Get, uri),
            cancellationToken, tolerate: HttpStatusCode.NotFound).ConfigureAwait(false);
        if (await IsMissingEntityAsync(response, StorageOperation.TableGet, cancellationToken).ConfigureAwait(false))
            return null;

        using var json = await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
        var etag = ResponseETag(response);
        return TableEntityJson.Read(json.RootElement, etag == default ? null : etag.ToString());
    }

    /// <summary>One page of rows matching <paramref name="filter"/> (build it with <see cref="TableFilter"/>).</summary>
    /// <param name="maxPerPage">At most 1000; the service may return fewer, even none, with a continuation.</param>
    /// <param name="select">Custom properties to return; keys and ETag always come. Empty: keys only.</param>
    public async Task<TableQueryPage> QueryAsync(
        string? filter = null,
        int? maxPerPage = null,
        IEnumerable<string>? select = null,
        string? continuationToken = null,
        CancellationToken cancellationToken = default)
    {
        if (maxPerPage is < 1 or > 1000)
            throw new ArgumentOutOfRangeException(nameof(maxPerPage), maxPerPage, "A page holds 1 to 1000 rows.");

        var query = QueryString(filter, maxPerPage, select);
        if (continuationToken is not null)
            query = (query.Length == 0 ? "?" : query + "&") + TableContinuation.ToQuery(continuationToken).TrimStart('&');
        var uri = new Uri(_uris.Query + query);

        using var response = await SendAsync(StorageOperation.TableQuery,
            () => Request(HttpMethod.Get, uri),
            cancellationToken).ConfigureAwait(false);
        using var json = await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
        var items = json.RootElement.TryGetProperty("value", out var value)
            ? value.EnumerateArray().Select(e => TableEntityJson.Read(e)).ToList()
            : [];
        return new TableQueryPage(items, TableContinuation.FromResponse(response));
    }

    /// <summary>Every matching row, page after page.</summary>
    public async IAsyncEnumerable<TableEntity> QueryAllAsync(
        string? filter = null,
        int? maxPerPage = null,
        IEnumerable<string>? select = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var selected = select?.ToList();
        string? token = null;
        do
        {
            var page = await QueryAsync(filter, maxPerPage, selected, token, cancellationToken).ConfigureAwait(false);
            foreach (var entity in page.Items)
                yield return entity;
            token = page.ContinuationToken;
        }
        while (token is not null);
    }

    /// <summary>
    /// Applies all actions or none (an entity-group transaction): at most 100, one partition, each row once, 4 MiB.
    /// </summary>
    /// <returns>The new ETag of each action, in order (default for deletes).</returns>
    /// <exception cref="StorageRequestFailedException">With <see cref="StorageRequestFailedException.FailedActionIndex"/>; typed as for single operations.</exception>
    public async Task<IReadOnlyList<ETag>> SubmitTransactionAsync(IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        TableTransactionValidator.Validate(actions);
        var (body, boundary) = TableBatchRequest.Build(_uris, actions);
        if (body.Length > TableLimits.MaxTransactionPayloadBytes)
            throw new ArgumentException($"The transaction is {body.Length} bytes; the limit is {TableLimits.MaxTransactionPayloadBytes} (4 MiB).", nameof(actions));

        using var response = await SendAsync(StorageOperation.TableBatch, () =>
        {
            var request = Request(HttpMethod.Post, _uris.Batch);
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("multipart/mixed") { Parameters = { new NameValueHeaderValue("boundary", boundary) } };
            return request;
        }, cancellationToken).ConfigureAwait(false);

        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return TableBatchResponse.Interpret(text, actions);
    }

    private Task<HttpResponseMessage> SendAsync(StorageOperation operation, Func<HttpRequestMessage> createRequest, CancellationToken cancellationToken, HttpStatusCode? tolerate = null) =>
        _pipeline.SendAsync(operation, StorageService.Table, createRequest, cancellationToken, tolerate);

    private static HttpMethod UpdateMethod(TableUpdateMode mode) => mode == TableUpdateMode.Replace ? HttpMethod.Put : Merge;

    private static void RequireETag(ETag ifMatch)
    {
        if (ifMatch == default)
            throw new ArgumentException("An update needs an ETag; pass ETag.All to update whatever is stored.", nameof(ifMatch));
    }

    // 404 from a missing row is an answer; from a missing table it is a bug worth an exception.
    private static async Task<bool> IsMissingEntityAsync(HttpResponseMessage response, StorageOperation operation, CancellationToken cancellationToken)
    {
        if (response.StatusCode != HttpStatusCode.NotFound)
            return false;
        if (ErrorCode(response) == StorageErrorCodes.TableNotFound)
            throw await StorageErrors.FromResponseAsync(response, operation, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
