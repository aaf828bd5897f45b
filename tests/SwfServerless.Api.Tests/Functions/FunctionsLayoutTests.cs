using System.Text.Json;
using SwfServerless.AzureStorage;
using SwfServerless.Functions.Hosting;

namespace SwfServerless.Api.Tests.Functions;

/// <summary>
/// host.json and the function.json files agree with the app: the names, the binding names it reads from the
/// invocation payload, the settings the binding expressions resolve, and the host settings the custom-handler and
/// host.json references call for.
/// </summary>
public sealed class FunctionsLayoutTests
{
    private static readonly JsonElement Host = RepoFiles.Json("host.json");

    private static JsonElement Binding(string function, int index = 0) =>
        RepoFiles.Json("functions", function, "function.json").GetProperty("bindings")[index];

    [Fact]
    public void Host_json_runs_this_app_as_a_custom_handler_with_proxied_http()
    {
        Assert.Equal("2.0", Host.GetProperty("version").GetString());
        var handler = Host.GetProperty("customHandler");
        // The published executable is the app's assembly name (scripts/publish.sh puts it at the app root).
        Assert.Equal(typeof(SwfApp).Assembly.GetName().Name, handler.GetProperty("description").GetProperty("defaultExecutablePath").GetString());
        // Current custom-handler docs (HTTP-only function): enableProxyingHttpRequest, which supports response streaming;
        // the host keeps the legacy enableForwardingHttpRequest, which rebuilds the request instead.
        Assert.True(handler.GetProperty("enableProxyingHttpRequest").GetBoolean());
        Assert.False(handler.TryGetProperty("enableForwardingHttpRequest", out _));
        Assert.Equal("", Host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    [Fact]
    public void Function_timeout_outlasts_a_long_poll_and_ends_before_the_front_end_gives_up()
    {
        var timeout = TimeSpan.Parse(Host.GetProperty("functionTimeout").GetString()!);
        var longPoll = TimeSpan.FromSeconds(new SwfOptions().LongPollSeconds);
        Assert.True(timeout >= 2 * longPoll, $"functionTimeout {timeout} must comfortably cover a {longPoll} long poll");
        Assert.True(timeout < TimeSpan.FromSeconds(230), "HTTP answers must come within 230 s (the load balancer's idle timeout)");
    }

    [Fact]
    public void Extension_bundle_and_queue_encoding_match_what_the_triggers_and_the_app_use()
    {
        var bundle = Host.GetProperty("extensionBundle");
        Assert.Equal("Microsoft.Azure.Functions.ExtensionBundle", bundle.GetProperty("id").GetString());
        Assert.Equal("[4.*, 5.0.0)", bundle.GetProperty("version").GetString());
        // The app's queue client writes base64 (its default), which the queue trigger must decode.
        Assert.Equal(QueueMessageEncoding.Base64, new StorageClientOptions().MessageEncoding);
        Assert.Equal("base64", Host.GetProperty("extensions").GetProperty("queues").GetProperty("messageEncoding").GetString());
    }

    [Fact]
    public void There_is_one_function_folder_per_function_the_app_knows()
    {
        var folders = Directory.GetDirectories(RepoFiles.Path("functions")).Select(System.IO.Path.GetFileName).Order().ToArray();
        Assert.Equal(new[] { FunctionsHost.IntentsFunction, FunctionsHost.SweepFunction, FunctionsHost.HttpFunction }.Order(), folders);
    }

    [Fact]
    public void The_http_function_takes_every_path_anonymously_with_an_http_output()
    {
        var trigger = Binding(FunctionsHost.HttpFunction);
        Assert.Equal("httpTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("anonymous", trigger.GetProperty("authLevel").GetString());
        Assert.Equal("{*path}", trigger.GetProperty("route").GetString());
        Assert.Contains("post", trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        var output = Binding(FunctionsHost.HttpFunction, 1);
        Assert.Equal("http", output.GetProperty("type").GetString());
        Assert.Equal("out", output.GetProperty("direction").GetString());
        // Proxying applies to HTTP-in-and-out functions only: exactly these two bindings.
        Assert.Equal(2, RepoFiles.Json("functions", FunctionsHost.HttpFunction, "function.json").GetProperty("bindings").GetArrayLength());
    }

    [Fact]
    public void The_sweep_is_a_timer_whose_schedule_is_a_setting()
    {
        var trigger = Binding(FunctionsHost.SweepFunction);
        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(FunctionsHost.TimerBinding, trigger.GetProperty("name").GetString());
        Assert.Equal($"%{FunctionsHost.SweepScheduleSetting}%", trigger.GetProperty("schedule").GetString());
    }

    [Fact]
    public void The_intent_executor_is_a_queue_trigger_on_the_configured_queue_of_the_app_storage()
    {
        var trigger = Binding(FunctionsHost.IntentsFunction);
        Assert.Equal("queueTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(FunctionsHost.QueueBinding, trigger.GetProperty("name").GetString());
        Assert.Equal($"%{FunctionsHost.IntentQueueSetting}%", trigger.GetProperty("queueName").GetString());
        Assert.Equal("AzureWebJobsStorage", trigger.GetProperty("connection").GetString());
    }

    [Fact]
    public void Trigger_settings_default_sensibly_and_the_queue_name_is_a_valid_queue_name()
    {
        var config = new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();
        var settings = TriggerSettings.From(config, "Swf");
        Assert.Equal(FunctionsHost.DefaultSweepSchedule, settings.SweepSchedule);
        Assert.Equal(6, settings.SweepSchedule.Split(' ').Length); // NCRONTAB with seconds, as the timer trigger takes it
        Assert.Matches("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", settings.IntentQueue);
    }
}
