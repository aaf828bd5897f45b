using System.Net;
using Azure;
using Azure.Data.Tables;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Testing;

namespace SwfServerless.Storage.Tests.AzureSdk;

/// <summary>The SDKs' retries as configured by <see cref="StorageClientOptions"/>, every attempt counted, and how failures classify.</summary>
public sealed class RetryTests(AzuriteFixture azurite) : AzuriteTest(azurite)
{
    [Fact]
    public async Task Two_503s_then_success_succeeds_and_every_attempt_is_counted()
    {
        var handler = InterceptingHandler.FailFirst(2, HttpStatusCode.ServiceUnavailable);
        using var clients = ClientsThrough(handler);

        await NewTableAsync(clients);

        Assert.Equal(3, handler.Calls);
        Assert.Equal(3, clients.Metrics.Snapshot()["table.create"]);
        Assert.Equal(2, clients.Metrics.Snapshot().Retries);
    }

    [Theory]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    public async Task Every_transient_status_is_retried(HttpStatusCode status)
    {
        var handler = InterceptingHandler.FailFirst(1, status);
        using var clients = ClientsThrough(handler);

        await NewQueueAsync(clients);

        Assert.Equal(2, handler.Calls);
        Assert.Equal(1, clients.Metrics.Snapshot().Retries);
    }

    [Fact]
    public async Task Four_failures_give_up_with_the_last_status_a_transient_storage_failure()
    {
        var handler = InterceptingHandler.FailFirst(int.MaxValue, HttpStatusCode.ServiceUnavailable);
        using var clients = ClientsThrough(handler);

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => clients.GetTableClient(TestNames.Unique("retry")).CreateIfMissingAsync());

        Assert.Equal(503, e.Status);
        Assert.Equal(4, handler.Calls);
        Assert.True(StorageFailure.IsStorageFailure(e));
        Assert.True(StorageFailure.IsTransient(e));
    }

    [Fact]
    public async Task A_400_is_not_retried_and_is_a_deterministic_storage_failure()
    {
        var handler = InterceptingHandler.FailFirst(int.MaxValue, HttpStatusCode.BadRequest);
        using var clients = ClientsThrough(handler);

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => clients.GetTableClient(TestNames.Unique("retry")).CreateIfMissingAsync());

        Assert.Equal(400, e.Status);
        Assert.Equal(1, handler.Calls);
        Assert.True(StorageFailure.IsStorageFailure(e));
        Assert.False(StorageFailure.IsTransient(e));
    }

    [Fact]
    public async Task A_real_409_or_412_is_not_retried()
    {
        using var clients = ClientsThrough(InterceptingHandler.PassThrough());
        var table = await NewTableAsync(clients);
        var etag = await table.AddRowAsync(new TableEntity("p", "r"));
        await table.UpdateRowAsync(new TableEntity("p", "r") { ["V"] = 1 }, etag);
        var before = clients.Metrics.Snapshot();

        var conflict = await Assert.ThrowsAsync<RequestFailedException>(() => table.AddRowAsync(new TableEntity("p", "r")));
        var stale = await Assert.ThrowsAsync<RequestFailedException>(() => table.UpdateRowAsync(new TableEntity("p", "r"), etag));

        Assert.True(conflict.IsEntityAlreadyExists());
        Assert.True(stale.IsConcurrencyConflict());
        var diff = clients.Metrics.Snapshot().Minus(before);
        Assert.Equal((1, 1, 0), (diff["table.insert"], diff["table.update"], diff.Retries));
    }

    [Fact]
    public async Task A_connection_reset_is_retried()
    {
        var handler = new InterceptingHandler((call, _, _) => call == 1
            ? throw new HttpRequestException("reset", new IOException("Connection reset by peer"))
            : Task.FromResult<HttpResponseMessage?>(null));
        using var clients = ClientsThrough(handler);

        await NewQueueAsync(clients);

        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task A_hung_attempt_times_out_and_is_retried()
    {
        var handler = new InterceptingHandler(async (call, _, ct) =>
        {
            if (call == 1)
                await Task.Delay(TimeSpan.FromSeconds(30), ct);
            return null;
        });
        using var clients = ClientsThrough(handler, FastRetry with { NetworkTimeout = TimeSpan.FromMilliseconds(300) });

        await NewQueueAsync(clients);

        Assert.Equal(2, handler.Calls);
        Assert.Equal(1, clients.Metrics.Snapshot().Retries);
    }

    [Fact]
    public async Task Attempts_that_never_answer_end_in_a_transient_storage_failure()
    {
        var handler = new InterceptingHandler((_, _, _) => throw new HttpRequestException("refused"));
        using var clients = ClientsThrough(handler);

        var e = await Assert.ThrowsAnyAsync<Exception>(() => clients.GetQueueClient(TestNames.Unique("retry")).CreateIfNotExistsAsync());

        Assert.Equal(4, handler.Calls);
        Assert.True(StorageFailure.IsStorageFailure(e), e.ToString());
        Assert.True(StorageFailure.IsTransient(e), e.ToString());
    }

    [Fact]
    public async Task Attempts_that_all_time_out_end_in_a_transient_storage_failure()
    {
        var handler = new InterceptingHandler(async (_, _, ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            return null;
        });
        using var clients = ClientsThrough(handler, FastRetry with { MaxRetries = 1, NetworkTimeout = TimeSpan.FromMilliseconds(200) });

        var e = await Assert.ThrowsAnyAsync<Exception>(() => clients.GetQueueClient(TestNames.Unique("retry")).CreateIfNotExistsAsync());

        Assert.Equal(2, handler.Calls);
        Assert.True(StorageFailure.IsStorageFailure(e), e.ToString());
        Assert.True(StorageFailure.IsTransient(e), e.ToString());
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_retried_and_is_no_storage_failure()
    {
        using var cancel = new CancellationTokenSource();
        var handler = new InterceptingHandler(async (_, _, ct) =>
        {
            await cancel.CancelAsync();
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            return null;
        });
        using var clients = ClientsThrough(handler);

        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => clients.GetQueueClient(TestNames.Unique("retry")).CreateIfNotExistsAsync(cancellationToken: cancel.Token));

        Assert.Equal(1, handler.Calls);
        Assert.False(StorageFailure.IsStorageFailure(e));
    }

    [Fact]
    public void Exceptions_that_are_not_storage_are_not_classified_as_storage()
    {
        Assert.False(StorageFailure.IsStorageFailure(new InvalidOperationException()));
        Assert.False(StorageFailure.IsStorageFailure(new AggregateException(new HttpRequestException(), new InvalidOperationException())));
        Assert.True(StorageFailure.IsStorageFailure(new AggregateException(new RequestFailedException("no answer"), new HttpRequestException())));
    }
}
