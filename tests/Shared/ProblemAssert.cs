using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace OrleansAgents.Tests;

/// <summary>
/// The one check that a response is this API's RFC 9457 problem: the status, the
/// <c>application/problem+json</c> media type, the stable <c>code</c>, a matching <c>status</c> member
/// and the <c>recoverable</c> flag. Returns the body for further assertions.
/// </summary>
public static class ProblemAssert
{
    public static async Task<JsonObject> IsAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonSerializer.Deserialize<JsonObject>(text)!;
        Assert.Equal(code, (string?)problem["code"]);
        Assert.Equal((int)status, (int)problem["status"]!);
        Assert.NotNull(problem["recoverable"]);
        return problem;
    }
}
