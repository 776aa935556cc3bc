using OrleansAgents.Grains.Skills.Http;
using OrleansAgents.Grains.Skills.Llm;

namespace OrleansAgents.Tests.Skills;

public sealed class SkillOptionsTests
{
    [Fact]
    public void HttpOptions_NameEveryBadPrefix()
    {
        var failures = ValidatedOptionsTests.StartFails<HttpSkillOptions>(new()
        {
            ["Skills:Http:AllowedUrls:0"] = "https://api.example.com/",
            ["Skills:Http:AllowedUrls:1"] = "ftp://x/",
            ["Skills:Http:AllowedUrls:2"] = "https://api.example.com",
            ["Skills:Http:AllowedUrls:3"] = "not a url",
        }).Failures.ToList();

        Assert.Equal(3, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("Skills:Http:AllowedUrls:1 'ftp://x/'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Skills:Http:AllowedUrls:2 'https://api.example.com' must end with '/'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Skills:Http:AllowedUrls:3", StringComparison.Ordinal));
    }

    [Fact]
    public void HttpOptions_MatchSchemeHostPortAndPathPrefix()
    {
        var options = new HttpSkillOptions { AllowedUrls = ["https://api.example.com/v1/", "http://127.0.0.1:5000/"] };

        Assert.True(options.IsAllowed(new Uri("https://API.example.com/v1/x?q=1")));
        Assert.True(options.IsAllowed(new Uri("http://127.0.0.1:5000/anything")));
        Assert.False(options.IsAllowed(new Uri("https://api.example.com/v2/x")));
        Assert.False(options.IsAllowed(new Uri("https://api.example.com/v1/../v2/x")));
        Assert.False(options.IsAllowed(new Uri("http://api.example.com/v1/x")));
        Assert.False(options.IsAllowed(new Uri("https://api.example.com.evil.test/v1/x")));
        Assert.False(options.IsAllowed(new Uri("http://127.0.0.1:5001/anything")));
    }

    [Fact]
    public void LlmOptions_NameMissingEndpointModelAndUndefinedDefault()
    {
        var failures = ValidatedOptionsTests.StartFails<LlmOptions>(new()
        {
            ["Skills:Llm:DefaultProvider"] = "openai",
            ["Skills:Llm:Providers:ollama:Endpoint"] = "",
            ["Skills:Llm:Providers:ollama:Model"] = "",
            ["Skills:Llm:Providers:ollama:TimeoutSeconds"] = "0",
            ["Skills:Llm:Providers:Bad Name:Endpoint"] = "http://x/v1",
            ["Skills:Llm:Providers:Bad Name:Model"] = "m",
        }).Failures.ToList();

        Assert.Contains(failures, f => f.StartsWith("Skills:Llm:Providers:ollama:Endpoint", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Skills:Llm:Providers:ollama:Model is required", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Skills:Llm:Providers:Bad Name: the provider name", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Skills:Llm:DefaultProvider 'openai' is not defined", StringComparison.Ordinal));
        Assert.Contains("Skills:Llm:Providers:ollama:TimeoutSeconds must be between 1 and 3600 (was 0).", failures);
        Assert.Equal(5, failures.Count);
    }
}
