using SwfServerless.Service.Auth;

namespace SwfServerless.Service.Protocol;

/// <summary>Checks who signed a request. Returns the caller's policy, null when authentication is disabled; throws a SwfFault when rejected.</summary>
public interface IRequestAuthenticator
{
    AccessPolicy? Authenticate(HttpRequest request, byte[] body);
}
