using Xunit;

namespace SwfServerless.Testing;

/// <summary>
/// Test classes marked [Collection("azurite")] share one Azurite (and run one after another).
/// xunit 2 only sees collection definitions declared in the test assembly itself, so a suite compiles this
/// file in rather than just referencing this project:
/// <c>&lt;Compile Include="..\SwfServerless.Testing\AzuriteCollection.cs" Link="AzuriteCollection.cs" /&gt;</c>.
/// </summary>
[CollectionDefinition("azurite")]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
}
