using System.Net;

namespace OrleansAgents.Tests.Security;

/// <summary>Issue 17: the management port was recognised by the Host header, which the client writes.</summary>
[Collection(ApiTestGroup.Name)]
public sealed class ManagementPortTests(ApiFactory factory)
{
    [Theory]
    [InlineData("/metrics")]
    [InlineData("/dashboard/")]
    public async Task OnThePublicPort_AHostHeaderNamingTheManagementPort_Gets404(string path)
    {
        using var publicPort = ApiFactory.OnLocalPort(factory, 8080);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = $"x:{factory.ManagementPort}";

        var response = await publicPort.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/dashboard/")]
    public async Task OnTheManagementPort_AnyHostHeader_IsServed(string path)
    {
        using var management = factory.ManagementClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = "whatever.example:80";

        var response = await management.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
