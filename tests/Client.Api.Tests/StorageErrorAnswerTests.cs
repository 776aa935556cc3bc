using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OrleansAgents.Api.Errors;

namespace OrleansAgents.Tests;

/// <summary>A storage failure that reaches the API (PostgreSQL restarting) is a 503 to retry, never a 500.</summary>
public sealed class StorageErrorAnswerTests
{
    private static async Task<(int Status, string? RetryAfter, string Body)> AnswerAsync(Exception exception)
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var http = new DefaultHttpContext { RequestServices = services };
        http.Response.Body = new MemoryStream();

        Assert.True(await new ErrorHandling(NullLogger<ErrorHandling>.Instance).TryHandleAsync(http, exception, CancellationToken.None));

        return (http.Response.StatusCode, http.Response.Headers.RetryAfter.ToString(),
            Encoding.UTF8.GetString(((MemoryStream)http.Response.Body).ToArray()));
    }

    [Fact]
    public async Task NpgsqlException_Is503WithRetryAfter()
    {
        var (status, retryAfter, body) = await AnswerAsync(new NpgsqlException("Exception while reading from stream"));

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, status);
        Assert.Equal(ErrorHandling.UnavailableRetryAfterSeconds, retryAfter);
        Assert.Contains("server.unavailable", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownFailure_IsStill500()
    {
        var (status, _, _) = await AnswerAsync(new InvalidOperationException("a bug"));

        Assert.Equal(StatusCodes.Status500InternalServerError, status);
    }
}
