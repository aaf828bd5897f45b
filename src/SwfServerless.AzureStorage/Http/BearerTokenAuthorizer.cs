using System.Net.Http.Headers;
using Azure.Core;

namespace SwfServerless.AzureStorage;

/// <summary>
/// Entra ID (managed identity) tokens for Azure Storage, fetched once and reused until shortly before they
/// expire, so only one request in a token's lifetime pays for the credential round trip.
/// </summary>
internal sealed class BearerTokenAuthorizer(TokenCredential credential, TimeProvider time) : RequestAuthorizer
{
    private static readonly TokenRequestContext Scope = new(["https://storage.azure.com/.default"]);
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _refresh = new(1, 1);

    // Replaced as a whole (a reference), so readers never see half of an update.
    private volatile CachedToken? _cached;

    public override async ValueTask AuthorizeAsync(HttpRequestMessage request, StorageService service, CancellationToken cancellationToken)
    {
        var token = await GetTokenAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    private async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (_cached is { } cached && cached.IsFresh(time))
            return cached.Token;

        // One caller refreshes; the others wait and reuse its token.
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_cached is { } refreshed && refreshed.IsFresh(time))
                return refreshed.Token;
            var token = await credential.GetTokenAsync(Scope, cancellationToken).ConfigureAwait(false);
            _cached = new CachedToken(token.Token, token.RefreshOn ?? token.ExpiresOn - RefreshMargin);
            return token.Token;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private sealed record CachedToken(string Token, DateTimeOffset RefreshAt)
    {
        public bool IsFresh(TimeProvider time) => time.GetUtcNow() < RefreshAt;
    }
}
