using Microsoft.FluentUI.AspNetCore.Components;

namespace OrleansAgents.Api.OperatorConsole;

/// <summary>
/// The operator console at /console (issue 20): Blazor components rendered on the server
/// (interactive server mode), calling this API's own /api endpoints with the user's bearer token.
/// </summary>
public static class ConsoleHosting
{
    public const string BasePath = "/console";

    /// <summary>
    /// Blazor's script, the component libraries' assets and the circuit's hub live at the root
    /// (the console's routes carry the /console prefix instead of a base href, so the framework's
    /// own paths need no rewriting).
    /// </summary>
    private static readonly string[] ConsolePaths = [BasePath, "/_framework", "/_content", "/_blazor", "/console-assets"];

    /// <summary>
    /// What the console's pages may load: only this origin. Styles allow inline attributes because
    /// Blazor and the Fluent components set style attributes from .NET; scripts never run inline.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

    public static IServiceCollection AddAgentsConsole(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddFluentUIComponents();
        services.AddHttpClient(ConsoleApi.ClientName);
        services.AddSingleton<ApiSelfAddress>();
        services.AddScoped<ConsoleSession>();
        services.AddScoped<ConsoleSessionStore>();
        services.AddScoped<ConsoleApi>();
        return services;
    }

    /// <summary>Call after authentication and authorization: the console's endpoints are anonymous, its data calls are not.</summary>
    public static WebApplication MapAgentsConsole(this WebApplication app)
    {
        app.UseWhen(c => IsConsolePath(c.Request.Path), b => b.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            return next(context);
        }));
        app.UseAntiforgery();
        app.MapStaticAssets().ExcludeFromDescription();
        // Our policy already says frame-ancestors 'none'; Blazor's own header would only repeat a weaker one.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null).ExcludeFromDescription();
        return app;
    }

    private static bool IsConsolePath(PathString path) =>
        ConsolePaths.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));
}
