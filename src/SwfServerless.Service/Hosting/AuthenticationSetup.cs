using Microsoft.Extensions.Options;
using SwfServerless.Service.Auth;
using SwfServerless.Service.Protocol;

namespace SwfServerless.Service.Hosting;

public static partial class AuthenticationSetup
{
    /// <summary>SigV4 against the configured access keys; with none configured, an explicit development mode that checks nothing.</summary>
    public static IServiceCollection AddSwfAuthentication(this IServiceCollection services) =>
        services.AddSingleton<IRequestAuthenticator>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SwfOptions>>().Value;
            var verifier = SigV4Verifier.FromOptions(options.AccessKeys, sp.GetRequiredService<TimeProvider>());
            if (verifier.IsDisabled) LogDisabled(sp.GetRequiredService<ILoggerFactory>().CreateLogger("SwfServerless.Auth"));
            var hosted = sp.GetRequiredService<SwfHosting>().UnderFunctionsHost;
            return new SigV4RequestAuthenticator(verifier, new SignedHost(options.PublicHostNames, hosted));
        });

    [LoggerMessage(Level = LogLevel.Warning, Message = "No access keys configured (Swf__AccessKeys__0__AccessKeyId ...): request signatures are NOT checked. Configure keys for anything but local development.")]
    private static partial void LogDisabled(ILogger log);
}
