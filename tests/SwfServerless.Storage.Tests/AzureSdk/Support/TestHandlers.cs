using System.Net;

namespace SwfServerless.Storage.Tests.AzureSdk;

/// <summary>
/// Sits in front of the real connection: <paramref name="intercept"/> sees each attempt (1-based) and may answer
/// it itself (a fake failure) or return null to let it through to Azurite.
/// </summary>
internal sealed class InterceptingHandler(Func<int, HttpRequestMessage, CancellationToken, Task<HttpResponseMessage?>> intercept)
    : DelegatingHandler(new SocketsHttpHandler())
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _calls);
        return await intercept(call, request, cancellationToken) ?? await base.SendAsync(request, cancellationToken);
    }

    public static InterceptingHandler PassThrough() => new((_, _, _) => Task.FromResult<HttpResponseMessage?>(null));

    public static InterceptingHandler FailFirst(int failures, HttpStatusCode status) =>
        new((call, request, _) => Task.FromResult(call <= failures ? new HttpResponseMessage(status) { RequestMessage = request } : null));

    /// <summary>Fails the test if anything is sent: for checks that must happen before any request.</summary>
    public static InterceptingHandler NoRequests() =>
        new((_, request, _) => throw new Xunit.Sdk.XunitException($"Unexpected request {request.Method} {request.RequestUri}"));
}

/// <summary>Answers every request itself with <paramref name="respond"/>, recording what was sent.</summary>
internal sealed class RecordingHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
{
    public List<HttpRequestMessage> Requests { get; } = [];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (Requests)
            Requests.Add(request);
        return Task.FromResult(respond(request));
    }
}
