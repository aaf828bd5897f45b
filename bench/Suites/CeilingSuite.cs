using System.Text.Json.Nodes;
using Azure.Data.Tables;
using SwfServerless.Storage.AzureSdk;

namespace SwfServerless.Bench.Suites;

/// <summary>
/// Azurite's own ceiling on this machine, in the same run: what the project's storage clients get from it with
/// nothing of SWF in between (C concurrent loops for S seconds each).
/// </summary>
public static class CeilingSuite
{
    public sealed record Ceiling(double SingleWrites, double Batches3, double Batches100, double PointReads, double QueueCycles);

    public static async Task<Ceiling> RunAsync(BenchContext ctx)
    {
        var o = ctx.Options;
        Console.WriteLine($"# Azurite ceiling: {o.CeilingConcurrency} concurrent loops, {o.CeilingSeconds} s each");
        using var clients = StorageClients.FromConnectionString(ctx.Connection);
        var table = clients.GetTableClient("benchceiling" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateIfMissingAsync();
        var queue = clients.GetQueueClient("bench-ceiling-" + Guid.NewGuid().ToString("N")[..8]);
        await queue.CreateIfNotExistsAsync();
        var payload = new string('x', 400); // about a history event's size

        TableEntity Row(string pk, int lane, long i) => new(pk, $"{lane:D3}-{i:D10}") { ["E"] = payload, ["Type"] = "ActivityTaskCompleted" };

        var single = await RateAsync(o, (lane, i) => table.AddRowAsync(Row("single", lane, i)));
        var batch3 = await RateAsync(o, (lane, i) => table.TransactAsync(
            Enumerable.Range(0, 3).Select(j => new TableTransactionAction(TableTransactionActionType.UpsertReplace, Row($"b3-{lane}", lane, i * 3 + j))).ToList()));
        var batch100 = await RateAsync(o, (lane, i) => table.TransactAsync(
            Enumerable.Range(0, 100).Select(j => new TableTransactionAction(TableTransactionActionType.UpsertReplace, Row($"b100-{lane}", lane, i * 100 + j))).ToList()));
        var reads = await RateAsync(o, (lane, i) => table.GetRowAsync("single", $"{lane:D3}-{i % 50:D10}"));
        var cycles = await RateAsync(o, async (lane, i) =>
        {
            await queue.SendCheckedAsync("{\"k\":\"bench\"}");
            var got = await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30));
            foreach (var m in got.Value) await queue.DeleteIfOwnedAsync(m.MessageId, m.PopReceipt);
        });
        await table.DeleteAsync();
        await queue.DeleteIfExistsAsync();

        var c = new Ceiling(single, batch3, batch100, reads, cycles);
        ctx.Report.Section("azuriteCeiling", new JsonObject
        {
            ["concurrency"] = o.CeilingConcurrency, ["secondsEach"] = o.CeilingSeconds,
            ["singleEntityWritesPerSecond"] = Math.Round(single, 1), ["batches3PerSecond"] = Math.Round(batch3, 1),
            ["batches100PerSecond"] = Math.Round(batch100, 1), ["pointReadsPerSecond"] = Math.Round(reads, 1),
            ["queuePutGetDeleteCyclesPerSecond"] = Math.Round(cycles, 1),
        });
        ctx.Report.Add(new Row("10 Azurite ceiling", "single-entity inserts/s", Report.F(single, "0")));
        ctx.Report.Add(new Row("10 Azurite ceiling", "batch transactions/s (3 entities | 100 entities)", $"{Report.F(batch3, "0")} | {Report.F(batch100, "0")}"));
        ctx.Report.Add(new Row("10 Azurite ceiling", "point reads/s", Report.F(reads, "0")));
        ctx.Report.Add(new Row("10 Azurite ceiling", "queue put+get+delete cycles/s", Report.F(cycles, "0"), Note: "3 requests each"));
        return c;
    }

    private static async Task<double> RateAsync(BenchOptions o, Func<int, long, Task> op)
    {
        var until = Clock.Now + (long)(o.CeilingSeconds * System.Diagnostics.Stopwatch.Frequency);
        long count = 0;
        var t0 = Clock.Now;
        await Task.WhenAll(Enumerable.Range(0, o.CeilingConcurrency).Select(lane => Task.Run(async () =>
        {
            for (long i = 0; Clock.Now < until; i++)
            {
                await op(lane, i);
                Interlocked.Increment(ref count);
            }
        })));
        return count / (Clock.SinceMs(t0) / 1000);
    }
}
