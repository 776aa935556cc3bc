namespace OrleansAgents.Grains.Workflows.Definitions;

/// <summary>What templates and conditions see of a finished step: its status and output (null when skipped or without output).</summary>
public sealed record class StepData(string Status, string? OutputJson);
