using SwfServerless.Testing;
using SwfServerless.Service.Auth;
using SwfServerless.Service.Hosting;

namespace SwfServerless.Infra.Tests;

/// <summary>local.settings.sample.json lists every setting the app reads with a safe local value, and README documents each.</summary>
public sealed class SettingsDocumentationTests
{
    private static readonly Dictionary<string, string> Sample = RepoRoot.Json("local.settings.sample.json").GetProperty("Values")
        .EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    private static readonly string Readme = File.ReadAllText(RepoRoot.Path("README.md"));

    public static TheoryData<string> SettingsTheAppReads()
    {
        var names = new TheoryData<string>
        {
            "AzureWebJobsStorage", "AzureWebJobsDisableHomepage", TriggerSettings.SweepScheduleSetting, TriggerSettings.IntentQueueSetting,
        };
        foreach (var p in typeof(SwfOptions).GetProperties()
                     .Where(p => p.Name is not (nameof(SwfOptions.AccessKeys) or nameof(SwfOptions.LambdaFunctions)
                         or nameof(SwfOptions.Quotas) or nameof(SwfOptions.Throttling))))
            names.Add("Swf__" + p.Name);
        foreach (var p in typeof(QuotaOptions).GetProperties())
            names.Add("Swf__Quotas__" + p.Name);
        foreach (var p in typeof(ThrottlingOptions).GetProperties().Where(p => p.Name != nameof(ThrottlingOptions.Operations)))
            names.Add("Swf__Throttling__" + p.Name);
        // Per-operation buckets, by operation name: the sample and README show StartWorkflowExecution's.
        foreach (var p in typeof(BucketOptions).GetProperties())
            names.Add("Swf__Throttling__Operations__StartWorkflowExecution__" + p.Name);
        foreach (var p in typeof(AccessKeyOptions).GetProperties())
            names.Add($"Swf__AccessKeys__0__{p.Name}" + (p.PropertyType == typeof(string) ? "" : "__0"));
        foreach (var p in typeof(SwfServerless.Service.Executions.LambdaFunctionOptions).GetProperties())
            names.Add($"Swf__LambdaFunctions__0__{p.Name}");
        return names;
    }

    [Theory]
    [MemberData(nameof(SettingsTheAppReads))]
    public void The_sample_sets_it(string name) => Assert.True(Sample.ContainsKey(name), $"local.settings.sample.json lacks {name}");

    [Fact]
    public void The_sample_sets_nothing_the_app_or_host_does_not_read_and_is_safe_for_local_use()
    {
        Assert.All(Sample.Keys.Where(k => k != "FUNCTIONS_WORKER_RUNTIME"),
            k => Assert.True(BicepFactsTests.IsReadByAppOrHost(k), $"{k} is read by nobody"));
        Assert.Equal("dotnet-isolated", Sample["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("UseDevelopmentStorage=true", Sample["AzureWebJobsStorage"]);
        Assert.Equal("true", Sample["AzureWebJobsDisableHomepage"]);
        Assert.Equal(TriggerSettings.From(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(), "swf").IntentQueue,
            Sample[TriggerSettings.IntentQueueSetting]);
    }

    [Theory]
    [MemberData(nameof(SettingsTheAppReads))]
    public void The_readme_documents_it(string name)
    {
        // The README's settings table names list entries by their first index only (…__N__…, …__M).
        var documented = name.Replace("__0__", "__N__").Replace("__0", "__M");
        Assert.True(Readme.Contains(documented, StringComparison.Ordinal) || Readme.Contains(name, StringComparison.Ordinal),
            $"README.md does not document {name}");
    }

    [Theory]
    [InlineData("AzureWebJobsStorage__accountName")]
    [InlineData("AzureWebJobsStorage__clientId")]
    [InlineData("AzureWebJobsStorage__tableServiceUri")]
    [InlineData("AzureWebJobsStorage__queueServiceUri")]
    public void The_readme_documents_the_identity_and_host_settings(string name) =>
        Assert.Contains(name, Readme);
}
