using SwfServerless.Testing;
using SwfServerless.Service.Auth;
using SwfServerless.Service.Hosting;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static SwfServerless.Infra.Tests.CompiledInfra;

namespace SwfServerless.Infra.Tests;

/// <summary>
/// The structural facts of infra/ that the app relies on, read from the ARM template the Bicep CLI compiles
/// infra/main.bicep to: Flex Consumption with the .NET isolated worker, identity-only storage with the data roles the
/// app and the host need, Key Vault references for secrets, Entra-only telemetry, and app setting names that are exactly
/// the ones the app and its triggers read.
/// </summary>
public sealed partial class BicepFactsTests
{
    // Azure built-in role definition ids (learn.microsoft.com, Azure built-in roles: Storage, Security, Monitor).
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    // The isolated worker's timer and queue triggers name them as %SWF_SWEEP_SCHEDULE% and %SWF_INTENT_QUEUE%.
    private const string SweepScheduleSetting = TriggerSettings.SweepScheduleSetting;
    private const string IntentQueueSetting = TriggerSettings.IntentQueueSetting;
    private const string DefaultSweepSchedule = TriggerSettings.DefaultSweepSchedule;

    private static JsonObject Site => Resource(Module("functionapp"), "Microsoft.Web/sites");

    [Fact]
    public void The_app_is_a_flex_consumption_app_on_the_dotnet_isolated_worker()
    {
        var plan = Resource(Module("functionapp"), "Microsoft.Web/serverfarms");
        Assert.Equal("FlexConsumption", (string?)plan["sku"]!["tier"]);
        Assert.Equal("FC1", (string?)plan["sku"]!["name"]);
        Assert.True((bool?)plan["properties"]!["reserved"]); // Linux

        var site = Site;
        Assert.Equal("functionapp,linux", (string?)site["kind"]);
        var runtime = site["properties"]!["functionAppConfig"]!["runtime"]!;
        Assert.Equal("dotnet-isolated", (string?)runtime["name"]);
        Assert.Equal("10.0", (string?)runtime["version"]);
        Assert.True((bool?)site["properties"]!["httpsOnly"]);
        Assert.Equal("1.2", (string?)site["properties"]!["siteConfig"]!["minTlsVersion"]);
        Assert.Equal("Disabled", (string?)site["properties"]!["siteConfig"]!["ftpsState"]);
    }

    [Fact]
    public void Flex_consumption_settings_that_are_not_app_settings_there_are_nowhere()
    {
        // Flex moved these into functionAppConfig (runtime, deployment); set as app settings they make the deployment fail.
        // The content-share settings belong to the older plans. No instrumentation key: local auth is off.
        var template = Main.ToJsonString();
        foreach (var name in new[]
                 {
                     "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE",
                     "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTSHARE", "APPINSIGHTS_INSTRUMENTATIONKEY",
                 })
            Assert.DoesNotContain(name, template);
        // One source of app settings: the sites/config resource, not siteConfig.appSettings as well.
        Assert.Null(Site["properties"]!["siteConfig"]!["appSettings"]);
    }

    [Fact]
    public void Defaults_are_the_smallest_instance_and_many_long_polls_per_instance()
    {
        var parameters = Main["parameters"]!;
        Assert.Equal(512, (int?)parameters["instanceMemoryMB"]!["defaultValue"]);
        Assert.InRange((int)parameters["httpPerInstanceConcurrency"]!["defaultValue"]!, 50, 1000);

        var scale = Site["properties"]!["functionAppConfig"]!["scaleAndConcurrency"]!;
        Assert.Equal("[parameters('instanceMemoryMB')]", (string?)scale["instanceMemoryMB"]);
        Assert.Equal("[parameters('httpPerInstanceConcurrency')]", (string?)scale["triggers"]!["http"]!["perInstanceConcurrency"]);
        Assert.Equal("parameters('httpPerInstanceConcurrency')", ModuleArgument("functionapp", "httpPerInstanceConcurrency"));
        Assert.Equal("parameters('instanceMemoryMB')", ModuleArgument("functionapp", "instanceMemoryMB"));
    }

    [Fact]
    public void Storage_is_identity_only_https_tls12_and_private()
    {
        var storage = Module("storage");
        var account = Resource(storage, "Microsoft.Storage/storageAccounts")["properties"]!;
        Assert.False((bool?)account["allowSharedKeyAccess"]);
        Assert.False((bool?)account["allowBlobPublicAccess"]);
        Assert.Equal("TLS1_2", (string?)account["minimumTlsVersion"]);
        Assert.True((bool?)account["supportsHttpsTrafficOnly"]);
        var container = Resource(storage, "Microsoft.Storage/storageAccounts/blobServices/containers");
        Assert.Equal("None", (string?)container["properties"]!["publicAccess"]);
    }

