using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Api.Security;

namespace OrleansAgents.Tests;

/// <summary>
/// Nothing a client sends may produce a 500: every /api endpoint, called as the admin with
/// malformed ids in the route, junk query strings and hostile bodies, answers with a 2xx/4xx
/// (never 5xx). The endpoint list comes from the running API, so a new endpoint is covered the
/// day it is mapped.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed partial class HostileInputTests(ApiFactory factory)
{
    private static readonly string[] RouteValues =
    [
        "x", "UPPER_case", "r_aaaaaaaaaaaaaaaaaaaaaaaaaa", "t_aaaaaaaaaaaaaaaaaaaaaaaaaa", "%ff%fe", "%F0%9F%92%A9", new string('a', 300), "..%2F..%2Fetc",
    ];

    private static readonly string[] Bodies =
    [
        "", "not json", "[]", "null", "\"text\"", "12", "{\"a\":1e999}", new string('[', 2000) + new string(']', 2000),
        """{"id":5,"name":[],"goal":{},"steps":"x","input":"{{ input.x }}","mode":7,"capability":{},"skill":[1],"agentId":false,"dependsOn":"a","condition":5,"function":1,"dimensions":"many","agents":-1,"quorum":1e308,"aggregation":"","outcome":3,"weight":"heavy","value":{},"tags":"t","ttlSeconds":-5,"priority":"urgent","timeoutSeconds":"soon","maxAttempts":1e12,"tier":[],"roles":"admin","password":null,"reason":7}""",
        """{"steps":[{"id":"a","capability":"x","skill":"echo","dependsOn":["a"],"input":{"q":"{{ steps.a.output"}}],"mode":"production","input":{"x":[[[[[]]]]]},"bounds":[[1,0]],"swarmSize":0,"iterations":-1}""",
    ];

    private static readonly string[] Queries =
    [
        "?limit=-1&cursor=%%%&status=zzz&q=&version=abc&from=yesterday&to=&capability=..&state=",
        "?limit=99999999999999999999&cursor=" + "ZZZZ", "?q=" + "%22unterminated%20-%20or%20%26%26", "?createdBy=" + new string('x', 500),
    ];

    [Fact]
    public async Task EveryEndpoint_AnswersHostileInputWithout5xx()
    {
        var http = factory.CreateClient();
        var failures = new List<string>();
        var sent = 0;
        var refused = 0;
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true
                && e.Metadata.GetMetadata<RequiredPermissionAttribute>() is not null
                && !e.RoutePattern.RawText.StartsWith("/api/auth", StringComparison.Ordinal)) // logout would revoke the shared admin token
            .ToList();
        Assert.True(endpoints.Count > 50, "the endpoint list looks incomplete");

        foreach (var endpoint in endpoints)
        {
            var method = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods[0];
            var template = endpoint.RoutePattern.RawText!;
            var hasParameters = endpoint.RoutePattern.Parameters.Count > 0;
            foreach (var value in hasParameters ? RouteValues : RouteValues[..1])
            {
                var path = RouteParameter().Replace(template, value);
                foreach (var query in method == "GET" ? Queries : [""])
                {
                    foreach (var body in method is "POST" or "PUT" ? Bodies.Select(b => (string?)b) : [null])
                    {
                        using var request = new HttpRequestMessage(new HttpMethod(method), path + query);
                        if (body is not null)
                        {
                            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                        }

                        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                        sent++;
                        refused += (int)response.StatusCode is >= 400 and < 500 ? 1 : 0;
                        if ((int)response.StatusCode >= 500)
                        {
                            var text = await response.Content.ReadAsStringAsync();
                            failures.Add($"{method} {path}{query} body {Describe(body)}: {(int)response.StatusCode} {text[..Math.Min(300, text.Length)]}");
                        }
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(40)));
        Assert.True(sent > 2000 && refused > sent / 2, $"{sent} requests, {refused} refused with 4xx: the hostile inputs did not reach the endpoints");
    }

    private static string Describe(string? body) => body is null ? "(none)" : body.Length > 60 ? body[..60] + "…" : body;

    [GeneratedRegex(@"\{\*{0,2}\w+(:[^}]*)?\}")]
    private static partial Regex RouteParameter();
}
