using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace OrleansAgents.Tests.Console;

/// <summary>
/// One embedded API (the built Client.Api, started as its own process on free loopback ports, in
/// Development so the dev admin exists) and one headless Debian Chromium driven by Playwright, shared
/// by the console tests. Playwright's own browser download cannot work here: the browser is the
/// distribution's package (scripts/test.sh installs it when missing).
/// </summary>
public sealed class ConsoleHost : IAsyncLifetime
{
    public const string AdminUser = "admin";
    public const string AdminPassword = "dev-admin-password";

    /// <summary>The model provider hosted agents of these tests use: <see cref="Llm"/> under this name, priced so turns have a cost.</summary>
    public const string LlmProvider = "scripted";
    private const string ChromiumPath = "/usr/bin/chromium";

    private readonly string _log = Path.Combine(Path.GetTempPath(), $"console-tests-api-{Guid.NewGuid():N}.log");
    private Process? _api;
    private IPlaywright? _playwright;

    public Uri BaseAddress { get; private set; } = null!;

    public ScriptedLlmServer Llm { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>An HTTP client logged in as the admin, for arranging what the pages should show.</summary>
    public HttpClient Admin { get; private set; } = null!;

    /// <summary>Where each test leaves its screenshot: CONSOLE_SCREENSHOTS, else TestResults/screenshots next to this project.</summary>
    public string ScreenshotDirectory { get; } = Environment.GetEnvironmentVariable("CONSOLE_SCREENSHOTS") is { Length: > 0 } dir
        ? dir
        : Path.Combine(RepositoryRoot(), "tests", "Console.Tests", "TestResults", "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's chromium package (scripts/test.sh does when run as root).");
        }

        Directory.CreateDirectory(ScreenshotDirectory);
        Llm = await ScriptedLlmServer.StartAsync();
        var ports = FreePorts(4);
        BaseAddress = new Uri($"http://127.0.0.1:{ports[0]}/");
        _api = StartApi(ports);
        Admin = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        await WaitReadyAsync();
        var token = await LoginAsync(AdminUser, AdminPassword);
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Root in a container: Chromium's sandbox needs namespaces it does not get here.
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        });
    }

    private Process StartApi(int[] ports)
    {
        var root = RepositoryRoot();
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var apiDirectory = Path.Combine(root, "Client.Api", "bin", configuration, "net10.0");
        var start = new ProcessStartInfo("dotnet", [Path.Combine(apiDirectory, "OrleansAgents.Api.dll")])
        {
            WorkingDirectory = apiDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var env = start.Environment;
        env.Remove("ConnectionStrings__Redis");
        env.Remove("ConnectionStrings__Postgres");
        env["ASPNETCORE_ENVIRONMENT"] = "Development";
        env["DOTNET_ENVIRONMENT"] = "Development";
        env["Urls"] = BaseAddress.ToString().TrimEnd('/');
        env["Orleans__Mode"] = "Embedded";
        env["Orleans__ManagementPort"] = ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["Orleans__SiloPort"] = ports[2].ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["Orleans__GatewayPort"] = ports[3].ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["Orleans__DashboardEnabled"] = "false";
        env["Logging__LogLevel__Default"] = "Warning";
        env[$"Skills__Llm__Providers__{LlmProvider}__Endpoint"] = Llm.Endpoint;
        env[$"Skills__Llm__Providers__{LlmProvider}__Model"] = "plain";
        env[$"Skills__Llm__Providers__{LlmProvider}__TimeoutSeconds"] = "30";
        env["Skills__Llm__Prices__0__Provider"] = LlmProvider;
        env["Skills__Llm__Prices__0__Model"] = "*";
        env["Skills__Llm__Prices__0__InputPerMillion"] = "1";
        env["Skills__Llm__Prices__0__OutputPerMillion"] = "2";
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var log = new StreamWriter(_log) { AutoFlush = true };
        void Write(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is not null)
            {
                lock (log)
                {
                    log.WriteLine(e.Data);
                }
            }
        }

        process.OutputDataReceived += Write;
        process.ErrorDataReceived += Write;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitReadyAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (_api!.HasExited)
            {
                break;
            }

            try
            {
                if ((await Admin.GetAsync("health/ready")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(250);
        }

        throw new InvalidOperationException($"The API did not become ready on {BaseAddress}; its log:\n{ReadLog()}");
    }

    public async Task<string> LoginAsync(string user, string password)
    {
        using var response = await Admin.PostAsJsonAsync("api/auth/login", new { username = user, password });
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"login {user}: {(int)response.StatusCode} {body}");
        return (string)body!["accessToken"]!;
    }

    /// <summary>Calls the API as the admin and fails the test with the body when the status is not the expected one.</summary>
    public async Task<JsonObject> SendAsync(HttpMethod method, string path, object? body, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await Admin.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? [] : JsonNode.Parse(text) as JsonObject ?? [];
    }

    public string ReadLog()
    {
        try
        {
            using var stream = new FileStream(_log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return new StreamReader(stream).ReadToEnd();
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        Admin?.Dispose();
        if (_api is { HasExited: false })
        {
            _api.Kill(entireProcessTree: true);
            await _api.WaitForExitAsync();
        }

        _api?.Dispose();
        if (Llm is not null)
        {
            await Llm.DisposeAsync();
        }
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.Agents.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Orleans.Agents.sln not found above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(Name)]
public sealed class ConsoleGroup : ICollectionFixture<ConsoleHost>
{
    public const string Name = "console";
}
