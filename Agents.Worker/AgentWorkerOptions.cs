using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace OrleansAgents.Worker;

/// <summary>
/// Where and how an <see cref="AgentWorker"/> leases its agent's tasks (docs/api.md, "External agents").
/// The bounds are the API's own, so a bad value fails at start rather than as a 400 per poll.
/// </summary>
public sealed class AgentWorkerOptions
{
    /// <summary>The API's base address, e.g. <c>http://localhost:8080</c>.</summary>
    [Required]
    public Uri? BaseAddress { get; set; }

    /// <summary>Sent as <c>X-Api-Key</c>: best a worker key created with <c>"agents": [AgentId]</c>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The external agent whose tasks this worker runs.</summary>
    [Required, RegularExpression("^[a-z0-9][a-z0-9-_.]{0,63}$")]
    public string AgentId { get; set; } = "";

    /// <summary>Most tasks one lease call asks for.</summary>
    [Range(1, 100)]
    public int Max { get; set; } = 4;

    /// <summary>How long a lease call waits for work (long-poll).</summary>
    [Range(0, 30)]
    public double WaitSeconds { get; set; } = 20;

    /// <summary>Lease length; the worker renews at a third of it while a handler runs.</summary>
    [Range(1, 600)]
    public double LeaseSeconds { get; set; } = 30;

    /// <summary>Most handlers running at once.</summary>
    [Range(1, 1024)]
    public int Concurrency { get; set; } = 4;

    /// <summary>Longest pause after a failed lease call (the pause doubles from one second up to this, or is the server's Retry-After).</summary>
    [Range(1, 300)]
    public double MaxBackoffSeconds { get; set; } = 30;
}

[OptionsValidator]
public sealed partial class AgentWorkerOptionsValidator : IValidateOptions<AgentWorkerOptions>;
