using System.Net;
using SwfServerless.Testing;

namespace SwfServerless.AzureStorage.Tests;

public sealed class RetryTests(AzuriteFixture azurite) : AzuriteTest(azurite)
{
    private static readonly StorageRetryPolicy FastRetry = new()
    {
        MaxAttempts = 4,
        BaseDelay = TimeSpan.FromMilliseconds(1),
        MaxDelay = TimeSpan.FromMilliseconds(5),
    };

    private (StorageClients Clients, StorageMetrics Metrics) ClientsThrough(InterceptingHandler handler, StorageRetryPolicy? retry = null)
    {
        var metrics = new StorageMetrics();
        var clients = new StorageClients(Account, new HttpClient(handler), metrics, new StorageClientOptions { Retry = retry ?? FastRetry });
        return (clients, metrics);
    }

    [Fact]
    public async Task Two_503s_then_success_succeeds()
    {
        var handler = InterceptingHandler.FailFirst(2, HttpStatusCode.ServiceUnavailable);
        var (clients, metrics) = ClientsThrough(handler);
        using var _ = clients;

        Assert.True(await clients.GetTableClient(TestNames.Unique("retry")).CreateIfNotExistsAsync());

        Assert.Equal(3, handler.Calls);
        Assert.Equal(3, metrics.Snapshot()["table.create"]);
        Assert.Equal(2, metrics.Snapshot().Retries);
    }

    [Theory]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    public async Task Every_transient_status_is_retried(HttpStatusCode status)
    {
        var handler = InterceptingHandler.FailFirst(1, status);
        var (clients, _) = ClientsThrough(handler);
        using var _1 = clients;

        var queue = clients.GetQueueClient(TestNames.Unique("retry"));
        Assert.True(await queue.CreateIfNotExistsAsync());
        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task Four_failures_give_up_with_the_last_status()
    {
        var handler = InterceptingHandler.FailFirst(int.MaxValue, HttpStatusCode.ServiceUnavailable);
        var (clients, _) = ClientsThrough(handler);
        using var _1 = clients;

        var e = await Assert.ThrowsAsync<StorageRequestFailedException>(
            () => clients.GetTableClient(TestNames.Unique("retry")).CreateIfNotExistsAsync());

        Assert.Equal(503, e.Status);
        Assert.Equal(4, handler.Calls);
    }

    [Fact]
    public async Task A_400_is_not_retried()
    {
        var handler = InterceptingHandler.FailFirst(int.MaxValue, HttpStatusCode.BadRequest);
        var (clients, _) = ClientsThrough(handler);
        using var _1 = clients;

        var e = await Assert.ThrowsAsync<StorageRequestFailedException>(
            () => clients.GetTableClient(TestNames.Unique("retry")).CreateIfNotExistsAsync());

        Assert.Equal(400, e.Status);
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public async Task A_real_409_or_412_is_not_retried()
    {
        var handler = new InterceptingHandler((_, _, _) => Task.FromResult<HttpResponseMessage?>(null));
        var (clients, metrics) = ClientsThrough(handler);
        using var _1 = clients;
        var table = await NewTableAsync(clients);
        await table.AddEntityAsync(new TableEntity("p", "r"));
        var before = metrics.Snapshot();

        await Assert.ThrowsAsync<EntityAlreadyExistsException>(() => table.AddEntityAsync(new TableEntity("p", "r")));

        Assert.Equal(1, metrics.Snapshot().Minus(before)["table.insert"]);
    }

    [Fact]
    public async Task A_connection_reset_is_retried()
    {
        var handler = new InterceptingHandler((call, _, _) => call == 1
            ? throw new HttpRequestException("reset", new IOException("Connection reset by peer"))
            : Task.FromResult<HttpResponseMessage?>(null));
        var (clients, _) = ClientsThrough(handler);
        using var _1 = clients;

        Assert.True(await clients.GetQueueClient(TestNames.Unique("retry")).CreateIfNotExistsAsync());
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
        var (clients, _) = ClientsThrough(handler, FastRetry with { PerAttemptTimeout = TimeSpan.FromMilliseconds(300) });
        using var _1 = clients;

        Assert.True(await clients.GetQueueClient(TestNames.Unique("retry")).CreateIfNotExistsAsync());
        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task Attempts_that_never_answer_end_in_a_status_0_failure()
    {
        var handler = new InterceptingHandler((_, _, _) => throw new HttpRequestException("refused"));
        var (clients, _) = ClientsThrough(handler);
        using var _1 = clients;

        var e = await Assert.ThrowsAsync<StorageRequestFailedException>(
            () => clients.GetQueueClient(TestNames.Unique("retry")).CreateIfNotExistsAsync());

        Assert.Equal(0, e.Status);
        Assert.Equal(StorageErrorCodes.TransportFailure, e.ErrorCode);
        Assert.IsType<HttpRequestException>(e.InnerException);
        Assert.Equal(4, handler.Calls);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_retried()
    {
        using var cancel = new CancellationTokenSource();
        var handler = new InterceptingHandler(async (_, _, ct) =>
        {
            await cancel.CancelAsync();
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            return null;
        });
        var (clients, _) = ClientsThrough(handler);
        using var _1 = clients;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => clients.GetQueueClient(TestNames.Unique("retry")).CreateIfNotExistsAsync(cancel.Token));
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public void Backoff_grows_exponentially_with_jitter_and_is_capped()
    {
        var policy = new StorageRetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(2) };

        Assert.Equal(TimeSpan.FromMilliseconds(50), policy.GetDelay(1, 0));
        Assert.Equal(TimeSpan.FromMilliseconds(100), policy.GetDelay(1, 1));
        Assert.Equal(TimeSpan.FromMilliseconds(200), policy.GetDelay(3, 0)); // 400 ms step, half of it fixed
        Assert.Equal(TimeSpan.FromSeconds(1), policy.GetDelay(10, 0));
        Assert.Equal(TimeSpan.FromSeconds(2), policy.GetDelay(100, 1));
    }
}
