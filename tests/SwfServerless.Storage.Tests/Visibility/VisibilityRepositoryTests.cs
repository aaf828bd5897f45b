using SwfServerless.Core.Model;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Storage.Visibility;
using SwfServerless.Testing;

namespace SwfServerless.Storage.Tests.Visibility;

/// <summary>The visibility index's listings and counts do bounded work however many rows match.</summary>
[Collection("azurite")]
public sealed class VisibilityRepositoryTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private readonly ResponseBytes bytes = new();
    private StorageClients clients = null!;
    private VisibilityRepository visibility = null!;

    public async Task InitializeAsync()
    {
        clients = StorageClients.FromConnectionString(azurite.ConnectionString, new StorageClientOptions { HttpClient = new HttpClient(bytes) });
        var tables = new SwfTables(clients, TestNames.Unique("v"));
        await tables.CreateIfNotExistsAsync(default);
        visibility = new VisibilityRepository(tables);
    }

    public Task DisposeAsync()
    {
        clients.Dispose();
        return Task.CompletedTask;
    }

    /// <summary><paramref name="count"/> open runs started a minute apart, each with five long tags: rows of ~2 KB.</summary>
    private async Task<List<string>> OpenRunsAsync(int count)
    {
        var runIds = Enumerable.Range(0, count).Select(i => $"run{i:D3}").ToList();
        await Task.WhenAll(runIds.Select((runId, i) => visibility.RecordOpenAsync("d", new WorkflowExecutionInfo
        {
            Execution = new WorkflowExecution { WorkflowId = "w" + runId, RunId = runId },
            WorkflowType = new WorkflowType { Name = "t", Version = "1" },
            StartTimestamp = Start.AddMinutes(i),
            ExecutionStatus = "OPEN",
            TagList = Enumerable.Range(0, 5).Select(t => new string((char)('a' + t), 200)).ToList(),
        }, default)));
        return runIds;
    }

    [Fact]
    public async Task A_reverse_order_page_reads_the_rows_of_the_page_not_the_whole_range_and_pages_cover_it_oldest_first()
    {
        var runIds = await OpenRunsAsync(40);

        var before = bytes.Total;
        var (page, lastKey) = await visibility.ListAsync("d", "o", Start, null, new VisibilityFilter(), 3, null, reverseOrder: true, default);
        var read = bytes.Total - before;

        Assert.Equal(runIds.Take(3), page.Select(i => i.Execution!.RunId));
        // The whole range is ~40 rows of 2 KB; the page's 4 rows and the range's keys are far less.
        Assert.True(read < 30_000, $"a reverse page of 3 read {read} bytes");

        var all = page.Select(i => i.Execution!.RunId!).ToList();
        while (lastKey is not null)
        {
            (page, lastKey) = await visibility.ListAsync("d", "o", Start, null, new VisibilityFilter(), 7, lastKey, reverseOrder: true, default);
            all.AddRange(page.Select(i => i.Execution!.RunId!));
        }
        Assert.Equal(runIds, all);
    }

    [Fact]
    public async Task A_count_stops_at_its_limit_and_says_it_was_truncated()
    {
        await OpenRunsAsync(12);

        Assert.Equal((5, true), await visibility.CountAsync("d", "o", Start, null, new VisibilityFilter(), 5, default));
        Assert.Equal((12, false), await visibility.CountAsync("d", "o", Start, null, new VisibilityFilter(), 12, default));
        Assert.Equal((12, false), await visibility.CountAsync("d", "o", Start, null, new VisibilityFilter(), 1000, default));
    }

    /// <summary>Counts the bytes of every answer from storage.</summary>
    private sealed class ResponseBytes() : DelegatingHandler(new SocketsHttpHandler())
    {
        private long total;

        public long Total => Interlocked.Read(ref total);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            Interlocked.Add(ref total, response.Content.Headers.ContentLength ?? 0);
            return response;
        }
    }
}
