using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;

namespace SwfServerless.AzureStorage;

/// <summary>One queue over the Queue service REST API, shaped like Azure.Storage.Queues' QueueClient.</summary>
public sealed class QueueClient
{
    private readonly StoragePipeline _pipeline;
    private readonly string _queueUri;
    private readonly string _messagesUri;

    internal QueueClient(StoragePipeline pipeline, Uri endpoint, string name, QueueMessageEncoding encoding)
    {
        QueueLimits.ValidateQueueName(name);
        _pipeline = pipeline;
        _queueUri = $"{endpoint.OriginalString}/{name}";
        _messagesUri = _queueUri + "/messages";
        Name = name;
        MessageEncoding = encoding;
    }

    public string Name { get; }

    public QueueMessageEncoding MessageEncoding { get; }

    /// <returns>True if this call created the queue.</returns>
    public async Task<bool> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        // 201: created; 204: it already existed (with the same, here empty, metadata); 409: existed with other metadata.
        using var response = await SendAsync(StorageOperation.QueueCreate,
            () => new HttpRequestMessage(HttpMethod.Put, _queueUri),
            cancellationToken, tolerate: HttpStatusCode.Conflict).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Conflict && Header(response, "x-ms-error-code") != "QueueAlreadyExists")
            throw await StorageErrors.FromResponseAsync(response, StorageOperation.QueueCreate, cancellationToken).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.Created;
    }

    /// <returns>False if the queue did not exist.</returns>
    public async Task<bool> DeleteIfExistsAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(StorageOperation.QueueDeleteQueue,
            () => new HttpRequestMessage(HttpMethod.Delete, _queueUri),
            cancellationToken, tolerate: HttpStatusCode.NotFound).ConfigureAwait(false);
        return response.StatusCode != HttpStatusCode.NotFound;
    }

    /// <param name="visibilityTimeout">Hide the message this long after sending (a delayed message); at most 7 days.</param>
    /// <param name="timeToLive">Default 7 days; negative (e.g. -1 s) for never.</param>
    public async Task<SendReceipt> SendMessageAsync(string messageText, TimeSpan? visibilityTimeout = null, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        var body = MessageBody(messageText);
        var query = new List<string>(2);
        if (visibilityTimeout is { } visibility)
            query.Add("visibilitytimeout=" + Seconds(visibility, TimeSpan.Zero, nameof(visibilityTimeout)));
        if (timeToLive is { } ttl)
            query.Add("messagettl=" + (ttl < TimeSpan.Zero || ttl == TimeSpan.MaxValue ? "-1" : Seconds(ttl, TimeSpan.FromSeconds(1), nameof(timeToLive), max: TimeSpan.MaxValue)));
        var uri = _messagesUri + (query.Count > 0 ? "?" + string.Join('&', query) : "");

        using var response = await SendAsync(StorageOperation.QueuePut,
            () => WithBody(new HttpRequestMessage(HttpMethod.Post, uri), body),
            cancellationToken).ConfigureAwait(false);
        var message = (await ReadMessagesAsync(response, cancellationToken).ConfigureAwait(false)).Single();
        return new SendReceipt(
            QueueXml.Text(message, "MessageId"),
            QueueXml.Text(message, "PopReceipt"),
            QueueXml.Time(message, "InsertionTime"),
            QueueXml.Time(message, "ExpirationTime"),
            QueueXml.Time(message, "TimeNextVisible"));
    }

    /// <param name="visibilityTimeout">How long received messages stay hidden from other receivers; service default 30 s.</param>
    public async Task<IReadOnlyList<QueueMessage>> ReceiveMessagesAsync(int maxMessages = 1, TimeSpan? visibilityTimeout = null, CancellationToken cancellationToken = default)
    {
        var query = "?numofmessages=" + MessageCount(maxMessages);
        if (visibilityTimeout is { } visibility)
            query += "&visibilitytimeout=" + Seconds(visibility, TimeSpan.FromSeconds(1), nameof(visibilityTimeout));

        using var response = await SendAsync(StorageOperation.QueueGet,
            () => new HttpRequestMessage(HttpMethod.Get, _messagesUri + query),
            cancellationToken).ConfigureAwait(false);
        return (await ReadMessagesAsync(response, cancellationToken).ConfigureAwait(false))
            .Select(m => new QueueMessage(
                QueueXml.Text(m, "MessageId"),
                QueueXml.Text(m, "PopReceipt"),
                Decode(QueueXml.Text(m, "MessageText")),
                QueueXml.Long(m, "DequeueCount"),
                QueueXml.Time(m, "InsertionTime"),
                QueueXml.Time(m, "ExpirationTime"),
                QueueXml.Time(m, "TimeNextVisible")))
            .ToList();
    }

    public async Task<IReadOnlyList<PeekedMessage>> PeekMessagesAsync(int maxMessages = 1, CancellationToken cancellationToken = default)
    {
        var uri = $"{_messagesUri}?peekonly=true&numofmessages={MessageCount(maxMessages)}";
        using var response = await SendAsync(StorageOperation.QueuePeek,
            () => new HttpRequestMessage(HttpMethod.Get, uri),
            cancellationToken).ConfigureAwait(false);
        return (await ReadMessagesAsync(response, cancellationToken).ConfigureAwait(false))
            .Select(m => new PeekedMessage(
                QueueXml.Text(m, "MessageId"),
                Decode(QueueXml.Text(m, "MessageText")),
                QueueXml.Long(m, "DequeueCount"),
                QueueXml.Time(m, "InsertionTime"),
                QueueXml.Time(m, "ExpirationTime")))
            .ToList();
    }

    /// <returns>
    /// False if the message is gone or no longer ours: Azure answers 404 for a stale pop receipt, Azurite
    /// 400 PopReceiptMismatch; both mean someone else received it after our visibility timeout ran out.
    /// </returns>
    public async Task<bool> DeleteMessageAsync(string messageId, string popReceipt, CancellationToken cancellationToken = default)
    {
        var uri = MessageUri(messageId, popReceipt);
        try
        {
            using var response = await SendAsync(StorageOperation.QueueDelete,
                () => new HttpRequestMessage(HttpMethod.Delete, uri),
                cancellationToken, tolerate: HttpStatusCode.NotFound).ConfigureAwait(false);
            return response.StatusCode != HttpStatusCode.NotFound;
        }
        catch (StorageRequestFailedException e) when (e.ErrorCode == StorageErrorCodes.PopReceiptMismatch)
        {
            return false;
        }
    }

    /// <summary>Change when the message becomes visible again (and optionally its text); 0 makes it visible at once.</summary>
    public async Task<UpdateReceipt> UpdateMessageAsync(string messageId, string popReceipt, string? messageText = null, TimeSpan visibilityTimeout = default, CancellationToken cancellationToken = default)
    {
        var body = messageText is null ? null : MessageBody(messageText);
        var uri = MessageUri(messageId, popReceipt) + "&visibilitytimeout=" + Seconds(visibilityTimeout, TimeSpan.Zero, nameof(visibilityTimeout));
        using var response = await SendAsync(StorageOperation.QueueUpdate,
            () => WithBody(new HttpRequestMessage(HttpMethod.Put, uri), body),
            cancellationToken).ConfigureAwait(false);
        return new UpdateReceipt(
            Header(response, "x-ms-popreceipt") ?? throw new FormatException("Update Message answered without x-ms-popreceipt."),
            Header(response, "x-ms-time-next-visible") is { } next ? QueueXml.ParseRfc1123(next) : null);
    }

    public async Task<int> GetApproximateMessagesCountAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(StorageOperation.QueueCount,
            () => new HttpRequestMessage(HttpMethod.Get, _queueUri + "?comp=metadata"),
            cancellationToken).ConfigureAwait(false);
        return int.Parse(Header(response, "x-ms-approximate-messages-count") ?? "0", CultureInfo.InvariantCulture);
    }

    private Task<HttpResponseMessage> SendAsync(StorageOperation operation, Func<HttpRequestMessage> createRequest, CancellationToken cancellationToken, HttpStatusCode? tolerate = null) =>
        _pipeline.SendAsync(operation, StorageService.Queue, createRequest, cancellationToken, tolerate);

    private string MessageUri(string messageId, string popReceipt)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentException.ThrowIfNullOrEmpty(popReceipt);
        return $"{_messagesUri}/{Uri.EscapeDataString(messageId)}?popreceipt={Uri.EscapeDataString(popReceipt)}";
    }

    private byte[] MessageBody(string messageText)
    {
        ArgumentNullException.ThrowIfNull(messageText);
        var encoded = MessageEncoding == QueueMessageEncoding.Base64
            ? Convert.ToBase64String(Encoding.UTF8.GetBytes(messageText))
            : messageText;
        var size = Encoding.UTF8.GetByteCount(encoded);
        if (size > QueueLimits.MaxMessageBytes)
            throw new ArgumentException($"The message is {size} bytes as sent ({MessageEncoding}); the limit is {QueueLimits.MaxMessageBytes} (64 KiB).", nameof(messageText));
        return QueueXml.MessageBody(encoded);
    }

    // A message another producer wrote without base64 comes back as it was sent rather than poisoning the batch.
    private string Decode(string text)
    {
        if (MessageEncoding == QueueMessageEncoding.None)
            return text;
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var length) ? Encoding.UTF8.GetString(buffer, 0, length) : text;
    }

    private static HttpRequestMessage WithBody(HttpRequestMessage request, byte[]? body)
    {
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
        }
        return request;
    }

    private static async Task<List<XElement>> ReadMessagesAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return QueueXml.Messages(stream).ToList();
    }

    private static string MessageCount(int maxMessages) =>
        maxMessages is >= 1 and <= QueueLimits.MaxMessagesPerReceive
            ? maxMessages.ToString(CultureInfo.InvariantCulture)
            : throw new ArgumentOutOfRangeException(nameof(maxMessages), maxMessages, $"Between 1 and {QueueLimits.MaxMessagesPerReceive}.");

    // The service counts in whole seconds; round up so a delay is never shorter than asked.
    private static string Seconds(TimeSpan value, TimeSpan min, string name, TimeSpan? max = null)
    {
        var upper = max ?? QueueLimits.MaxVisibilityTimeout;
        if (value < min || value > upper)
            throw new ArgumentOutOfRangeException(name, value, $"Between {min} and {upper}.");
        return ((long)Math.Ceiling(value.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
