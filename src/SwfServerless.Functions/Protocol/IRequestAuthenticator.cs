using SwfServerless.Functions.Auth;

namespace SwfServerless.Functions.Protocol;

/// <summary>Checks who signed a request. Returns the caller's policy, null when authentication is disabled; throws a SwfFault when rejected.</summary>
public interface IRequestAuthenticator
{
    AccessPolicy? Authenticate(HttpRequest request, byte[] body);
}
