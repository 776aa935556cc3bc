using OrleansAgents.Grains.Skills.Http;
using OrleansAgents.Grains.Skills.Llm;

namespace OrleansAgents.Tests.Skills;

public sealed class SkillOptionsTests
{
    [Fact]
    public void HttpOptions_NameEveryBadPrefix()
    {
        var options = new HttpSkillOptions { AllowedUrls = ["https://api.example.com/", "ftp://x/", "https://api.example.com", "not a url"] };

        var failures = new HttpSkillOptionsValidator().Validate(null, options).Failures!.ToList();

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
        var options = new LlmOptions
        {
            DefaultProvider = "openai",
            Providers = { ["ollama"] = new LlmProviderOptions { Endpoint = "", Model = "" }, ["Bad Name"] = new LlmProviderOptions { Endpoint = "http://x/v1", Model = "m" } },
        };

        var failures = new LlmOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Contains(failures, f => f.StartsWith("Skills:Llm:Providers:ollama:Endpoint", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Skills:Llm:Providers:ollama:Model is required", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Skills:Llm:Providers:Bad Name: the provider name", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Skills:Llm:DefaultProvider 'openai' is not defined", StringComparison.Ordinal));
    }
}
