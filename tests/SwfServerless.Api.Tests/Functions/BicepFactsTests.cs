using System.Text.RegularExpressions;
using SwfServerless.Service.Auth;
using SwfServerless.Service.Hosting;

namespace SwfServerless.Api.Tests.Functions;

/// <summary>
/// The structural facts of infra/*.bicep that the app relies on, read from the Bicep text (no Bicep compiler here):
/// Flex Consumption with the custom runtime, identity-only storage with the data roles the app and the host need,
/// Key Vault references for secrets, and app setting names that are exactly the ones the app and function.json read.
/// </summary>
public sealed partial class BicepFactsTests
{
    private static readonly string Main = RepoFiles.Text("infra", "main.bicep");
    private static readonly string FunctionApp = RepoFiles.Text("infra", "modules", "functionapp.bicep");
    private static readonly string Storage = RepoFiles.Text("infra", "modules", "storage.bicep");
    private static readonly string Identity = RepoFiles.Text("infra", "modules", "identity.bicep");
    private static readonly string Vault = RepoFiles.Text("infra", "modules", "keyvault.bicep");

    // Azure built-in role definition ids (learn.microsoft.com, Azure built-in roles: Storage, Security, Monitor).
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";

    [Fact]
    public void The_app_is_a_flex_consumption_app_with_the_custom_runtime()
    {
        Assert.Matches(@"sku:\s*\{\s*tier:\s*'FlexConsumption'\s*name:\s*'FC1'", FunctionApp);
        Assert.Matches(@"runtime:\s*\{\s*name:\s*'custom'", FunctionApp);
        Assert.Contains("kind: 'functionapp,linux'", FunctionApp);
        Assert.Contains("httpsOnly: true", FunctionApp);
        Assert.Contains("minTlsVersion: '1.2'", FunctionApp);
        // Settings Flex Consumption does not take as app settings (they moved into functionAppConfig).
        foreach (var name in new[] { "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE" })
            Assert.DoesNotMatch($@"(?m)^\s*{name}\s*:", FunctionApp + "\n" + Main);
    }

    [Fact]
    public void Defaults_are_the_smallest_instance_and_many_long_polls_per_instance()
    {
        Assert.Matches(@"param instanceMemoryMB int = 512\b", Main);
        Assert.Matches(@"param httpPerInstanceConcurrency int = (\d+)", Main);
        var concurrency = int.Parse(HttpConcurrencyDefault().Match(Main).Groups[1].Value);
        Assert.InRange(concurrency, 50, 1000);
        Assert.Matches(@"triggers:\s*\{\s*http:\s*\{\s*perInstanceConcurrency:\s*httpPerInstanceConcurrency", FunctionApp);
    }

    [Fact]
    public void Storage_is_identity_only_https_tls12_and_private()
    {
        Assert.Contains("allowSharedKeyAccess: false", Storage);
        Assert.Contains("allowBlobPublicAccess: false", Storage);
        Assert.Contains("minimumTlsVersion: 'TLS1_2'", Storage);
        Assert.Contains("supportsHttpsTrafficOnly: true", Storage);
        Assert.Contains("publicAccess: 'None'", Storage);
    }

    [Fact]
    public void The_app_identity_gets_the_data_roles_it_uses()
    {
        Assert.Contains(StorageTableDataContributor, Identity);
        Assert.Contains(StorageQueueDataContributor, Identity);
        Assert.Contains(StorageBlobDataOwner, Identity); // host blobs and the deployment container
        Assert.Contains(KeyVaultSecretsUser, Vault);
        Assert.Contains("enableRbacAuthorization: true", Vault);
        // The deployment container is read with the same identity, and Key Vault references resolve with it.
        Assert.Matches(@"authentication:\s*\{\s*type:\s*'UserAssignedIdentity'", FunctionApp);
        Assert.Contains("keyVaultReferenceIdentity: identityId", FunctionApp);
    }

