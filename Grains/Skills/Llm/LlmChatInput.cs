using System.Text.Json;
using Microsoft.Extensions.AI;

namespace OrleansAgents.Grains.Skills.Llm;

/// <summary>The input of llm.chat, checked against the configured providers.</summary>
public sealed record class LlmChatInput(string Provider, string Model, IReadOnlyList<ChatMessage> Messages, float? Temperature, int? MaxTokens)
{
    public const int MaxOutputTokens = 1_000_000;

    private static readonly HashSet<string> Fields = ["provider", "model", "system", "messages", "prompt", "temperature", "maxTokens"];

    public static (LlmChatInput? Input, List<string> Errors) Parse(JsonElement input, LlmOptions options)
    {
        if (input.ValueKind != JsonValueKind.Object)
        {
            return (null, ["input must be an object { provider?, model?, system?, messages | prompt, temperature?, maxTokens? }."]);
        }

        var errors = input.EnumerateObject().Where(p => !Fields.Contains(p.Name)).Select(p => $"unknown field '{p.Name}'.").ToList();
        var provider = OptionalString(input, "provider", errors);
        var resolved = options.Resolve(provider);
        if (resolved is null)
        {
            errors.Add($"no provider given and {LlmOptions.Section}:DefaultProvider is not set.");
        }
        else if (!options.Providers.ContainsKey(resolved))
        {
            errors.Add($"provider '{resolved}' is not configured (known: {string.Join(", ", options.Providers.Keys)}).");
        }

        var model = OptionalString(input, "model", errors);
        var messages = new List<ChatMessage>();
        if (OptionalString(input, "system", errors) is { } system)
        {
            messages.Add(new ChatMessage(ChatRole.System, system));
        }

        var hasMessages = input.TryGetProperty("messages", out var list);
        var prompt = OptionalString(input, "prompt", errors);
        if (hasMessages == (prompt is not null))
        {
            errors.Add("give exactly one of messages and prompt.");
        }
        else if (prompt is not null)
        {
            messages.Add(new ChatMessage(ChatRole.User, prompt));
        }
        else if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            errors.Add("messages must be a non-empty array of { role, content }.");
        }
        else
        {
            var i = 0;
            foreach (var message in list.EnumerateArray())
            {
                var role = message.ValueKind == JsonValueKind.Object && message.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
                var content = message.ValueKind == JsonValueKind.Object && message.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                if (role is not ("system" or "user" or "assistant") || content is null)
                {
                    errors.Add($"messages[{i}] needs role (system, user or assistant) and a string content.");
                }
                else
                {
                    messages.Add(new ChatMessage(new ChatRole(role), content));
                }

                i++;
            }
        }

        float? temperature = null;
        if (input.TryGetProperty("temperature", out var t))
        {
            if (t.ValueKind != JsonValueKind.Number || t.GetDouble() is < 0 or > 2)
            {
                errors.Add("temperature must be a number between 0 and 2.");
            }
            else
            {
                temperature = (float)t.GetDouble();
            }
        }

        int? maxTokens = null;
        if (input.TryGetProperty("maxTokens", out var m))
        {
            if (m.ValueKind != JsonValueKind.Number || !m.TryGetInt32(out var max) || max is < 1 or > MaxOutputTokens)
            {
                errors.Add($"maxTokens must be an integer between 1 and {MaxOutputTokens}.");
            }
            else
            {
                maxTokens = max;
            }
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new LlmChatInput(resolved!, model ?? options.Providers[resolved!].Model, messages, temperature, maxTokens), errors);
    }

    private static string? OptionalString(JsonElement input, string name, List<string> errors)
    {
        if (!input.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } text)
        {
            errors.Add($"{name} must be a non-empty string.");
            return null;
        }

        return text;
    }
}
