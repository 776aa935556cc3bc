using System.Text.Json;
using OrleansAgents.Grains.Skills;

namespace OrleansAgents.Tests.Skills;

public sealed class JsonTransformSkillTests
{
    private const string Data = """
        { "user": { "name": "Ada", "age": 36, "tags": ["a", "b", "c"], "odd key": true },
          "orders": [ { "id": 1, "total": 9.5 }, { "id": 2 }, { "id": 3, "total": 4 } ] }
        """;

    private readonly JsonTransformSkill _skill = new();

    private async Task<string> TransformAsync(string template)
    {
        var input = JsonDocument.Parse($$"""{ "data": {{Data}}, "template": {{template}} }""").RootElement;
        Assert.Empty(_skill.Validate(input));
        return (await _skill.ExecuteAsync(SkillsClusterFixture.Context(input), default)).GetRawText();
    }

    [Theory]
    [InlineData("\"{{ $.user.name }}\"", "\"Ada\"")]
    [InlineData("\"{{$.user.age}}\"", "36")]
    [InlineData("\"{{ $.user }}\"", "{\"name\":\"Ada\",\"age\":36,\"tags\":[\"a\",\"b\",\"c\"],\"odd key\":true}")]
    [InlineData("\"{{ $['user']['odd key'] }}\"", "true")]
    [InlineData("\"{{ $.user.tags[0] }}\"", "\"a\"")]
    [InlineData("\"{{ $.user.tags[-1] }}\"", "\"c\"")]
    [InlineData("\"{{ $.orders[*].id }}\"", "[1,2,3]")]
    [InlineData("\"{{ $.orders[*].total }}\"", "[9.5,4]")]
    [InlineData("\"{{ $ }}\"", Data)]
    [InlineData("{ \"who\": \"{{ $.user.name }}\", \"n\": [\"{{ $.orders[1].id }}\", 7, null] }", "{\"who\":\"Ada\",\"n\":[2,7,null]}")]
    public async Task Placeholder_AloneInAString_IsReplacedByTheValueOfAnyType(string template, string expected)
    {
        var result = await TransformAsync(template);

        Assert.Equal(JsonSerializer.Serialize(JsonDocument.Parse(expected).RootElement), result);
    }

    [Fact]
    public async Task Placeholders_InsideText_AreInterpolatedAsText()
    {
        var result = await TransformAsync("\"{{ $.user.name }} is {{ $.user.age }}, tags {{ $.user.tags }}, none: [{{ $.nothing ? }}]\"");

        Assert.Equal("\"Ada is 36, tags [\\u0022a\\u0022,\\u0022b\\u0022,\\u0022c\\u0022], none: []\"", result);
    }

    [Fact]
    public async Task OptionalPlaceholder_OnAMissingPath_GivesNull()
    {
        Assert.Equal("{\"x\":null}", await TransformAsync("{ \"x\": \"{{ $.user.missing ? }}\" }"));
    }

    [Fact]
    public async Task MissingPath_IsANonTransientPathNotFound()
    {
        var ex = await Assert.ThrowsAsync<SkillException>(() => TransformAsync("{ \"x\": \"{{ $.orders[9].id }}\" }"));

        Assert.Equal("json.path_not_found", ex.Code);
        Assert.False(ex.Transient);
        Assert.Contains("$.orders[9].id", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SmallInput_ThatWouldExpandPastTheBound_FailsWithOutputTooLarge()
    {
        // 1,000 copies of a 2 KB value: 2 MB out of a small template, over the 1 MiB bound.
        var big = new string('x', 2048);
        var template = "[" + string.Join(",", Enumerable.Repeat("\"{{ $.big }}\"", 1000)) + "]";
        var input = JsonDocument.Parse($$"""{ "data": { "big": "{{big}}" }, "template": {{template}} }""").RootElement;

        Assert.Empty(_skill.Validate(input));
        var ex = await Assert.ThrowsAsync<SkillException>(async () => await _skill.ExecuteAsync(SkillsClusterFixture.Context(input), default));

        Assert.Equal("json.output_too_large", ex.Code);
        Assert.False(ex.Transient);
        Assert.Equal(100, JsonDocument.Parse(await TransformAsync("[" + string.Join(",", Enumerable.Repeat("\"{{ $.user.name }}\"", 100)) + "]")).RootElement.GetArrayLength());
    }

    [Fact]
    public void Validate_NamesEveryBadPathAndWhereItIs()
    {
        var input = JsonDocument.Parse("""{ "data": {}, "template": { "a": "{{ user.name }}", "b": ["ok", "x {{ $.a[ }}"], "c": "{{ $.a..b }}" } }""").RootElement;

        var errors = _skill.Validate(input);

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("template.a: invalid path 'user.name'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("template.b[1]: invalid path '$.a['", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("template.c: invalid path '$.a..b'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("[1, 2]")]
    [InlineData("{ \"data\": {} }")]
    [InlineData("{ \"template\": 1, \"extra\": 2 }")]
    public void Validate_RejectsAWrongInputShape(string input)
    {
        Assert.NotEmpty(_skill.Validate(JsonDocument.Parse(input).RootElement));
    }
}
