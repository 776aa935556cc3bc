using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
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

    /// <summary>
    /// Follows one of the API's Server-Sent Event streams after event <paramref name="lastEventId"/>
    /// (sent as Last-Event-ID) until the API ends it. Each item is the SSE event's id, type and data;
    /// a refused stream yields nothing and sets <see cref="StreamFailure"/>.
    /// </summary>
    public async IAsyncEnumerable<(long Id, string Type, JsonElement Data)> StreamAsync(string path, long lastEventId,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StreamFailure = null;
        using var response = await OpenStreamAsync(path, lastEventId, cancellationToken);
        if (response is null)
        {
            yield break;
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var item in SseParser.Create(body).EnumerateAsync(cancellationToken))
        {
            if (long.TryParse(item.EventId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                using var data = JsonDocument.Parse(item.Data);
                yield return (id, item.EventType, data.RootElement.Clone());
            }
        }
    }

    /// <summary>Why the last <see cref="StreamAsync"/> was refused (null when it was not).</summary>
    public ApiResult<JsonElement>? StreamFailure { get; private set; }

    private async Task<HttpResponseMessage?> OpenStreamAsync(string path, long lastEventId, CancellationToken cancellationToken)
    {
        try
        {
            for (var attempt = 0; attempt < 2; attempt++)
            {
                var client = clients.CreateClient(ClientName);
                client.BaseAddress = self.Get();
                // A stream lasts as long as the task or the turns it follows; the caller's token ends it.
                client.Timeout = Timeout.InfiniteTimeSpan;
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.Authorization = session.AccessToken is { } token ? new AuthenticationHeaderValue("Bearer", token) : null;
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
                if (lastEventId > 0)
                {
                    request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId.ToString(CultureInfo.InvariantCulture));
                }

                var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return response;
                }

                using (response)
                {
                    if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0 && await RefreshAsync(cancellationToken))
                    {
                        continue;
                    }

                    StreamFailure = await ReadAsync<JsonElement>(response, cancellationToken);
                    return null;
                }
            }
        }
        catch (HttpRequestException ex)
        {
            StreamFailure = ApiResult.Failure<JsonElement>(0, "api.unreachable", ex.Message, null);
        }

        return null;
    }

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
