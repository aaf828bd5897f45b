namespace SwfServerless.AzureStorage;

/// <summary>Adds the Authorization header to a request that already carries all its other headers.</summary>
internal abstract class RequestAuthorizer
{
    public abstract ValueTask AuthorizeAsync(HttpRequestMessage request, StorageService service, CancellationToken cancellationToken);

    public static RequestAuthorizer For(StorageAccount account, TimeProvider time) =>
        account.Credential is { } credential
            ? new BearerTokenAuthorizer(credential, time)
            : new SharedKeyAuthorizer(account.Name, account.Key!);
}
