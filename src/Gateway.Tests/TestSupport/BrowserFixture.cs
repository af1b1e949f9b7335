using Microsoft.Playwright;

namespace Gateway.Tests.TestSupport;

/// <summary>
/// A real headless Chromium (Debian's <c>/usr/bin/chromium</c>, driven by Microsoft.Playwright, which downloads no
/// browser of its own), shared by the tests of a class; each test opens a fresh context (no cookies, no SSO session).
/// Names under <c>.test</c> resolve to loopback inside the browser.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                // As root in a closed network: no sandbox, no background traffic to Google.
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-features=HttpsUpgrades",
                "--host-resolver-rules=MAP *.test 127.0.0.1",
            ],
        });
    }

    /// <summary>A fresh browser profile; <paramref name="javaScript"/> false proves pages work without scripts.</summary>
    public async Task<IBrowserContext> NewContextAsync(bool javaScript = true)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = javaScript, ViewportSize = new ViewportSize { Width = 900, Height = 700 } });
        context.SetDefaultTimeout(10_000);
        return context;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
