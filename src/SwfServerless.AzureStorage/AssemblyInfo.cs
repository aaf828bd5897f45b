using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("SwfServerless.AzureStorage.Tests")]
// The app-level managed-identity test signs what it forwards to Azurite with the real Shared Key code.
[assembly: InternalsVisibleTo("SwfServerless.Api.Tests")]
