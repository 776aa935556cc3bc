using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Resilience;
using OrleansAgents.Resilience;
using Polly;
using Polly.CircuitBreaker;

// Overhead of a call guarded by the cluster breaker's local view versus Polly's own in-process
// circuit breaker, measured in one run. Usage: dotnet run -c Release --project bench/Breakers.Bench [-- --smoke]
// --smoke (bench/smoke.sh): one dry iteration in this process, no generated project to build.
var smoke = args.Contains("--smoke");
var config = ManualConfig.Create(DefaultConfig.Instance)
    .AddJob(smoke ? Job.Dry.WithToolchain(InProcessEmitToolchain.Instance) : Job.ShortRun)
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);
var summary = BenchmarkRunner.Run<OrleansAgents.Bench.BreakerBenchmarks>(config);
// Result check: every case ran and produced a figure.
if (summary.HasCriticalValidationErrors || summary.Reports.Length != 4 || summary.Reports.Any(r => !r.Success || r.ResultStatistics is null))
{
    Console.Error.WriteLine("FAILED: a benchmark case did not run");
    return 1;
}

Ratios(summary);
return 0;

static void Ratios(Summary summary)
{
    double Mean(string method) => summary.Reports.Single(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method).ResultStatistics!.Mean;
    Console.WriteLine($"closed path: cluster local view / Polly = {Mean(nameof(OrleansAgents.Bench.BreakerBenchmarks.ClusterClosed)) / Mean(nameof(OrleansAgents.Bench.BreakerBenchmarks.PollyClosed)):F2}x");
    Console.WriteLine($"open path:   cluster local view / Polly = {Mean(nameof(OrleansAgents.Bench.BreakerBenchmarks.ClusterOpen)) / Mean(nameof(OrleansAgents.Bench.BreakerBenchmarks.PollyOpen)):F2}x");
}

namespace OrleansAgents.Bench
{
    [MemoryDiagnoser]
    public class BreakerBenchmarks
    {
        private static readonly Func<ResilienceContext, int, ValueTask<Outcome<int>>> Call = static (_, s) => ValueTask.FromResult(Outcome.FromResult(s));

        private ResiliencePipeline _clusterClosed = null!;
        private ResiliencePipeline _clusterOpen = null!;
        private ResiliencePipeline _pollyClosed = null!;
        private ResiliencePipeline _pollyOpen = null!;

        [GlobalSetup]
        public void Setup()
        {
            // The views are used without a cluster: the benchmark measures the per-call path only
            // (batched reporting runs on a background loop that is not started here).
            var views = new ClusterCircuitBreakers(null!, Options.Create(new CircuitBreakerOptions()),
                new BreakerMetrics(new NoMeterFactory()), TimeProvider.System, NullLogger<ClusterCircuitBreakers>.Instance);
            views.Get("bench:closed").Apply(new BreakerSnapshot("bench:closed", BreakerState.Closed, null, 1));
            views.Get("bench:open").Apply(new BreakerSnapshot("bench:open", BreakerState.Open, DateTimeOffset.UtcNow.AddYears(1), 1));
            _clusterClosed = new ResiliencePipelineBuilder().AddClusterCircuitBreaker(views, "bench:closed").Build();
            _clusterOpen = new ResiliencePipelineBuilder().AddClusterCircuitBreaker(views, "bench:open").Build();

            _pollyClosed = new ResiliencePipelineBuilder().AddCircuitBreaker(new CircuitBreakerStrategyOptions()).Build();
            var control = new CircuitBreakerManualControl();
            _pollyOpen = new ResiliencePipelineBuilder().AddCircuitBreaker(new CircuitBreakerStrategyOptions { ManualControl = control }).Build();
            control.IsolateAsync().GetAwaiter().GetResult();
        }

        [Benchmark(Baseline = true)]
        public Outcome<int> PollyClosed() => Execute(_pollyClosed);

        [Benchmark]
        public Outcome<int> ClusterClosed() => Execute(_clusterClosed);

        [Benchmark]
        public Outcome<int> PollyOpen() => Execute(_pollyOpen);

        [Benchmark]
        public Outcome<int> ClusterOpen() => Execute(_clusterOpen);

        private static Outcome<int> Execute(ResiliencePipeline pipeline)
        {
            var context = ResilienceContextPool.Shared.Get();
            var pending = pipeline.ExecuteOutcomeAsync(Call, context, 42);
            // Every path here completes synchronously; anything else would be a benchmark bug.
            var outcome = pending.IsCompleted ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
            ResilienceContextPool.Shared.Return(context);
            return outcome;
        }

        private sealed class NoMeterFactory : IMeterFactory
        {
            public Meter Create(MeterOptions options) => new(options);

            public void Dispose()
            {
            }
        }
    }

}
