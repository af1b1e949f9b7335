using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Knock;

/// <summary>One OpenID provider and one backend for every knock test (each test starts its own gateway and client).</summary>
[CollectionDefinition(Name)]
public sealed class KnockCollection : ICollectionFixture<KnockFixture>
{
    public const string Name = "knock";
}

public sealed class KnockFixture : IAsyncLifetime
{
    public OidcProvider Provider { get; private set; } = null!;

    public TestBackend Backend { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Provider = await OidcProvider.StartAsync(KnockSite.People);
        Backend = await TestBackend.StartAsync("app");
    }

    public async Task DisposeAsync()
    {
        await Backend.DisposeAsync();
        await Provider.DisposeAsync();
    }
}
