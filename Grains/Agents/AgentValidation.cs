using OrleansAgents.Errors;

namespace OrleansAgents.Grains.Agents;

/// <summary>Checks a spec against <see cref="AgentRules"/> and returns it normalised.</summary>
internal static class AgentValidation
{
    public static void RequireValidId(string id)
    {
        if (!AgentRules.IsValidId(id))
        {
            throw new DomainException(ErrorCodes.AgentInvalidId, $"Agent id must match {AgentRules.IdPattern}.");
        }
    }

    public static AgentSpec Normalize(AgentSpec spec)
    {
        var name = spec.Name?.Trim() ?? "";
        if (name.Length == 0 || name.Length > AgentRules.NameMaxLength)
        {
            throw Invalid(ErrorCodes.AgentInvalidName, $"name is required and at most {AgentRules.NameMaxLength} characters.");
        }

        var description = string.IsNullOrWhiteSpace(spec.Description) ? null : spec.Description.Trim();
        if (description?.Length > AgentRules.DescriptionMaxLength)
        {
            throw Invalid(ErrorCodes.AgentInvalidDescription, $"description is at most {AgentRules.DescriptionMaxLength} characters.");
        }

        var capabilities = spec.Capabilities ?? [];
        if (capabilities.Count > AgentRules.MaxCapabilities)
        {
            throw Invalid(ErrorCodes.AgentTooManyCapabilities, $"at most {AgentRules.MaxCapabilities} capabilities (got {capabilities.Count}).");
        }

        foreach (var capability in capabilities)
        {
            if (!AgentRules.IsValidCapability(capability))
            {
                throw Invalid(ErrorCodes.AgentInvalidCapability, $"capability names must match {AgentRules.CapabilityPattern}.");
            }
        }

        if (spec.MaxConcurrentTasks < 1 || spec.MaxConcurrentTasks > AgentRules.MaxConcurrentTasksLimit)
        {
            throw Invalid(ErrorCodes.AgentInvalidMaxConcurrentTasks, $"maxConcurrentTasks must be between 1 and {AgentRules.MaxConcurrentTasksLimit}.");
        }

        var metadata = spec.Metadata ?? new Dictionary<string, string>();
        if (metadata.Count > AgentRules.MaxMetadataEntries)
        {
            throw Invalid(ErrorCodes.AgentInvalidMetadata, $"at most {AgentRules.MaxMetadataEntries} metadata entries.");
        }

        foreach (var (key, value) in metadata)
        {
            if (string.IsNullOrWhiteSpace(key) || key.Length > AgentRules.MetadataKeyMaxLength
                || value is null || value.Length > AgentRules.MetadataValueMaxLength)
            {
                throw Invalid(ErrorCodes.AgentInvalidMetadata,
                    $"metadata keys are 1-{AgentRules.MetadataKeyMaxLength} characters and values are strings of at most {AgentRules.MetadataValueMaxLength}.");
            }
        }

        if (!Enum.IsDefined(spec.Kind))
        {
            throw Invalid(ErrorCodes.AgentInvalidKind, "kind must be one of: " + string.Join(", ", Enum.GetNames<AgentKind>().Select(n => n.ToLowerInvariant())) + ".");
        }

        var distinct = capabilities.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return new AgentSpec(name, description, distinct, spec.MaxConcurrentTasks,
            new Dictionary<string, string>(metadata, StringComparer.Ordinal), spec.Kind);
    }

    private static DomainException Invalid(string code, string message) => new(code, message);
}
