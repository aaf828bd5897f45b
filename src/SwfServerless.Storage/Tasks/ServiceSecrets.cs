using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using SwfServerless.Storage.AzureSdk;

namespace SwfServerless.Storage.Tasks;

/// <summary>
/// The key that signs task tokens: every instance must share it. Taken from configuration when given
/// (e.g. a Key Vault reference); otherwise created once at random and kept in the service's own storage,
/// so a deployment needs no secret to start and nothing secret is ever in the repository.
/// </summary>
public static class ServiceSecrets
{
    public static async Task<byte[]> TaskTokenKeyAsync(SwfTables tables, string? configured, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(configured)) return Convert.FromBase64String(configured);
        var existing = await tables.Secrets.GetRowAsync("secret", "taskTokenKey", cancellationToken: ct);
        if (existing?.GetBinary("Key") is { } key) return key;
        try
        {
            await tables.Secrets.AddRowAsync(new TableEntity("secret", "taskTokenKey") { ["Key"] = RandomNumberGenerator.GetBytes(32) }, ct);
        }
        catch (RequestFailedException e) when (e.IsEntityAlreadyExists())
        {
            // Another instance created it first: use theirs.
        }
        return (await tables.Secrets.GetRowAsync("secret", "taskTokenKey", cancellationToken: ct))!.GetBinary("Key")!;
    }
}
