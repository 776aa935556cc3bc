using OrleansAgents.Grains.Workflows.Definitions;

namespace OrleansAgents.Tests.Workflows;

public sealed class WorkflowInputSchemaTests
{
    private const string Schema = """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "title": "Search", "description": "what to look for",
          "type": "object",
          "properties": {
            "q": { "type": "string", "minLength": 2, "maxLength": 5 },
            "count": { "type": "integer", "minimum": 1, "maximum": 10, "default": 3 },
            "mode": { "enum": ["fast", "full"] },
            "tags": { "type": "array", "items": { "type": "string" }, "minItems": 1, "maxItems": 2 },
            "note": { "type": ["string", "null"] },
            "flag": { "type": "boolean" }
          },
          "required": ["q", "count"],
          "additionalProperties": false
        }
        """;

    private static IReadOnlyList<(string Path, string Message)> Validate(string input) =>
        [.. WorkflowInputSchema.Validate(Schema, input).Select(i =>
        {
            Assert.Equal("workflow.input_invalid", i.Code);
            return (i.Path, i.Message);
        })];

    [Fact]
    public void CheckSchema_SupportedSubset_HasNoIssues() => Assert.Empty(WorkflowInputSchema.CheckSchema(Schema));

    [Theory]
    [InlineData("{}")]
    [InlineData("{ \"q\": \"cat\", \"count\": 2, \"mode\": \"full\", \"tags\": [\"a\"], \"note\": null, \"flag\": true }")]
    [InlineData("{ \"q\": \"cat\", \"count\": 2.0 }")]
    [InlineData("{ \"q\": \"日本語\", \"count\": 10 }")]
    public void Validate_ValidInput_HasNoIssues(string input)
    {
        var schema = input == "{}" ? "{}" : Schema;
        Assert.Empty(WorkflowInputSchema.Validate(schema, input));
    }

    [Theory]
    [InlineData("{ \"count\": 1 }", "input.q", "input.q is required")]
    [InlineData("{ \"q\": 5, \"count\": 1 }", "input.q", "input.q must be a string")]
    [InlineData("{ \"q\": \"a\", \"count\": 1 }", "input.q", "input.q must be at least 2 characters long")]
    [InlineData("{ \"q\": \"abcdef\", \"count\": 1 }", "input.q", "input.q must be at most 5 characters long")]
    [InlineData("{ \"q\": \"ab\", \"count\": 1.5 }", "input.count", "input.count must be an integer")]
    [InlineData("{ \"q\": \"ab\", \"count\": 0 }", "input.count", "input.count must be at least 1")]
    [InlineData("{ \"q\": \"ab\", \"count\": 11 }", "input.count", "input.count must be at most 10")]
    [InlineData("{ \"q\": \"ab\", \"count\": 1, \"mode\": \"slow\" }", "input.mode", "input.mode must be one of \"fast\", \"full\"")]
    [InlineData("{ \"q\": \"ab\", \"count\": 1, \"tags\": [] }", "input.tags", "input.tags must have at least 1 items")]
    [InlineData("{ \"q\": \"ab\", \"count\": 1, \"tags\": [\"a\", \"b\", \"c\"] }", "input.tags", "input.tags must have at most 2 items")]
    [InlineData("{ \"q\": \"ab\", \"count\": 1, \"tags\": [\"a\", 2] }", "input.tags[1]", "input.tags[1] must be a string")]
    [InlineData("{ \"q\": \"ab\", \"count\": 1, \"note\": 1 }", "input.note", "input.note must be a string or null")]
    [InlineData("{ \"q\": \"ab\", \"count\": 1, \"extra\": 1 }", "input.extra", "input.extra is not allowed (not in the schema's properties)")]
    [InlineData("{ \"q\": \"ab\", \"count\": 1, \"odd key\": 1 }", "input['odd key']", "input['odd key'] is not allowed (not in the schema's properties)")]
    [InlineData("[1]", "input", "input must be an object")]
    [InlineData("{ \"q\": \"ab\", \"count\": 1e999 }", "input.count", "input.count must be an integer")]
    [InlineData("{ \"q\": ", "input", null)]
    public void Validate_InvalidInput_SaysPreciselyWhat(string input, string path, string? message)
    {
        var issue = Assert.Single(Validate(input));

        Assert.Equal(path, issue.Path);
        if (message is not null)
        {
            Assert.Equal(message, issue.Message);
        }
    }

    [Fact]
    public void Validate_ReportsEveryProblemOnce() =>
        Assert.Equal(["input.count", "input.q"], Validate("""{ "q": 1 }""").Select(i => i.Path).Order(StringComparer.Ordinal));

    [Theory]
    [InlineData("{ \"type\": \"string\", \"pattern\": \"^a\" }", "inputSchema.pattern", "workflow.schema_unsupported")]
    [InlineData("{ \"properties\": { \"q\": { \"oneOf\": [] } } }", "inputSchema.properties.q.oneOf", "workflow.schema_unsupported")]
    [InlineData("{ \"additionalProperties\": { \"type\": \"string\" } }", "inputSchema.additionalProperties", "workflow.schema_unsupported")]
    [InlineData("{ \"items\": [ { \"type\": \"string\" } ] }", "inputSchema.items", "workflow.schema_unsupported")]
    [InlineData("{ \"properties\": { \"q\": { \"type\": \"text\" } } }", "inputSchema.properties.q.type", "workflow.schema_invalid")]
    [InlineData("{ \"type\": [\"string\", \"string\"] }", "inputSchema.type", "workflow.schema_invalid")]
    [InlineData("{ \"type\": [] }", "inputSchema.type", "workflow.schema_invalid")]
    [InlineData("{ \"required\": [\"a\", 1] }", "inputSchema.required", "workflow.schema_invalid")]
    [InlineData("{ \"enum\": [] }", "inputSchema.enum", "workflow.schema_invalid")]
    [InlineData("{ \"minLength\": -1 }", "inputSchema.minLength", "workflow.schema_invalid")]
    [InlineData("{ \"maxItems\": 1.5 }", "inputSchema.maxItems", "workflow.schema_invalid")]
    [InlineData("{ \"minimum\": \"1\" }", "inputSchema.minimum", "workflow.schema_invalid")]
    [InlineData("{ \"properties\": [] }", "inputSchema.properties", "workflow.schema_invalid")]
    [InlineData("{ \"items\": 1 }", "inputSchema.items", "workflow.schema_invalid")]
    [InlineData("[]", "inputSchema", "workflow.schema_invalid")]
    [InlineData("{ ", "inputSchema", "workflow.schema_invalid")]
    public void CheckSchema_UnsupportedOrMalformed_IsReported(string schema, string path, string code)
    {
        var issue = Assert.Single(WorkflowInputSchema.CheckSchema(schema));

        Assert.Equal(path, issue.Path);
        Assert.Equal(code, issue.Code);
    }

    [Fact]
    public void CheckSchema_DeepNesting_IsBounded()
    {
        var schema = string.Concat(Enumerable.Repeat("{\"items\":", 60)) + "{}" + new string('}', 60);

        var issue = Assert.Single(WorkflowInputSchema.CheckSchema(schema));

        Assert.Equal("workflow.schema_invalid", issue.Code);
    }
}