    [Fact]
    public void The_app_identity_gets_the_data_roles_it_uses()
    {
        var identity = Module("identity");
        var storageRoles = RoleAssignments(identity).Where(a => a.Scope.Contains("'Microsoft.Storage/storageAccounts'")).ToList();
        var granted = string.Join("\n", storageRoles.Select(a => a.RoleDefinitionId));
        Assert.Contains(StorageTableDataContributor, granted); // the app's system of record
        Assert.Contains(StorageQueueDataContributor, granted); // task queues, the intent queue trigger
        Assert.Contains(StorageBlobDataOwner, granted);        // host blobs and the deployment container
        Assert.All(storageRoles, a => Assert.Contains("'Microsoft.ManagedIdentity/userAssignedIdentities'", a.PrincipalId));

        // The site runs as that identity, reads its deployment package with it and resolves Key Vault references with it.
        var site = Site;
        Assert.Equal("UserAssigned", (string?)site["identity"]!["type"]);
        Assert.Equal(["[format('{0}', parameters('identityId'))]"], site["identity"]!["userAssignedIdentities"]!.AsObject().Select(p => p.Key));
        Assert.Equal("[parameters('identityId')]", (string?)site["properties"]!["keyVaultReferenceIdentity"]);
        var deployment = site["properties"]!["functionAppConfig"]!["deployment"]!["storage"]!;
        Assert.Equal("blobContainer", (string?)deployment["type"]);
        Assert.Equal("UserAssignedIdentity", (string?)deployment["authentication"]!["type"]);
        Assert.Equal("[parameters('identityId')]", (string?)deployment["authentication"]!["userAssignedIdentityResourceId"]);
        Assert.Matches(@"^reference\(resourceId\('Microsoft\.Resources/deployments', 'identity'\)[^)]*\)\.outputs\.id\.value$", ModuleArgument("functionapp", "identityId"));
        Assert.Matches(@"^reference\(resourceId\('Microsoft\.Resources/deployments', 'storage'\)[^)]*\)\.outputs\.deploymentContainerUrl\.value$", ModuleArgument("functionapp", "deploymentContainerUrl"));
    }

    [Fact]
    public void Key_vault_uses_rbac_and_the_app_identity_may_read_its_secrets()
    {
        var keyVault = Module("keyvault");
        Assert.True((bool?)Resource(keyVault, "Microsoft.KeyVault/vaults")["properties"]!["enableRbacAuthorization"]);
        var readers = RoleAssignments(keyVault).Where(a => a.Scope.Contains("'Microsoft.KeyVault/vaults'")).ToList();
        Assert.Contains(readers, a => a.RoleDefinitionId.Contains(KeyVaultSecretsUser) && a.PrincipalId == "parameters('readerPrincipalId')");
        Assert.Matches(@"^reference\(resourceId\('Microsoft\.Resources/deployments', 'identity'\)[^)]*\)\.outputs\.principalId\.value$", ModuleArgument("keyvault", "readerPrincipalId"));
    }

