using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansAgents.Tests;

/// <summary>
/// A scripted OpenAI-compatible chat endpoint on 127.0.0.1 (real Kestrel, free port) for hosted-agent
/// tests; the real OpenAI client behind the real ChatClientAgent talks to it. The model name picks
/// the scenario: <c>plain</c> (one reply), <c>stream</c> (four deltas, 30 ms apart), <c>tools</c>
/// (two echo tool calls, then a reply quoting their results), <c>slow</c> (a reply after 1.5 s),
/// <c>hang</c> (no answer for 60 s), <c>fail-429</c> (429 with Retry-After), <c>call:{function}</c> (one
/// call of that function with <c>{"a":2,"b":3}</c>, then a reply quoting its result), <c>delegate</c> (calls the first
/// offered <c>ask_*</c> tool, then a reply quoting its result; a plain reply when none is offered), <c>effects</c>
/// (two <c>test_effect</c> calls, n = 1 and 2, then a reply quoting their results: for crash tests), <c>plan-repair</c> and
/// <c>plan-never</c> (the workflow planner, see <see cref="PlanAsync"/>). Every model call answers with usage
/// <see cref="PromptTokens"/> + <see cref="CompletionTokens"/>, streamed (<c>stream: true</c>: SSE
/// chunks, a usage chunk, <c>data: [DONE]</c>) or not, as the request asks.
/// </summary>
public sealed class ScriptedLlmServer : IAsyncDisposable
{
    public const int PromptTokens = 10;
    public const int CompletionTokens = 5;
    public static readonly string[] StreamDeltas = ["The ", "answer ", "is ", "42."];

    /// <summary>The capability the planner scenarios' drafts route to (a test registers an agent offering it).</summary>
    public const string PlanCapability = "plan-target";

    /// <summary>A draft that runs: echo the input topic on <see cref="PlanCapability"/>.</summary>
    public const string ValidPlan = """
        {"name":"Echo a topic","goal":"Say the topic back","inputSchema":{"type":"object","properties":{"topic":{"type":"string"}},"required":["topic"]},
         "steps":[{"id":"say","capability":"plan-target","skill":"echo","input":{"text":"{{ input.topic }}"}}],
         "output":{"said":"{{ steps.say.output.text }}"}}
        """;

    /// <summary>The same with a misspelt skill: validation answers workflow.unknown_skill.</summary>
    public static readonly string InvalidPlan = ValidPlan.Replace("\"skill\":\"echo\"", "\"skill\":\"echoo\"", StringComparison.Ordinal);

    private readonly WebApplication _app;

    private ScriptedLlmServer(WebApplication app) => _app = app;

    /// <summary>Every request body received, in order.</summary>
    public ConcurrentQueue<JsonObject> Requests { get; } = new();

    /// <summary>The provider endpoint to configure (up to and including /v1).</summary>
    public string Endpoint { get; private set; } = "";

