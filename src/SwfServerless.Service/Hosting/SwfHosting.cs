namespace SwfServerless.Service.Hosting;

/// <summary>Which composition root runs the service. The service itself knows no host; these are the few things that differ.</summary>
public enum SwfHostKind
{
    /// <summary>The standalone ASP.NET Core server: background services sweep and receive intents.</summary>
    Standalone,

    /// <summary>
    /// The Azure Functions isolated worker: requests arrive through the Functions host's proxy (the signed host is in
    /// <c>X-Forwarded-Host</c>), the timer trigger sweeps and the queue trigger carries out intents.
    /// </summary>
    Functions,
}

public sealed record SwfHosting(SwfHostKind Kind)
{
    public bool UnderFunctionsHost => Kind == SwfHostKind.Functions;
}
