using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace OrleansAgents.Api.OperatorConsole;

/// <summary>
/// The console's only way to the cluster: HTTP calls to this API's public /api endpoints with the
/// logged-in user's bearer token. An expired access token is refreshed once with the refresh token.
/// </summary>
public sealed class ConsoleApi(IHttpClientFactory clients, ApiSelfAddress self, ConsoleSession session, ConsoleSessionStore store)
{
    public const string ClientName = "console-api";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<ApiResult<ConsoleTokens>> LoginAsync(string user, string password, CancellationToken cancellationToken = default)
    {
        var result = await SendAsync<LoginResponse>(HttpMethod.Post, "api/auth/login", new { username = user, password }, authenticated: false, cancellationToken);
        if (result.Value is { } login)
        {
            var tokens = login.ToTokens();
            session.SignIn(tokens);
            await store.SaveAsync();
            return ApiResult.Success(tokens);
        }

        return result.As<ConsoleTokens>();
    }

    public async Task LogoutAsync()
    {
        if (session.IsLoggedIn)
        {
            // Revokes the token family on the server too; the console forgets it either way.
            await SendAsync<JsonElement>(HttpMethod.Post, "api/auth/logout", null, authenticated: true, CancellationToken.None);
        }

        session.SignOut();
        await store.SaveAsync();
    }

    public Task<ApiResult<T>> GetAsync<T>(string path, CancellationToken cancellationToken = default) =>
        SendAsync<T>(HttpMethod.Get, path, null, authenticated: true, cancellationToken);

    public Task<ApiResult<T>> PostAsync<T>(string path, object? body = null, CancellationToken cancellationToken = default) =>
        SendAsync<T>(HttpMethod.Post, path, body, authenticated: true, cancellationToken);

    public Task<ApiResult<T>> PutAsync<T>(string path, object? body, CancellationToken cancellationToken = default) =>
        SendAsync<T>(HttpMethod.Put, path, body, authenticated: true, cancellationToken);

    public Task<ApiResult<T>> DeleteAsync<T>(string path, CancellationToken cancellationToken = default) =>
        SendAsync<T>(HttpMethod.Delete, path, null, authenticated: true, cancellationToken);

    private async Task<ApiResult<T>> SendAsync<T>(HttpMethod method, string path, object? body, bool authenticated, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendOnceAsync(method, path, body, authenticated, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Unauthorized && authenticated && await RefreshAsync(cancellationToken))
            {
                using var retried = await SendOnceAsync(method, path, body, authenticated, cancellationToken);
                return await ReadAsync<T>(retried, cancellationToken);
            }

            return await ReadAsync<T>(response, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            return ApiResult.Failure<T>(0, "api.unreachable", ex.Message, null);
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, string path, object? body, bool authenticated, CancellationToken cancellationToken)
    {
        var client = clients.CreateClient(ClientName);
        client.BaseAddress = self.Get();
        using var request = new HttpRequestMessage(method, path);
        if (authenticated && session.AccessToken is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }

        return await client.SendAsync(request, cancellationToken);
    }

    private async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        if (session.RefreshToken is not { } refresh)
        {
            return false;
        }

        using var response = await SendOnceAsync(HttpMethod.Post, "api/auth/refresh", new { refreshToken = refresh }, authenticated: false, cancellationToken);
        if (!response.IsSuccessStatusCode || await response.Content.ReadFromJsonAsync<LoginResponse>(Json, cancellationToken) is not { } login)
        {
            session.SignOut();
            await store.SaveAsync();
            return false;
        }

        session.SignIn(login.ToTokens());
        await store.SaveAsync();
        return true;
    }

    private static async Task<ApiResult<T>> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            if (response.StatusCode == HttpStatusCode.NoContent || response.Content.Headers.ContentLength == 0)
            {
                return ApiResult.Success<T>(default);
            }

            try
            {
                return ApiResult.Success(await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken));
            }
            catch (JsonException ex)
            {
                // The console and the API disagree on a shape: say so on the page instead of stopping its refresh.
                return ApiResult.Failure<T>((int)response.StatusCode, "console.unreadable_response", ex.Message, null);
            }
        }

        TimeSpan? retryAfter = response.Headers.RetryAfter?.Delta;
        try
        {
            var problem = await response.Content.ReadFromJsonAsync<ProblemBody>(Json, cancellationToken);
            return ApiResult.Failure<T>((int)response.StatusCode, problem?.Code, problem?.Detail ?? problem?.Title ?? response.ReasonPhrase, retryAfter);
        }
        catch (JsonException)
        {
            return ApiResult.Failure<T>((int)response.StatusCode, null, response.ReasonPhrase, retryAfter);
        }
    }

    private sealed record ProblemBody(string? Title, string? Detail, string? Code);

    private sealed record LoginResponse(string AccessToken, string RefreshToken, string User, IReadOnlyList<string> Roles, IReadOnlyList<string> Permissions)
    {
        public ConsoleTokens ToTokens() => new(AccessToken, RefreshToken, User, Roles, Permissions);
    }
}

public static class ApiResult
{
    public static ApiResult<T> Success<T>(T? value) => new(true, value, 200, null, null, null);

    public static ApiResult<T> Failure<T>(int status, string? code, string? message, TimeSpan? retryAfter) =>
        new(false, default, status, code, message, retryAfter);
}

/// <summary>An API answer: the value, or the status and the ProblemDetails code and message.</summary>
public sealed record ApiResult<T>(bool Ok, T? Value, int Status, string? Code, string? Message, TimeSpan? RetryAfter)
{
    public ApiResult<TOther> As<TOther>() => new(Ok, default, Status, Code, Message, RetryAfter);

    /// <summary>One line for a message bar.</summary>
    public string Describe() => Status == 0
        ? $"The API did not answer: {Message}"
        : string.Create(CultureInfo.InvariantCulture, $"{Status} {Code}: {Message}");
}
