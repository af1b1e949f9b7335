using System.Diagnostics;
using Gateway.Access;
using Gateway.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Gateway.Tests.Knock;

/// <summary>
/// The whole knock flow in a real browser (headless Chromium), as a user lives it: open the portal, sign in at the
/// provider's own login page, "Allow my IP", land in the application; with JavaScript switched off, by keyboard, and
/// against a form forged on another site.
/// </summary>
[Collection(KnockCollection.Name)]
public sealed class BrowserTests(KnockFixture fixture, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    // Arrival is checked by polling the page's URL, and what the test reads next is awaited by content. Waiting for
    // load states instead failed on a busy machine: when the page was already at the URL, Playwright waited for load
    // events that had been recorded before it looked, and timed out with the document complete and the network idle.
    private static readonly PageAssertionsToHaveURLOptions Arrived = new() { Timeout = 15_000 };

    private static async Task SignInAsync(IPage page, KnockSite site, string user)
    {
        await page.GotoAsync(site.Portal.ToString(), new() { WaitUntil = WaitUntilState.Commit });
        await page.FillAsync("input[name=login]", user);
        await page.FillAsync("input[name=password]", "any password");
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page).ToHaveURLAsync(site.Portal.ToString(), Arrived);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
    }

    private static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    [Fact]
    public async Task Browser_SignInAllowAndOpen_WithoutJavaScript_TheApplicationLoads()
    {
        await using var site = await KnockSite.StartAsync(fixture.Provider, fixture.Backend);
        await using var context = await browser.NewContextAsync(javaScript: false);
        var page = await context.NewPageAsync();

        var watch = Stopwatch.StartNew();
        await SignInAsync(page, site, "bob");
        var signedIn = watch.Elapsed;
        await Button(page, "Allow my IP for Confluence").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(site.Confluence.ToString(), Arrived);
        var opened = watch.Elapsed;

        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("\"backend\":\"app\"");
        Assert.Equal("bob", Assert.Single(site.Gateway.Services.GetRequiredService<AccessState>().Sessions.All).User);
        Console.WriteLine($"Browser knock flow: signed in after {signedIn.TotalMilliseconds:0} ms, application open after {opened.TotalMilliseconds:0} ms.");

        await page.GotoAsync(site.Portal.ToString(), new() { WaitUntil = WaitUntilState.Commit });
        await Assertions.Expect(page.GetByText("Your address 127.0.0.1 is allowed until")).ToBeVisibleAsync();
        if (Environment.GetEnvironmentVariable("GATEWAY_PORTAL_SCREENSHOT") is { Length: > 0 } path)
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        }
    }

    [Fact]
    public async Task Browser_UserOutsideTheGroups_GetsNoApplicationAndTheAppRefuses()
    {
        await using var site = await KnockSite.StartAsync(fixture.Provider, fixture.Backend);
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();

        await SignInAsync(page, site, "mallory");
        await Assertions.Expect(page.GetByText("not in a group that may open an application")).ToBeVisibleAsync();
        var app = await page.GotoAsync(site.Confluence.ToString(), new() { WaitUntil = WaitUntilState.Commit });

        Assert.Equal(403, app!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Request access" })).ToHaveAttributeAsync("href", site.Portal.ToString());
    }

    [Fact]
    public async Task Browser_Revoke_ClosesTheApplicationAgain()
    {
        await using var site = await KnockSite.StartAsync(fixture.Provider, fixture.Backend);
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, site, "alice");
        await Button(page, "Allow my IP for Confluence").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(site.Confluence.ToString(), Arrived);

        await page.GotoAsync(site.Portal.ToString(), new() { WaitUntil = WaitUntilState.Commit });
        await Button(page, "Revoke for Confluence").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Your access to Confluence was revoked.");
        var app = await page.GotoAsync(site.Confluence.ToString(), new() { WaitUntil = WaitUntilState.Commit });

        Assert.Equal(403, app!.Status);
    }

    [Fact]
    public async Task Browser_Keyboard_ReachesEveryControlInReadingOrder()
    {
        await using var site = await KnockSite.StartAsync(fixture.Provider, fixture.Backend);
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, site, "bob");

        var order = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            order.Add(await page.EvaluateAsync<string>("document.activeElement.innerText.replace(/\\s+/g, ' ').trim()"));
        }

        Assert.Equal(["Allow my IP for Confluence", "Allow my IP for Grafana", "Sign out"], order);
        await page.Keyboard.PressAsync("Shift+Tab");
        Assert.Equal("Allow my IP for Grafana", await page.EvaluateAsync<string>("document.activeElement.innerText.replace(/\\s+/g, ' ').trim()"));

        // Wait for the application's answer itself rather than the page's load event, which a busy machine can delay.
        var grafana = site.Grafana.ToString();
        var app = await page.RunAndWaitForResponseAsync(
            () => page.Keyboard.PressAsync("Enter"),
            r => r.Url == grafana,
            new() { Timeout = 30_000 });
        Assert.Equal(200, app.Status);
    }

    [Fact]
    public async Task Browser_FormForgedOnAnotherSite_ChangesNothing()
    {
        await using var site = await KnockSite.StartAsync(fixture.Provider, fixture.Backend);
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, site, "alice");

        // Another site's page posts the allow form at the portal, in alice's signed-in browser.
        var evil = await context.NewPageAsync();
        await evil.SetContentAsync($"""
            <form method="post" action="{site.Portal}allow"><input type="hidden" name="app" value="confluence"><button>Win a prize</button></form>
            """);
        var response = await evil.RunAndWaitForResponseAsync(() => evil.ClickAsync("button"), r => r.Url.EndsWith("/allow", StringComparison.Ordinal));

        Assert.True(response.Status is 400 or 401, $"forged form answered {response.Status}");
        Assert.Empty(site.Gateway.Services.GetRequiredService<AccessState>().Lists.SelectMany(l => l.Entries));
    }
}
