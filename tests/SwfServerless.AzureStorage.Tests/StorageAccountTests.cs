namespace SwfServerless.AzureStorage.Tests;

public sealed class StorageAccountTests
{
    [Fact]
    public void Development_storage_means_Azurite_defaults()
    {
        var account = StorageAccount.Parse("UseDevelopmentStorage=true");

        Assert.Equal("devstoreaccount1", account.Name);
        Assert.Equal("http://127.0.0.1:10002/devstoreaccount1", account.TableEndpoint.OriginalString);
        Assert.Equal("http://127.0.0.1:10001/devstoreaccount1", account.QueueEndpoint.OriginalString);
    }

    [Fact]
    public void Account_key_with_suffix_builds_the_service_endpoints()
    {
        var account = StorageAccount.Parse("DefaultEndpointsProtocol=https;AccountName=swf;AccountKey=a2V5;EndpointSuffix=core.chinacloudapi.cn");

        Assert.Equal("https://swf.table.core.chinacloudapi.cn", account.TableEndpoint.OriginalString);
        Assert.Equal("https://swf.queue.core.chinacloudapi.cn", account.QueueEndpoint.OriginalString);
    }

    [Fact]
    public void Explicit_endpoints_win_and_lose_their_trailing_slash()
    {
        var account = StorageAccount.Parse(
            "AccountName=devstoreaccount1;AccountKey=a2V5;DefaultEndpointsProtocol=http;" +
            "TableEndpoint=http://127.0.0.1:5002/devstoreaccount1/;QueueEndpoint=http://127.0.0.1:5001/devstoreaccount1");

        Assert.Equal("http://127.0.0.1:5002/devstoreaccount1", account.TableEndpoint.OriginalString);
        Assert.Equal("http://127.0.0.1:5001/devstoreaccount1", account.QueueEndpoint.OriginalString);
    }

    [Theory]
    [InlineData("AccountName=x")]
    [InlineData("AccountKey=a2V5")]
    [InlineData("AccountName=x;AccountKey=not base64!")]
    [InlineData("AccountName=x;SharedAccessSignature=sv=1")]
    [InlineData("garbage")]
    public void Incomplete_connection_strings_are_rejected(string connectionString)
    {
        Assert.Throws<ArgumentException>(() => StorageAccount.Parse(connectionString));
    }
}
