namespace Gateway.Tests.TestSupport;

/// <summary>Two plain HTTP backends shared by a test class: "a" and "b".</summary>
public sealed class BackendsFixture : IAsyncLifetime
{
    public TestBackend A { get; private set; } = null!;

    public TestBackend B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        A = await TestBackend.StartAsync("a");
        B = await TestBackend.StartAsync("b");
    }

    public async Task DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
    }
}
