using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using SwfServerless.Service.Hosting;

namespace SwfServerless.Functions;

/// <summary>The Functions composition root: the SWF service, ASP.NET Core integration for HTTP, Application Insights.</summary>
public static class SwfFunctionsApp
{
    public static FunctionsApplicationBuilder AddSwfFunctions(this FunctionsApplicationBuilder builder)
    {
        // HTTP requests reach the worker's own Kestrel through the host's proxy, as ASP.NET Core requests.
        builder.ConfigureFunctionsWebApplication();
        builder.Services.AddApplicationInsightsTelemetryWorkerService().ConfigureFunctionsApplicationInsights();
        // The Application Insights provider adds a rule that keeps only warnings; the per-call Information lines are the service's log.
        builder.Logging.Services.Configure<LoggerFilterOptions>(options =>
        {
            var rule = options.Rules.FirstOrDefault(r =>
                r.ProviderName == "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider");
            if (rule is not null) options.Rules.Remove(rule);
        });
        builder.Services.AddSwfService(builder.Configuration, SwfHostKind.Functions);
        builder.Services.AddSingleton<SwfFunctions>();
        return builder;
    }
}
