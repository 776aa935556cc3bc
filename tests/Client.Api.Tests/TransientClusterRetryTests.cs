using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansAgents.Api.Errors;

namespace OrleansAgents.Tests;

/// <summary>
/// The API repeats a grain call that failed because a silo was dying, but only where repeating
/// cannot do anything twice: reads and submissions whose id derives from the Idempotency-Key.
/// </summary>
public sealed class TransientClusterRetryTests
{
    private static (DefaultEndpointFilterInvocationContext Context, Func<int> Calls, EndpointFilterDelegate Next) Setup(
        string method, string? endpointName, bool withKey, int failures, Func<Exception> failure)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = method;
        if (withKey)
        {
            http.Request.Headers["Idempotency-Key"] = "k-1";
        }

        if (endpointName is not null)
        {
            http.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(new EndpointNameMetadata(endpointName)), endpointName));
        }

        var calls = 0;
        EndpointFilterDelegate next = _ => ++calls <= failures ? throw failure() : ValueTask.FromResult<object?>("done");
        return (new DefaultEndpointFilterInvocationContext(http), () => calls, next);
    }

    private static readonly TransientClusterRetry Filter = new(NullLogger<TransientClusterRetry>.Instance, new GatewayLossSignal(TimeSpan.FromSeconds(3)));

    /// <summary>A filter with its own signal and a short grace, and a handler whose first call never answers on its own.</summary>
    private static (TransientClusterRetry Filter, GatewayLossSignal Signal, TaskCompletionSource<object?> FirstCall, TaskCompletionSource Started)
        HangingFirstCall()
    {
        var signal = new GatewayLossSignal(TimeSpan.FromMilliseconds(50));
        return (new TransientClusterRetry(NullLogger<TransientClusterRetry>.Instance, signal), signal,
            new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously),
            new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    private static DefaultEndpointFilterInvocationContext Request(string method, string endpointName, bool withKey) =>
        Setup(method, endpointName, withKey, failures: 0, () => new TimeoutException()).Context;

    [Fact]
    public async Task KeyedSubmission_InFlightWhenAGatewayDrops_IsSentAgainAfterTheGrace()
    {
        var (filter, signal, first, started) = HangingFirstCall();
        var calls = 0;
        EndpointFilterDelegate next = _ =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                started.TrySetResult();
                return new ValueTask<object?>(first.Task);
            }

            return ValueTask.FromResult<object?>("second");
        };

        var answer = filter.InvokeAsync(Request("POST", "SubmitTask", withKey: true), next).AsTask();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        signal.NotifyGatewayCountChanged(1, 2, connectionRecovered: false);

        Assert.Equal("second", await answer.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, calls);
        first.SetResult("late first answer"); // ignored: the request already answered
    }

    [Fact]
    public void Signal_FiresOnALostGateway_NotOnAGainedOne()
    {
        var signal = new GatewayLossSignal(TimeSpan.FromSeconds(3));
        var first = signal.NextLoss;
        signal.NotifyGatewayCountChanged(3, 2, connectionRecovered: false);
        Assert.False(first.IsCompleted);

        signal.NotifyGatewayCountChanged(1, 2, connectionRecovered: false);
        Assert.True(first.IsCompletedSuccessfully);
        Assert.False(signal.NextLoss.IsCompleted); // the next request waits for the next loss

        var second = signal.NextLoss;
        signal.NotifyClusterConnectionLost();
        Assert.True(second.IsCompletedSuccessfully);
    }

    [Theory]
    [InlineData("StartConsensus")]
    [InlineData("SendMessage")]
    [InlineData("StartOptimization")]
    public async Task KeyedConsensusMessageAndOptimisation_AreRepeated(string endpoint)
    {
        var (context, calls, next) = Setup("POST", endpoint, withKey: true, failures: 1, () => new SiloUnavailableException());
        Assert.Equal("done", await Filter.InvokeAsync(context, next));
        Assert.Equal(2, calls());
    }

    [Fact]
    public async Task KeyedTaskSubmission_IsRepeated_WhenTheSiloWasUnavailable()
    {
        var (context, calls, next) = Setup("POST", "SubmitTask", withKey: true, failures: 2, () => new SiloUnavailableException());
        Assert.Equal("done", await Filter.InvokeAsync(context, next));
        Assert.Equal(3, calls());
    }

    [Fact]
    public async Task Read_IsRepeated_AfterATimeout()
    {
        var (context, calls, next) = Setup("GET", "GetTask", withKey: false, failures: 1, () => new TimeoutException());
        Assert.Equal("done", await Filter.InvokeAsync(context, next));
        Assert.Equal(2, calls());
    }

    [Fact]
    public async Task SubmissionWithoutKey_IsNotRepeated()
    {
        var (context, calls, next) = Setup("POST", "SubmitTask", withKey: false, failures: 1, () => new TimeoutException());
        await Assert.ThrowsAsync<TimeoutException>(async () => await Filter.InvokeAsync(context, next));
        Assert.Equal(1, calls());
    }

    [Fact]
    public async Task OtherPost_IsNotRepeated_EvenWithAKey()
    {
        var (context, calls, next) = Setup("POST", "RegisterAgent", withKey: true, failures: 1, () => new SiloUnavailableException());
        await Assert.ThrowsAsync<SiloUnavailableException>(async () => await Filter.InvokeAsync(context, next));
        Assert.Equal(1, calls());
    }

    [Fact]
    public async Task Retries_StopAtTheBudget_ThenTheFailureGoesToThe503Handler()
    {
        var (context, calls, next) = Setup("GET", "GetTask", withKey: false, failures: 100, () => new TimeoutException());
        await Assert.ThrowsAsync<TimeoutException>(async () => await Filter.InvokeAsync(context, next));
        Assert.Equal(4, calls());
    }

    [Fact]
    public async Task DomainAnswers_AreNotRetried()
    {
        var (context, calls, next) = Setup("GET", "GetTask", withKey: false, failures: 1,
            () => new OrleansAgents.Errors.DomainException("task.not_found", "no", OrleansAgents.Errors.DomainErrorKind.NotFound));
        await Assert.ThrowsAsync<OrleansAgents.Errors.DomainException>(async () => await Filter.InvokeAsync(context, next));
        Assert.Equal(1, calls());
    }
}
