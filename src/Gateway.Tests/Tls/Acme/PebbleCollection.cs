using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Tls.Acme;

/// <summary>One pebble for the tests of this collection (they run one after another: pebble validates on fixed ports).</summary>
[CollectionDefinition(Name)]
public sealed class PebbleCollection : ICollectionFixture<PebbleFixture>
{
    public const string Name = "pebble";
}

/// <summary>Pebble with its defaults (5 % badNonce, five-year certificates), plus one test backend.</summary>
public sealed class PebbleFixture : IAsyncLifetime
{
    public PebbleServer Pebble { get; private set; } = null!;

    public TestBackend Backend { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Pebble = await PebbleServer.StartAsync();
        Backend = await TestBackend.StartAsync("app");
    }

    public async Task DisposeAsync()
    {
        await Backend.DisposeAsync();
        await Pebble.DisposeAsync();
    }
}
