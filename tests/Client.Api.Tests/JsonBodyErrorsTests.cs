using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansAgents.Api.Errors;

namespace OrleansAgents.Tests;

/// <summary>
/// A refused JSON body gets its code from what went wrong (the reader, a conversion, or the rule
/// the body broke), never from the serializer's message text.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class JsonBodyErrorsTests(ApiFactory factory)
{
    private readonly HttpClient _http = factory.CreateClient();

    private Task<HttpResponseMessage> PostAgentAsync(string body) =>
        _http.PostAsync("/api/agents", new StringContent(body, Encoding.UTF8, "application/json"));

    [Theory]
    // Repeated members are refused as ambiguous JSON whatever the member's type.
    [InlineData("""{"id":"x1","name":"n","capabilities":[],"capabilities":["a"]}""", "request.body_not_json")]
    [InlineData("""{"id":"x1","name":"n","ID":"x2"}""", "request.body_not_json")]
    [InlineData("""{"id":"x1","name":"n","metadata":{"k":"a","k":"b"}}""", "request.body_not_json")]
    [InlineData("""{"id":"x1","name":"n","model":{"provider":"p","provider":"q"}}""", "request.body_not_json")]
    // Wrong types inside nested objects and arrays.
    [InlineData("""{"id":"x1","name":"n","model":{"provider":"p","temperature":"hot"}}""", "request.wrong_type")]
    [InlineData("""{"id":"x1","name":"n","model":"scripted"}""", "request.wrong_type")]
    [InlineData("""{"id":"x1","name":"n","capabilities":[1]}""", "request.wrong_type")]
    [InlineData("""{"id":"x1","name":"n","maxConcurrentTasks":1.5}""", "request.wrong_type")]
    // An unknown member of a nested object.
    [InlineData("""{"id":"x1","name":"n","model":{"provider":"p","colour":1}}""", "request.unknown_field")]
    // Unknown member first, then broken JSON: the first failure decides.
    [InlineData("""{"id":"x1","colour":1,"name":""", "request.unknown_field")]
    [InlineData("""{"id":"x1","name":"n","maxConcurrentTasks":"ten","id":"x2"}""", "request.wrong_type")]
    public async Task RefusedBodies_GetTheCodeOfWhatWentWrong(string body, string code)
    {
        await ProblemAssert.IsAsync(await PostAgentAsync(body), HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task Details_NameTheNestedPath_AndTheLineOfMalformedJson()
    {
        var wrong = await ProblemAssert.IsAsync(await PostAgentAsync("""{"id":"x1","name":"n","model":{"temperature":"hot"}}"""), HttpStatusCode.BadRequest, "request.wrong_type");
        Assert.Contains("'$.model.temperature'", (string?)wrong["detail"], StringComparison.Ordinal);

        var unknown = await ProblemAssert.IsAsync(await PostAgentAsync("""{"id":"x1","name":"n","model":{"colour":1}}"""), HttpStatusCode.BadRequest, "request.unknown_field");
        Assert.Contains("'$.model.colour'", (string?)unknown["detail"], StringComparison.Ordinal);

        var malformed = await ProblemAssert.IsAsync(await PostAgentAsync("{\n  \"id\": \"x1\",\n  \"name\" \"n\"\n}"), HttpStatusCode.BadRequest, "request.body_not_json");
        Assert.Contains("line 3", (string?)malformed["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RepeatedMemberInsideAFreeFormValue_IsNotJson()
    {
        var id = "jbe-" + Guid.NewGuid().ToString("N")[..12];
        Assert.Equal(HttpStatusCode.Created, (await PostAgentAsync($$"""{"id":"{{id}}","name":"n"}""")).StatusCode);

        var response = await _http.PutAsync($"/api/agents/{id}/memory/k", new StringContent("""{"value":{"a":1,"a":2}}""", Encoding.UTF8, "application/json"));

        await ProblemAssert.IsAsync(response, HttpStatusCode.BadRequest, "request.body_not_json");
    }

    // No request contract declares required members today; the classification is checked on one
    // that does, with the API's own serializer options.
    private sealed record Sized(string? Name)
    {
        public required int Size { get; init; }
    }

    [Theory]
    [InlineData("""{"name":"a"}""", "request.invalid")]
    [InlineData("""{"name":"a","size":"big"}""", "request.wrong_type")]
    [InlineData("""{"size":1,"size":2}""", "request.body_not_json")]
    [InlineData("""{"size":1,"extra":2}""", "request.unknown_field")]
    [InlineData("""{"size":1,""", "request.body_not_json")]
    public void Classify_TellsTheBrokenRuleApart(string text, string code)
    {
        var options = factory.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var body = Encoding.UTF8.GetBytes(text);
        var refused = Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<Sized>(body, options));

        var problem = factory.Services.GetRequiredService<JsonBodyErrors>().Classify(refused, typeof(Sized), body);

        Assert.Equal(code, problem.Extensions["code"]);
        Assert.Equal(400, problem.Status);
    }
}
