namespace OrleansAgents.Grains.Workflows.Definitions;

/// <summary>What validation asks the live cluster: do the skills, capabilities and agents a definition names exist?</summary>
public interface IWorkflowEnvironment
{
    /// <summary>A skill the silos offer, with the capabilities allowed to run it (<c>*</c> = any).</summary>
    bool TryGetSkill(string skill, out IReadOnlyCollection<string> allowedCapabilities);

    /// <summary>At least one registered agent offers the capability.</summary>
    ValueTask<bool> CapabilityExistsAsync(string capability);

    /// <summary>The agent is registered and not retired; null when it does not exist, else its capabilities.</summary>
    ValueTask<IReadOnlyList<string>?> AgentCapabilitiesAsync(string agentId);
}