    [Fact]
    public void Secrets_are_key_vault_references_not_values()
    {
        var settings = BicepAppSettings();
        Assert.Matches(@"^'@Microsoft\.KeyVault\(VaultName=\$\{[^}]+\};SecretName=\$\{[^}]+\}\)'$", settings["Swf__AccessKeys__0__SecretAccessKey"]);
        Assert.Matches(@"^'@Microsoft\.KeyVault\(VaultName=", settings["Swf__TaskTokenKey"]);
        Assert.Matches(@"@secure\(\)(\s*@\w+\([^\n]*\))*\s*param accessKeySecret string", Main);
    }

    [Fact]
    public void Every_app_setting_in_the_bicep_is_one_the_app_or_the_host_reads()
    {
        var settings = BicepAppSettings();
        Assert.NotEmpty(settings);
        Assert.All(settings.Keys, name => Assert.True(IsReadByAppOrHost(name), $"{name} is set by the Bicep but read by nobody"));
    }

    [Fact]
    public void Identity_storage_and_every_binding_setting_are_configured()
    {
        var settings = BicepAppSettings();
        foreach (var required in new[]
                 {
                     "AzureWebJobsStorage__accountName", "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId",
                     "AzureWebJobsDisableHomepage", TriggerSettings.SweepScheduleSetting, TriggerSettings.IntentQueueSetting,
                     "Swf__AccessKeys__0__AccessKeyId", "Swf__AccessKeys__0__SecretAccessKey", "Swf__PublicHostNames",
                 })
            Assert.True(settings.ContainsKey(required), $"the Bicep does not set {required}");
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys); // no connection string, so no key in it
        Assert.Equal("'true'", settings["AzureWebJobsDisableHomepage"]);
    }

    [Fact]
    public void The_endpoint_url_is_an_output()
    {
        Assert.Matches(@"output endpointUrl string = 'https://\$\{app\.outputs\.defaultHostName\}/'", Main);
    }

    /// <summary>Setting name → Bicep value expression, from the app setting objects in main.bicep and functionapp.bicep.</summary>
    internal static Dictionary<string, string> BicepAppSettings()
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in AppSettingLine().Matches(Main + "\n" + FunctionApp))
            settings[m.Groups["name"].Value] = m.Groups["value"].Value.Trim();
        return settings;
    }

    /// <summary>Whether a setting name maps onto something the app binds or reads, or the Functions host consumes.</summary>
    internal static bool IsReadByAppOrHost(string name)
    {
        if (name is TriggerSettings.SweepScheduleSetting or TriggerSettings.IntentQueueSetting or "AzureWebJobsStorage"
            or "AzureWebJobsDisableHomepage" or "APPLICATIONINSIGHTS_CONNECTION_STRING" or "APPLICATIONINSIGHTS_AUTHENTICATION_STRING")
            return true;
        var parts = name.Split("__");
        if (parts[0] == "AzureWebJobsStorage")
            return parts.Length == 2 && parts[1] is "accountName" or "credential" or "clientId" or "tableServiceUri" or "queueServiceUri" or "blobServiceUri";
        if (parts[0] != "Swf" || parts.Length < 2) return false;
        if (parts[1] == nameof(SwfOptions.AccessKeys))
            return parts.Length >= 4 && int.TryParse(parts[2], out _) && typeof(AccessKeyOptions).GetProperty(parts[3]) is not null;
        return typeof(SwfOptions).GetProperty(parts[1]) is { } p && (parts.Length == 2 || p.PropertyType != typeof(string));
    }

    [GeneratedRegex(@"^\s*(?<name>(?:Swf__|SWF_|AzureWebJobs|APPLICATIONINSIGHTS_)\w*)\s*:\s*(?<value>.+?)\s*$", RegexOptions.Multiline)]
    private static partial Regex AppSettingLine();

    [GeneratedRegex(@"param httpPerInstanceConcurrency int = (\d+)")]
    private static partial Regex HttpConcurrencyDefault();
}
