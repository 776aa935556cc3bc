using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OrleansAgents.Errors;
using OrleansAgents.Swarms;

namespace OrleansAgents.Grains.Swarms;

/// <summary>
/// Evaluates positions with a skill: one capability-routed task per particle and iteration, input
/// <c>{"position": [...]}</c>, result a number or <c>{"value": n}</c>. The task id comes from an
/// idempotency key naming (optimisation, iteration, particle), so a run replaying from its
/// checkpoint finds the tasks it already ran instead of running them again.
/// </summary>
public sealed class SkillObjective(IOptions<SwarmOptions> options, TimeProvider time)
{
    private static readonly TimeSpan EventWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan BusyRetry = TimeSpan.FromMilliseconds(500);

    public async Task<double[]> EvaluateAsync(IGrainFactory grains, BatchSetup setup, long iteration, ParticleSlice slice) =>
        await Task.WhenAll(slice.Particles.Select((p, i) => EvaluateOneAsync(grains, setup, iteration, setup.FirstParticle + i, p.Position)));

    public static string InputJson(IReadOnlyList<double> position)
    {
        var json = new StringBuilder("{\"position\":[");
        for (var d = 0; d < position.Count; d++)
        {
            json.Append(d == 0 ? "" : ",").Append(position[d].ToString("R", CultureInfo.InvariantCulture));
        }

        return json.Append("]}").ToString();
    }

    /// <summary>The objective value in a task result, or null when the result is not a finite number or <c>{"value": n}</c>.</summary>
    public static double? ParseResult(string? resultJson)
    {
        if (resultJson is null)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(resultJson);
        var root = doc.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("value", out var value))
        {
            root = value;
        }

        return root.ValueKind == JsonValueKind.Number && root.TryGetDouble(out var number) && double.IsFinite(number) ? number : null;
    }

    private async Task<double> EvaluateOneAsync(IGrainFactory grains, BatchSetup setup, long iteration, int particle, double[] position)
    {
        var spec = setup.Spec;
        var reference = $"{setup.OptimizationId}:{iteration}:{particle}";
        var key = "swarm:" + reference;
        var task = grains.GetGrain<ITaskGrain>(TaskRules.IdForIdempotencyKey(spec.SubmittedBy, key));
        var submission = new TaskSubmission(null, spec.Capability, spec.Skill!, InputJson(position), TaskPriority.Default,
            null, null, null, key, spec.SubmittedBy) { Origin = "swarm-optimization:" + reference };
        var deadline = time.GetUtcNow() + options.Value.SkillEvaluationTimeout;
        while (true)
        {
            try
            {
                await task.SubmitAsync(submission);
                break;
            }
            catch (DomainException ex) when (ex.Kind == DomainErrorKind.Unavailable && time.GetUtcNow() < deadline)
            {
                // Every agent of the capability is busy or its queue is full: wait and offer the task again.
                await Task.Delay(ex.RetryAfter is { } after && after < EventWait ? after : BusyRetry);
            }
            catch (DomainException ex)
            {
                throw Failed(particle, iteration, $"the task was refused ({ex.Code}: {ex.Message})");
            }
        }

        long seen = 0;
        while (true)
        {
            var batch = await task.WaitForEventsAsync(seen, EventWait);
            seen = batch.Events.Count > 0 ? batch.Events[^1].Sequence : seen;
            if (batch.Finished)
            {
                break;
            }

            if (time.GetUtcNow() >= deadline)
            {
                await task.CancelAsync();
                throw Failed(particle, iteration, $"the task did not finish within {options.Value.SkillEvaluationTimeout}");
            }
        }

        var view = await task.GetAsync();
        if (view?.State != TaskState.Succeeded)
        {
            throw Failed(particle, iteration, $"the task ended {view?.State.ToString().ToLowerInvariant()}{(view?.Error is { } e ? $" ({e.Code}: {e.Message})" : "")}");
        }

        return ParseResult(view.ResultJson) ?? throw Failed(particle, iteration, "the task result is neither a finite number nor {\"value\": n}");
    }

    private static DomainException Failed(int particle, long iteration, string why) =>
        new(ErrorCodes.SwarmEvaluationFailed, $"Evaluating particle {particle} at iteration {iteration} failed: {why}.");
}
