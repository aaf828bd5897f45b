namespace SwfServerless.Storage.Tests;

public sealed class UniqueIdsTests
{
    [Fact]
    public void Ids_are_random_version_4_guids_and_do_not_repeat()
    {
        var ids = Enumerable.Range(0, 100_000).AsParallel().Select(_ => UniqueIds.NewGuid()).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids.Take(1000), id =>
        {
            Assert.Equal(4, id.Version);
            Assert.Equal(0b10, id.Variant >> 2); // RFC 9562 variant: the top two bits 10
        });
        // Random, not a counter: the bits that carry no version or variant vary (about half of them set).
        var setBits = ids.Take(1000).Sum(id => id.ToByteArray().Sum(b => System.Numerics.BitOperations.PopCount(b)));
        Assert.InRange(setBits / 1000.0, 55, 67);
    }
}