    [Fact]
    public void Telemetry_goes_to_workspace_based_application_insights_with_entra_id_only()
    {
        var monitoring = Module("monitoring");
        var appInsights = Resource(monitoring, "Microsoft.Insights/components")["properties"]!;
        Assert.True((bool?)appInsights["DisableLocalAuth"]);
        Assert.Contains("'Microsoft.OperationalInsights/workspaces'", (string?)appInsights["WorkspaceResourceId"]);
        Resource(monitoring, "Microsoft.OperationalInsights/workspaces");

        // The identity may publish to it (the documented role for Entra ingestion), and both the host and the worker's
        // Application Insights package are told to use that identity.
        var publishers = RoleAssignments(Module("identity")).Where(a => a.Scope.Contains("'Microsoft.Insights/components'")).ToList();
        Assert.Contains(publishers, a => a.RoleDefinitionId.Contains(MonitoringMetricsPublisher));
        var settings = AppSettings();
        Assert.Equal("format('Authorization=AAD;ClientId={0}', parameters('identityClientId'))", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        Assert.Equal("parameters('appInsightsConnectionString')", settings["APPLICATIONINSIGHTS_CONNECTION_STRING"]);
        Assert.Matches(@"^reference\(resourceId\('Microsoft\.Resources/deployments', 'monitoring'\)[^)]*\)\.outputs\.connectionString\.value$", ModuleArgument("functionapp", "appInsightsConnectionString"));
        Assert.Matches(@"^reference\(resourceId\('Microsoft\.Resources/deployments', 'identity'\)[^)]*\)\.outputs\.clientId\.value$", ModuleArgument("functionapp", "identityClientId"));
    }

    [Fact]
    public void Secrets_are_key_vault_references_not_values()
    {
        var settings = AppSettings();
        Assert.Matches(KeyVaultReference("accessKeySecretName"), settings["Swf__AccessKeys__0__SecretAccessKey"]);
        Assert.Matches(KeyVaultReference("taskTokenKeySecretName"), settings["Swf__TaskTokenKey"]);
        var parameters = Main["parameters"]!;
        Assert.Equal("securestring", (string?)parameters["accessKeySecret"]!["type"]);
        Assert.Equal("securestring", (string?)parameters["taskTokenKey"]!["type"]);
        // The secrets reach Key Vault and nothing else: the vault module is the only one they are passed to (the app's
        // settings only depend on whether a task token key was given, to add its reference).
        var receivers = CompiledInfra.Resources(Main)
            .Where(r => r["properties"]!["parameters"]!.AsObject()
                .Select(p => ValueExpression(p.Value!["value"]).Replace("empty(parameters('taskTokenKey'))", ""))
                .Any(v => v.Contains("parameters('accessKeySecret')") || v.Contains("parameters('taskTokenKey')")))
            .Select(r => (string?)r["name"]);
        Assert.Equal(["keyvault"], receivers);
    }

    [Fact]
    public void Every_app_setting_in_the_bicep_is_one_the_app_or_the_host_reads()
    {
        var settings = AppSettings();
        Assert.NotEmpty(settings);
        Assert.All(settings.Keys, name => Assert.True(IsReadByAppOrHost(name), $"{name} is set by the Bicep but read by nobody"));
    }

    [Fact]
    public void Identity_storage_and_every_binding_setting_are_configured()
    {
        var settings = AppSettings();
        foreach (var required in new[]
                 {
                     "AzureWebJobsStorage__accountName", "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId",
                     "AzureWebJobsDisableHomepage", SweepScheduleSetting, IntentQueueSetting,
                     "Swf__AccessKeys__0__AccessKeyId", "Swf__AccessKeys__0__SecretAccessKey", "Swf__PublicHostNames",
                 })
            Assert.True(settings.ContainsKey(required), $"the Bicep does not set {required}");
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys); // no connection string, so no key in it
        Assert.Equal("parameters('storageAccountName')", settings["AzureWebJobsStorage__accountName"]);
        Assert.Equal("'managedidentity'", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal("parameters('identityClientId')", settings["AzureWebJobsStorage__clientId"]);
        Assert.Equal("'true'", settings["AzureWebJobsDisableHomepage"]);
    }

    [Fact]
    public void The_trigger_settings_match_the_app_defaults()
    {
        var settings = AppSettings();
        // The timer trigger's schedule is a parameter whose default is the app's own default, and the sweep interval
        // (how far ahead a sweep arms in-process timers) is that schedule's period.
        Assert.Equal("parameters('sweepSchedule')", settings[SweepScheduleSetting]);
        Assert.Equal(DefaultSweepSchedule, (string?)Main["parameters"]!["sweepSchedule"]!["defaultValue"]);
        Assert.Equal("'60'", settings["Swf__SweepIntervalSeconds"]);
        // The intent queue is "<storage prefix>-intents", the name the app derives when the setting is absent
        // (TriggerSettings.From), so the queue the app writes to and the one the trigger reads are the same.
        var queueVariable = Regex.Match(settings[IntentQueueSetting], @"^variables\('(\w+)'\)$");
        Assert.True(queueVariable.Success, settings[IntentQueueSetting]);
        Assert.Equal($"[format('{{0}}-intents', {settings["Swf__StoragePrefix"]})]", (string?)Main["variables"]![queueVariable.Groups[1].Value]);
    }

    [Fact]
    public void The_endpoint_url_is_an_output()
    {
        Assert.Matches(@"^format\('https://\{0\}/', reference\(resourceId\('Microsoft\.Resources/deployments', 'functionapp'\)[^)]*\)\.outputs\.defaultHostName\.value\)$",
            ValueExpression(Main["outputs"]!["endpointUrl"]!["value"]));
    }

    [Fact]
    public void The_parameter_file_names_only_parameters_of_main_and_leaves_out_just_the_secret()
    {
        var declared = Main["parameters"]!.AsObject();
        var file = JsonNode.Parse(File.ReadAllText(RepoRoot.Path("infra", "main.parameters.json")))!["parameters"]!.AsObject();
        Assert.All(file.Select(p => p.Key), name => Assert.True(declared.ContainsKey(name), $"main.parameters.json sets {name}, which main.bicep does not declare"));
        // What neither has a default nor is in the file must come on the command line: only the secret (README, Deploy to Azure).
        var missing = declared.Where(p => p.Value!["defaultValue"] is null && !file.ContainsKey(p.Key)).Select(p => p.Key);
        Assert.Equal(["accessKeySecret"], missing);
    }

    /// <summary>Every app setting: the ones main.bicep passes to the function app module and the ones the module adds.</summary>
    [Fact]
    public void Lambda_functions_are_a_parameter_whose_settings_are_the_ones_the_app_binds_and_hold_no_key()
    {
        var parameter = Main["parameters"]!["lambdaFunctions"]!;
        Assert.Equal("array", (string?)parameter["type"]);
        Assert.Empty(parameter["defaultValue"]!.AsArray());
        // The names are built per function (Swf__LambdaFunctions__{0}__...): each must be an option of LambdaFunctionOptions.
        var text = Main.ToJsonString();
        var names = System.Text.RegularExpressions.Regex.Matches(text, @"Swf__LambdaFunctions__\{0\}__(\w+)").Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Equal(new[] { "Audience", "Name", "Url" }, names.Order());
        Assert.All(names, n => Assert.NotNull(typeof(SwfServerless.Service.Executions.LambdaFunctionOptions).GetProperty(n)));
        // A function key is a secret: never a plain template value (README: a Key Vault reference set by the operator).
        Assert.DoesNotContain("Swf__LambdaFunctions__{0}__Key", text);
    }

    internal static Dictionary<string, string> AppSettings()
    {
        var settings = Settings(Deployment("functionapp")["properties"]!["parameters"]!["appSettings"]!["value"]);
        var config = Resources(Module("functionapp")).Single(r => Type(r) == "Microsoft.Web/sites/config" && ((string?)r["name"])!.Contains("'appsettings'"));
        foreach (var (name, value) in Settings(config["properties"]))
            Assert.True(settings.TryAdd(name, value), $"{name} is set twice");
        return settings;
    }

    /// <summary>Whether a setting name maps onto something the app binds or reads (its options, by reflection), or the Functions host consumes.</summary>
    internal static bool IsReadByAppOrHost(string name)
    {
        if (name is SweepScheduleSetting or IntentQueueSetting or "AzureWebJobsStorage" or "AzureWebJobsDisableHomepage"
            or "APPLICATIONINSIGHTS_CONNECTION_STRING" or "APPLICATIONINSIGHTS_AUTHENTICATION_STRING")
            return true;
        var parts = name.Split("__");
        if (parts[0] == "AzureWebJobsStorage")
            return parts.Length == 2 && parts[1] is "accountName" or "credential" or "clientId" or "tableServiceUri" or "queueServiceUri" or "blobServiceUri";
        if (parts[0] != "Swf" || parts.Length < 2) return false;
        if (parts[1] == nameof(SwfOptions.AccessKeys))
            return parts.Length >= 4 && int.TryParse(parts[2], out _) && typeof(AccessKeyOptions).GetProperty(parts[3]) is { } key
                   && (parts.Length == 4 || key.PropertyType != typeof(string));
        if (parts[1] == nameof(SwfOptions.Quotas))
            return parts.Length == 3 && typeof(QuotaOptions).GetProperty(parts[2]) is not null;
        if (parts[1] == nameof(SwfOptions.Throttling))
            return parts.Length == 3 ? parts[2] != nameof(ThrottlingOptions.Operations) && typeof(ThrottlingOptions).GetProperty(parts[2]) is not null
                : parts.Length == 5 && parts[2] == nameof(ThrottlingOptions.Operations) && typeof(BucketOptions).GetProperty(parts[4]) is not null;
        return typeof(SwfOptions).GetProperty(parts[1]) is { } p && (parts.Length == 2 || p.PropertyType != typeof(string));
    }

    private static string KeyVaultReference(string secretNameOutput) =>
        @"^format\('@Microsoft\.KeyVault\(VaultName=\{0\};SecretName=\{1\}\)', "
        + @"reference\(resourceId\('Microsoft\.Resources/deployments', 'keyvault'\)[^)]*\)\.outputs\.name\.value, "
        + @"reference\(resourceId\('Microsoft\.Resources/deployments', 'keyvault'\)[^)]*\)\.outputs\." + secretNameOutput + @"\.value\)$";
}
