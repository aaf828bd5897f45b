namespace SwfServerless.AzureStorage.Tests;

public sealed class TableFilterTests
{
    [Fact]
    public void Values_become_escaped_literals()
    {
        var when = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(2));
        var id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

        var filter = TableFilter.Create(
            $"PartitionKey eq {"O'Brien"} and N eq {5} and L ge {5L} and B eq {true} and D lt {2.0} and T gt {when} and G eq {id} and X eq {new byte[] { 1, 171 }}");

        Assert.Equal(
            "PartitionKey eq 'O''Brien' and N eq 5 and L ge 5L and B eq true and D lt 2.0 and T gt datetime'2024-01-02T01:04:05.0000000Z' " +
            "and G eq guid'0f8fad5b-d9cb-469f-a165-70867728950e' and X eq X'01ab'",
            filter);
    }

    [Fact]
    public void Injection_attempts_stay_inside_the_string_literal()
    {
        var hostile = "x' or RowKey ne '";

        Assert.Equal("PartitionKey eq 'x'' or RowKey ne '''", TableFilter.Create($"PartitionKey eq {hostile}"));
    }

    [Fact]
    public void Unsupported_values_are_refused()
    {
        Assert.Throws<ArgumentException>(() => TableFilter.Create($"A eq {new object()}"));
        Assert.Throws<ArgumentException>(() => TableFilter.Create($"A eq {double.NaN}"));
    }
}