    public static async Task<ScriptedLlmServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new ScriptedLlmServer(app);
        app.MapPost("/v1/chat/completions", server.ChatAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Endpoint = address.TrimEnd('/') + "/v1";
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task ChatAsync(HttpContext context)
    {
        var request = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        Requests.Enqueue(request);
        var model = (string?)request["model"] ?? "plain";
        var stream = (bool?)request["stream"] == true;
        var messages = request["messages"]!.AsArray();
        var toolResults = messages.Where(m => (string?)m!["role"] == "tool").Select(m => Content(m!["content"])).ToList();

        switch (model)
        {
            case "fail-429":
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = "1";
                await context.Response.WriteAsJsonAsync(new { error = new { message = "Rate limit reached (scripted).", type = "rate_limit" } });
                return;
            case "tools" when toolResults.Count == 0:
                await AnswerAsync(context, model, stream, text: null,
                [
                    ("call_1", "echo", """{"text":"one"}"""),
                    ("call_2", "echo", """{"text":"two"}"""),
                ]);
                return;
            case "tools":
                await AnswerAsync(context, model, stream, "Tools said: " + string.Join(" | ", toolResults), []);
                return;
            case var scenario when scenario.StartsWith("call:", StringComparison.Ordinal) && toolResults.Count == 0:
                await AnswerAsync(context, model, stream, text: null, [("call_1", model["call:".Length..], """{"a":2,"b":3}""")]);
                return;
            case var scenario when scenario.StartsWith("call:", StringComparison.Ordinal):
                await AnswerAsync(context, model, stream, "Tools said: " + string.Join(" | ", toolResults), []);
                return;
            case "delegate" when toolResults.Count == 0 && AskTool(request) is { } ask:
                await AnswerAsync(context, model, stream, text: null, [("call_ask", ask, """{"question":"What do you say?"}""")]);
                return;
            case "delegate":
                await AnswerAsync(context, model, stream, "Delegate said: " + string.Join(" | ", toolResults), []);
                return;
            case "effects" when toolResults.Count == 0:
                await AnswerAsync(context, model, stream, text: null,
                [
                    ("call_1", "test_effect", """{"n":1}"""),
                    ("call_2", "test_effect", """{"n":2}"""),
                ]);
                return;
            case "effects":
                await AnswerAsync(context, model, stream, "Effects: " + string.Join(" | ", toolResults), []);
                return;
            case "plan-repair" or "plan-never":
                await PlanAsync(context, model, stream, toolResults);
                return;
            case "hang":
                await Task.Delay(TimeSpan.FromSeconds(60), context.RequestAborted);
                return;
            case "slow":
                await Task.Delay(1500, context.RequestAborted);
                await AnswerAsync(context, model, stream, "slow done", []);
                return;
            case "stream":
                await AnswerAsync(context, model, stream, string.Concat(StreamDeltas), [], StreamDeltas);
                return;
            default:
                await AnswerAsync(context, model, stream, "Hello from the scripted model.", []);
                return;
        }
    }

    /// <summary>
    /// The workflow planner's scenarios. <c>plan-repair</c>: reads the catalogue (list_skills and
    /// list_capabilities), validates <see cref="InvalidPlan"/>, then <see cref="ValidPlan"/>, then answers
    /// "done". <c>plan-never</c>: validates <see cref="InvalidPlan"/> until the tool says no round is left.
    /// </summary>
    private static Task PlanAsync(HttpContext context, string model, bool stream, List<string> toolResults)
    {
        (string, string, string) Validate(string plan) => ("call_v" + toolResults.Count, "validate_workflow", new JsonObject { ["definition"] = JsonNode.Parse(plan) }.ToJsonString());
        if (model == "plan-never")
        {
            return toolResults.Count > 0 && toolResults[^1].Contains("rounds_exhausted", StringComparison.Ordinal)
                ? AnswerAsync(context, model, stream, "I could not make it valid.", [])
                : AnswerAsync(context, model, stream, text: null, [Validate(InvalidPlan)]);
        }

        return toolResults.Count switch
        {
            0 => AnswerAsync(context, model, stream, text: null, [("call_skills", "list_skills", "{}"), ("call_caps", "list_capabilities", "{}")]),
            2 => AnswerAsync(context, model, stream, text: null, [Validate(InvalidPlan)]),
            3 => AnswerAsync(context, model, stream, text: null, [Validate(ValidPlan)]),
            _ => AnswerAsync(context, model, stream, "done", []),
        };
    }

    private static string? AskTool(JsonObject request) =>
        request["tools"]?.AsArray().Select(t => (string?)t?["function"]?["name"]).FirstOrDefault(n => n?.StartsWith("ask_", StringComparison.Ordinal) == true);

    private static string Content(JsonNode? content) => content switch
    {
        JsonValue v => (string?)v ?? "",
        JsonArray parts => string.Concat(parts.Select(p => (string?)p?["text"] ?? "")),
        _ => "",
    };

    private static async Task AnswerAsync(HttpContext context, string model, bool stream, string? text,
        (string Id, string Name, string Arguments)[] calls, string[]? deltas = null)
    {
        var usage = new JsonObject { ["prompt_tokens"] = PromptTokens, ["completion_tokens"] = CompletionTokens, ["total_tokens"] = PromptTokens + CompletionTokens };
        var finish = calls.Length > 0 ? "tool_calls" : "stop";
        if (!stream)
        {
            var message = new JsonObject { ["role"] = "assistant", ["content"] = text };
            if (calls.Length > 0)
            {
                message["tool_calls"] = new JsonArray([.. calls.Select(c => (JsonNode)ToolCall(c, index: null))]);
            }

            await context.Response.WriteAsJsonAsync(new JsonObject
            {
                ["id"] = "chatcmpl-scripted", ["object"] = "chat.completion", ["created"] = 1_700_000_000, ["model"] = model,
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["finish_reason"] = finish, ["message"] = message }),
                ["usage"] = usage,
            });
            return;
        }

        context.Response.ContentType = "text/event-stream";
        var chunks = new List<JsonObject>();
        foreach (var delta in deltas ?? (text is null ? [] : [text]))
        {
            chunks.Add(Choice(new JsonObject { ["role"] = "assistant", ["content"] = delta }, null));
        }

        for (var i = 0; i < calls.Length; i++)
        {
            chunks.Add(Choice(new JsonObject { ["role"] = "assistant", ["tool_calls"] = new JsonArray(ToolCall(calls[i], i)) }, null));
        }

        chunks.Add(Choice(new JsonObject(), finish));
        chunks.Add(new JsonObject { ["choices"] = new JsonArray(), ["usage"] = usage });
        foreach (var chunk in chunks)
        {
            chunk["id"] = "chatcmpl-scripted";
            chunk["object"] = "chat.completion.chunk";
            chunk["created"] = 1_700_000_000;
            chunk["model"] = model;
            await context.Response.WriteAsync("data: " + chunk.ToJsonString() + "\n\n", Encoding.UTF8);
            await context.Response.Body.FlushAsync();
            if (deltas is not null)
            {
                await Task.Delay(30);
            }
        }

        await context.Response.WriteAsync("data: [DONE]\n\n", Encoding.UTF8);
    }

    private static JsonObject Choice(JsonObject delta, string? finish) => new()
    {
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
    };

    private static JsonObject ToolCall((string Id, string Name, string Arguments) call, int? index)
    {
        var node = new JsonObject
        {
            ["id"] = call.Id,
            ["type"] = "function",
            ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.Arguments },
        };
        if (index is not null)
        {
            node["index"] = index;
        }

        return node;
    }
}
