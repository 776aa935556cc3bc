using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace OrleansAgents.Grains.Skills.Http;

/// <summary>
/// Calls an allow-listed URL (<c>Skills:Http:AllowedUrls</c>) through the cluster breaker
/// <c>http:{host}</c>. Transient: network errors, timeouts, 408, 429 and 5xx (Retry-After is kept);
/// other 4xx and oversized responses are not. Redirects are returned, never followed, so a target
/// cannot bounce the call outside the allow-list. Request headers are neither logged nor returned.
/// </summary>
public sealed class HttpRequestSkill(
    IHttpClientFactory httpClients,
    IOptions<HttpSkillOptions> options,
    GuardedCalls guarded,
    SkillMetrics metrics,
    TimeProvider time) : ISkill
{
    public const string SkillName = "http.request";
    public const string ClientName = "skills.http";

    /// <summary>Response headers worth returning; everything else (cookies included) is dropped.</summary>
    private static readonly string[] SafeHeaders =
        ["Content-Type", "Content-Length", "Content-Language", "ETag", "Last-Modified", "Location", "Cache-Control", "Retry-After", "Date"];

    public string Name => SkillName;

    public string Description => "Calls an allow-listed HTTP(S) URL and returns its status, a few safe headers and the body (JSON when the response is JSON).";

    public JsonObject InputSchema { get; } = SkillSchema.ObjectOf(
        ("method", SkillSchema.Of("string", "GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS."), true),
        ("url", SkillSchema.Of("string", "Absolute http(s) URL under one of Skills:Http:AllowedUrls."), true),
        ("headers", SkillSchema.Of("object", "Request headers (string values); never logged or returned."), false),
        ("body", new JsonObject { ["description"] = "A string is sent as text/plain, anything else as application/json (a Content-Type header overrides)." }, false),
        ("timeoutSeconds", SkillSchema.Of("number", "Per-attempt timeout; default and maximum from Skills:Http."), false));

    public IReadOnlyList<string> Validate(JsonElement input) => HttpRequestInput.Parse(input, options.Value).Errors;

    public async ValueTask<JsonElement> ExecuteAsync(SkillContext context, CancellationToken cancellationToken)
    {
        var (request, errors) = HttpRequestInput.Parse(context.Input, options.Value);
        if (request is null)
        {
            throw new SkillException("http.invalid_input", string.Join(" ", errors), transient: false);
        }

        var host = request.HostLabel;
        try
        {
            var result = await guarded.RunAsync("http:" + host, "http", ct => SendAsync(request, ct), cancellationToken);
            metrics.HttpRequest(host, "success");
            return result;
        }
        catch (SkillException ex)
        {
            metrics.HttpRequest(host, Outcome(ex.Code));
            throw;
        }
    }

    private static string Outcome(string code) => code switch
    {
        "http.status_429" => "throttled",
        _ when code.StartsWith("http.status_5", StringComparison.Ordinal) => "server_error",
        _ when code.StartsWith("http.status_", StringComparison.Ordinal) => "client_error",
        _ => code["http.".Length..],
    };

    private async ValueTask<JsonElement> SendAsync(HttpRequestInput request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(request.Timeout); // real time: the network does not follow a test clock
        using var message = BuildMessage(request);
        try
        {
            using var response = await httpClients.CreateClient(ClientName)
                .SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            ThrowOnFailure(request, response);
            var body = await ReadBodyAsync(request, response, timeout.Token);
            return JsonSerializer.SerializeToElement(new JsonObject
            {
                ["status"] = (int)response.StatusCode,
                ["headers"] = Headers(response),
                ["body"] = body,
            });
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SkillException("http.timeout", $"{request.HostLabel} did not answer within {request.Timeout.TotalSeconds:0.###} s.", transient: true, inner: ex);
        }
        catch (HttpRequestException ex) when (ex.InnerException is AddressRefusedException refused)
        {
            throw new SkillException("http.address_refused", refused.Message, transient: false, inner: ex);
        }
        catch (HttpRequestException ex)
        {
            throw new SkillException("http.network_error", $"{request.HostLabel} could not be reached ({ex.HttpRequestError}).", transient: true, inner: ex);
        }
    }

    private static HttpRequestMessage BuildMessage(HttpRequestInput request)
    {
        var message = new HttpRequestMessage(request.Method, request.Url);
        if (request.Body is { } body)
        {
            message.Content = body.ValueKind == JsonValueKind.String
                ? new StringContent(body.GetString()!, Encoding.UTF8, "text/plain")
                : new StringContent(body.GetRawText(), Encoding.UTF8, "application/json");
        }

        foreach (var (name, value) in request.Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value) && message.Content is { } content)
            {
                // A content header (Content-Type, Content-Encoding...): replaces what the body implied.
                content.Headers.Remove(name);
                content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return message;
    }

    private void ThrowOnFailure(HttpRequestInput request, HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (status < 400)
        {
            return;
        }

        var transient = status is 408 or 429 or >= 500;
        var retryAfter = transient ? GuardedCalls.RetryAfter(response.Headers.RetryAfter, time.GetUtcNow()) : null;
        throw new SkillException($"http.status_{status}", $"{request.HostLabel} answered {status} {response.ReasonPhrase}.", transient, retryAfter);
    }

    private async Task<JsonNode?> ReadBodyAsync(HttpRequestInput request, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var max = options.Value.MaxResponseBytes;
        if (response.Content.Headers.ContentLength > max)
        {
            throw TooLarge(request, max);
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > max)
            {
                throw TooLarge(request, max);
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return null;
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
        if (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return JsonNode.Parse(buffer.ToArray());
            }
            catch (JsonException)
            {
                // Labelled JSON but is not: hand it back as text rather than failing the call.
            }
        }

        var encoding = Encoding.UTF8;
        if (response.Content.Headers.ContentType?.CharSet is { Length: > 0 } charset)
        {
            try
            {
                encoding = Encoding.GetEncoding(charset.Trim('"'));
            }
            catch (ArgumentException)
            {
                // Unknown charset: UTF-8 is the best guess.
            }
        }

        return JsonValue.Create(encoding.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    private static SkillException TooLarge(HttpRequestInput request, long max) =>
        new("http.response_too_large", $"{request.HostLabel} answered with more than {max} bytes ({HttpSkillOptions.Section}:MaxResponseBytes).", transient: false);

    private static JsonObject Headers(HttpResponseMessage response)
    {
        var headers = new JsonObject();
        foreach (var name in SafeHeaders)
        {
            if (response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values))
            {
                headers[name.ToLowerInvariant()] = string.Join(", ", values);
            }
        }

        return headers;
    }
}
