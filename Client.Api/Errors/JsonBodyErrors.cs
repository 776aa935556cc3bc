using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using ProblemDetails = Microsoft.AspNetCore.Mvc.ProblemDetails;
using Microsoft.Extensions.Options;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Errors;

/// <summary>
/// Says why a JSON request body was refused without reading the serializer's message text, which is
/// no contract. The reader failing (an inner <see cref="JsonException"/>) means malformed JSON; a token
/// the reader could not convert (an inner <see cref="InvalidOperationException"/> or
/// <see cref="FormatException"/>) means a wrong type. Anything else broke one of the serializer's
/// rules (no unknown member, no repeated member, required members present) or had the wrong JSON kind
/// for a collection, object or enum: the kept body is read again with one rule relaxed at a time, and
/// the rule whose relaxing moves the failure away from the reported path is the one the body broke.
/// </summary>
public sealed class JsonBodyErrors(IOptions<JsonOptions> jsonOptions)
{
    private readonly Lazy<RelaxedOptions> _relaxed = new(() => new RelaxedOptions(jsonOptions.Value.SerializerOptions));

    /// <summary>
    /// Keeps the body of endpoints that bind one from JSON readable again (in memory up to the
    /// endpoint's body limit), so a refused body can be classified.
    /// </summary>
    public static Task KeepJsonBodies(HttpContext context, RequestDelegate next)
    {
        var metadata = context.GetEndpoint()?.Metadata;
        if (metadata?.GetMetadata<IAcceptsMetadata>()?.RequestType is not null)
        {
            var limit = metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? Security.SecurityHosting.DefaultMaxBodyBytes;
            context.Request.EnableBuffering((int)Math.Min(limit, int.MaxValue));
        }

        return next(context);
    }

    /// <summary>The 400 for a <see cref="BadHttpRequestException"/> the JSON body binding threw.</summary>
    public async Task<ProblemDetails> ForBadBodyAsync(HttpContext context, BadHttpRequestException bad)
    {
        var body = await ReadKeptBodyAsync(context.Request);
        if (bad.InnerException is not JsonException json)
        {
            return body is { } text && IsAbsent(text)
                ? ProblemResults.Create(400, ErrorCodes.BodyMissing, "A JSON body is required.")
                : ProblemResults.Create(400, ErrorCodes.ValidationFailed, bad.Message);
        }

        // The exception handler has cleared the endpoint by now; its feature keeps the one that threw.
        var endpoint = context.GetEndpoint() ?? context.Features.Get<IExceptionHandlerFeature>()?.Endpoint;
        var type = endpoint?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        return Classify(json, type, body);
    }

    public ProblemDetails Classify(JsonException json, Type? bodyType, ReadOnlyMemory<byte>? body)
    {
        if (json.InnerException is JsonException)
        {
            return NotJson(json);
        }

        if (json.InnerException is InvalidOperationException or FormatException)
        {
            return WrongType(json);
        }

        if (bodyType is not null && body is { } kept)
        {
            var relaxed = _relaxed.Value;
            if (!FailsAtSamePlace(kept, bodyType, relaxed.UnmappedMembers, json))
            {
                return ProblemResults.Create(400, ErrorCodes.UnknownField, $"The body has a field this endpoint does not know: '{json.Path}'.");
            }

            if (!FailsAtSamePlace(kept, bodyType, relaxed.DuplicateMembers, json))
            {
                return NotJson(json);
            }

            if (!FailsAtSamePlace(kept, bodyType, relaxed.OptionalMembers, json))
            {
                return ProblemResults.Create(400, ErrorCodes.ValidationFailed, $"The object at '{json.Path}' lacks a required field.");
            }
        }

        return WrongType(json);
    }

    private static bool FailsAtSamePlace(ReadOnlyMemory<byte> body, Type type, JsonSerializerOptions options, JsonException original)
    {
        try
        {
            JsonSerializer.Deserialize(body.Span, type, options);
            return false;
        }
        catch (JsonException again)
        {
            return again.Path == original.Path && again.LineNumber == original.LineNumber && again.BytePositionInLine == original.BytePositionInLine;
        }
    }

    /// <summary>No body, only whitespace, or the JSON literal null: nothing to bind.</summary>
    private static bool IsAbsent(ReadOnlyMemory<byte> body)
    {
        var trimmed = body.Span.Trim(" \t\r\n"u8);
        return trimmed.IsEmpty || trimmed.SequenceEqual("null"u8);
    }

    private static async Task<ReadOnlyMemory<byte>?> ReadKeptBodyAsync(HttpRequest request)
    {
        if (!request.Body.CanSeek)
        {
            return null;
        }

        request.Body.Position = 0;
        using var copy = new MemoryStream();
        await request.Body.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static ProblemDetails NotJson(JsonException json) => ProblemResults.Create(400, ErrorCodes.BodyNotJson,
        $"The body is not valid JSON (line {json.LineNumber + 1}, byte {json.BytePositionInLine + 1}).");

    private static ProblemDetails WrongType(JsonException json) =>
        ProblemResults.Create(400, ErrorCodes.WrongType, $"The field '{json.Path}' has the wrong JSON type.");

    /// <summary>The API's serializer options with one rule relaxed each; built once, on the first refused body.</summary>
    private sealed class RelaxedOptions(JsonSerializerOptions options)
    {
        public JsonSerializerOptions UnmappedMembers { get; } = new(options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip };

        public JsonSerializerOptions DuplicateMembers { get; } = new(options) { AllowDuplicateProperties = true };

        public JsonSerializerOptions OptionalMembers { get; } = new(options)
        {
            RespectRequiredConstructorParameters = false,
            TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(info =>
            {
                foreach (var property in info.Properties)
                {
                    property.IsRequired = false;
                }
            }),
        };
    }
}
