using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OrleansAgents.Tests.Console;

/// <summary>
/// A browser tab per test, logged in through the console's own login form. Every test checks at
/// its end that the page logged no Content-Security-Policy violation (the policy is strict, so a
/// blocked script or style would break the console silently) and leaves a screenshot.
/// </summary>
public abstract class ConsolePageTest(ConsoleHost host) : IAsyncLifetime
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    private readonly List<string> _violations = [];
    private IBrowserContext? _context;

    protected ConsoleHost Host { get; } = host;

    protected IPage Page { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _context = await Host.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Host.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1360, Height = 860 },
        });
        _context.SetDefaultTimeout((float)Patience.TotalMilliseconds);
        // Assertions have their own default (5 s), too short on two loaded cores: a page that
        // renders within the same patience as actions passes.
        SetDefaultExpectTimeout((float)Patience.TotalMilliseconds);
        Page = await _context.NewPageAsync();
        Page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (_violations)
                {
                    _violations.Add(message.Text);
                }
            }
        };
    }

    protected async Task LogInAsync(string user, string password)
    {
        await Page.GotoAsync("console");
        await Page.Locator("input[name=username]").FillAsync(user);
        await Page.Locator("input[name=password]").FillAsync(password);
        await Page.GetByText("Log in", new() { Exact = true }).ClickAsync();
        await Expect(Page.GetByTestId("current-user")).ToContainTextAsync(user);
    }

    protected Task LogInAsAdminAsync() => LogInAsync(ConsoleHost.AdminUser, ConsoleHost.AdminPassword);

    /// <summary>Goes to a console page within the logged-in tab (the session survives a reload, in encrypted session storage).</summary>
    protected async Task OpenAsync(string path, string heading)
    {
        await Page.GotoAsync(path);
        await Expect(Page.Locator("h1").First).ToContainTextAsync(heading);
    }

    protected Task ScreenshotAsync(string name) =>
        Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Host.ScreenshotDirectory, name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        lock (_violations)
        {
            Assert.True(_violations.Count == 0, "Content-Security-Policy violations:\n" + string.Join("\n", _violations));
        }

        if (_context is not null)
        {
            await _context.DisposeAsync();
        }
    }

    protected static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
}
