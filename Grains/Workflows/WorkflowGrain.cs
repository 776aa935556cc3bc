using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Grains.Workflows.Definitions;
using OrleansAgents.Grains.Workflows.ReadModel;

namespace OrleansAgents.Grains.Workflows;

/// <summary>
/// Owns one workflow: its versions (every edit is a new one), validation findings and lifecycle,
/// and starts runs that pin the latest version. After each stored change it updates the read
/// model; a failed read-model write is retried on the next call.
/// </summary>
public sealed partial class WorkflowGrain(
    [PersistentState("workflow", StorageNames.Workflows)] IPersistentState<WorkflowRecord> state,
    IWorkflowEnvironment environment,
    IWorkflowReadModel readModel,
    IOptions<WorkflowOptions> options,
    TimeProvider time,
    ILogger<WorkflowGrain> logger) : Grain, IWorkflowGrain
{
    private WorkflowRecord S => state.State;

    private string Id => this.GetPrimaryKeyString();

    public Task<WorkflowView> CreateAsync(WorkflowDefinition definition, string by) => CreateCoreAsync(definition, by, null);

    public Task<WorkflowView> CreateGeneratedAsync(WorkflowDefinition definition, string by, WorkflowProvenance provenance) =>
        CreateCoreAsync(definition, by, provenance);

    private async Task<WorkflowView> CreateCoreAsync(WorkflowDefinition definition, string by, WorkflowProvenance? provenance)
    {
        RequireValidId();
        if (S.Exists)
        {
            throw new DomainException(ErrorCodes.WorkflowExists, $"Workflow '{Id}' already exists; update it with PUT instead.", DomainErrorKind.Conflict);
        }

        await RequireValidAsync(definition);
        var now = time.GetUtcNow();
        state.State = new WorkflowRecord
        {
            Exists = true,
            Status = WorkflowStatus.Created,
            Versions = [new WorkflowVersionRecord { Version = 1, Definition = definition, CreatedBy = by, CreatedAt = now }],
            CreatedBy = by,
            CreatedAt = now,
            Provenance = provenance,
        };
        Record(by, "create", WorkflowStatus.Created, WorkflowStatus.Created);
        await SaveAsync();
        return View(null);
    }

    public async ValueTask<WorkflowView?> GetAsync(int? version)
    {
        await CatchUpReadModelAsync();
        if (!S.Exists)
        {
            return null;
        }

        if (version is { } v && S.Versions.All(x => x.Version != v))
        {
            throw new DomainException(ErrorCodes.WorkflowVersionNotFound,
                $"Workflow '{Id}' has no version {v}; kept versions are {S.Versions[0].Version}..{S.Latest.Version}.", DomainErrorKind.NotFound);
        }

        return View(version);
    }

    public async Task<WorkflowView> UpdateAsync(WorkflowDefinition definition, int? expectedVersion, string by)
    {
        RequireExists();
        RequireNotArchived("update");
        if (expectedVersion is { } expected && expected != S.Latest.Version)
        {
            throw new DomainException(ErrorCodes.WorkflowVersionConflict,
                $"Workflow '{Id}' is at version {S.Latest.Version}, not {expected}; read it again and reapply your change.", DomainErrorKind.Conflict);
        }

        await RequireValidAsync(definition);
        var now = time.GetUtcNow();
        var from = S.Status;
        S.Versions.Add(new WorkflowVersionRecord { Version = S.Latest.Version + 1, Definition = definition, CreatedBy = by, CreatedAt = now });
        if (S.Versions.Count > WorkflowRules.MaxVersionsKept)
        {
            S.Versions.RemoveRange(0, S.Versions.Count - WorkflowRules.MaxVersionsKept);
        }

        S.Status = WorkflowStatus.Created;
        S.Issues = [];
        S.ValidatedAt = null;
        Record(by, "update", from, WorkflowStatus.Created);
        await SaveAsync();
        return View(null);
    }

    public async Task<WorkflowView> ValidateAsync(string by)
    {
        RequireExists();
        RequireNotArchived("validate");
        var definition = S.Latest.Definition;
        var issues = Sorted([.. WorkflowValidation.CheckStructure(definition), .. await WorkflowValidation.CheckEnvironmentAsync(definition, environment)]);
        var from = S.Status;
        var to = issues.Count > 0
            ? WorkflowStatus.Failed
            : from is WorkflowStatus.Created or WorkflowStatus.Failed ? WorkflowStatus.Validated : from;
        S.Status = to;
        S.Issues = issues;
        S.ValidatedAt = time.GetUtcNow();
        Record(by, "validate", from, to);
        await SaveAsync();
        return View(null);
    }

    public async Task<WorkflowView> TransitionAsync(WorkflowStatus target, string by)
    {
        RequireExists();
        var from = S.Status;
        if (!WorkflowRules.CanTransition(from, target))
        {
            throw new DomainException(ErrorCodes.WorkflowTransitionNotAllowed,
                $"Workflow '{Id}' is {Label(from)}; it cannot become {Label(target)}. The lifecycle is created → validated → staged → active → archived.",
                DomainErrorKind.Conflict);
        }

        S.Status = target;
        Record(by, target switch
        {
            WorkflowStatus.Staged => "stage",
            WorkflowStatus.Active => "activate",
            _ => "archive",
        }, from, target);
        await SaveAsync();
        return View(null);
    }

    public async Task DeleteAsync(string by)
    {
        RequireExists();
        var unfinished = await readModel.CountUnfinishedRunsAsync(Id);
        if (unfinished > 0)
        {
            throw new DomainException(ErrorCodes.WorkflowRunsUnfinished,
                $"Workflow '{Id}' has {unfinished} unfinished run(s); cancel them or wait for them to finish first.", DomainErrorKind.Conflict);
        }

        await state.ClearStateAsync();
        state.State = new WorkflowRecord();
        await readModel.DeleteWorkflowAsync(Id);
        LogDeleted(Id, by);
    }

    public async Task<WorkflowRunView> StartRunAsync(WorkflowRunRequest request)
    {
        RequireExists();
        await CatchUpReadModelAsync();
        if (!WorkflowRules.AllowsRun(S.Status, request.Mode))
        {
            throw new DomainException(ErrorCodes.WorkflowModeNotAllowed,
                $"Workflow '{Id}' is {Label(S.Status)}; {Label(request.Mode)} runs need it {RequiredFor(request.Mode)}.", DomainErrorKind.Conflict);
        }

        if (Encoding.UTF8.GetByteCount(request.InputJson) > WorkflowRules.MaxInputBytes)
        {
            throw new DomainException(ErrorCodes.WorkflowRunInputRejected,
                $"The run input is larger than {WorkflowRules.MaxInputBytes} bytes.", DomainErrorKind.TooLarge);
        }

        var latest = S.Latest;
        var inputIssues = WorkflowInputSchema.Validate(latest.Definition.InputSchemaJson, request.InputJson);
        if (inputIssues.Count > 0)
        {
            throw new DomainException(ErrorCodes.WorkflowRunInputRejected,
                $"The run input does not match the input schema of workflow '{Id}' version {latest.Version}: {inputIssues[0].Message}"
                + (inputIssues.Count > 1 ? $" (and {inputIssues.Count - 1} more)." : "."))
            {
                Errors = [.. inputIssues.Select(i => new DomainErrorDetail(i.Path, i.Code, i.Message))],
            };
        }

        var runId = request.IdempotencyKey is { } key
            ? WorkflowRules.RunIdForIdempotencyKey(Id, request.StartedBy, key)
            : WorkflowRules.NewRunId();
        return await GrainFactory.GetGrain<IWorkflowRunGrain>(runId).StartAsync(
            new WorkflowRunStart(Id, latest.Version, latest.Definition, request.Mode, request.InputJson, request.StartedBy));
    }

    private async Task RequireValidAsync(WorkflowDefinition definition)
    {
        var issues = WorkflowValidation.CheckStructure(definition);
        if (issues.Count == 0)
        {
            issues = await WorkflowValidation.CheckEnvironmentAsync(definition, environment);
        }

        if (issues.Count > 0)
        {
            var sorted = Sorted(issues);
            throw new DomainException(ErrorCodes.WorkflowInvalid,
                $"The workflow definition is invalid: {sorted[0].Path}: {sorted[0].Message}" + (sorted.Count > 1 ? $" (and {sorted.Count - 1} more)." : ""))
            {
                Errors = [.. sorted.Select(i => new DomainErrorDetail(i.Path, i.Code, i.Message))],
            };
        }
    }

    private static List<WorkflowValidationIssue> Sorted(IEnumerable<WorkflowValidationIssue> issues) =>
        [.. issues.Distinct().OrderBy(i => i.Path, StringComparer.Ordinal).ThenBy(i => i.Code, StringComparer.Ordinal)];

    private void Record(string by, string action, WorkflowStatus from, WorkflowStatus to)
    {
        var now = time.GetUtcNow();
        S.UpdatedBy = by;
        S.UpdatedAt = now;
        S.History.Add(new WorkflowChange(now, by, action, from, to, S.Latest.Version));
        if (S.History.Count > options.Value.HistoryRetention)
        {
            S.History.RemoveRange(0, S.History.Count - options.Value.HistoryRetention);
        }

        S.Sequence++;
        S.ReadModelPending = true;
    }

    private async Task SaveAsync()
    {
        await state.SaveOrDeactivateAsync(this);
        await CatchUpReadModelAsync();
    }

    /// <summary>Brings the read model up to the stored state; a failure leaves it pending for the next call.</summary>
    private async Task CatchUpReadModelAsync()
    {
        if (!S.Exists || !S.ReadModelPending)
        {
            return;
        }

        try
        {
            var latest = S.Latest;
            await readModel.UpsertWorkflowAsync(new WorkflowRow(Id, latest.Definition.Name, latest.Definition.Goal, S.Status, latest.Version,
                S.CreatedBy, S.CreatedAt, S.UpdatedBy, S.UpdatedAt, WorkflowJson.Serialize(latest.Definition), S.Sequence));
            S.ReadModelPending = false;
            await state.SaveOrDeactivateAsync(this);
        }
        catch (Exception ex) when (ex is not DomainException)
        {
            LogReadModelDeferred(ex, Id);
        }
    }

    private WorkflowView View(int? version)
    {
        var v = version is { } n ? S.Versions.First(x => x.Version == n) : S.Latest;
        return new WorkflowView(Id, v.Version, S.Latest.Version, S.Status, v.Definition,
            v.Version == S.Latest.Version ? [.. S.Issues] : [], S.ValidatedAt, S.CreatedBy, S.CreatedAt, S.UpdatedBy, S.UpdatedAt, [.. S.History], S.Provenance);
    }

    private void RequireValidId()
    {
        if (!WorkflowRules.IsValidId(Id))
        {
            throw new DomainException(ErrorCodes.WorkflowInvalidId,
                $"A workflow id is 1-64 lower-case letters, digits, '_' or '-', starting with a letter or digit ({WorkflowRules.IdPattern}).");
        }
    }

    private void RequireExists()
    {
        if (!S.Exists)
        {
            throw new DomainException(ErrorCodes.WorkflowNotFound, $"Workflow '{Id}' does not exist.", DomainErrorKind.NotFound);
        }
    }

    private void RequireNotArchived(string action)
    {
        if (S.Status == WorkflowStatus.Archived)
        {
            throw new DomainException(ErrorCodes.WorkflowArchived, $"Workflow '{Id}' is archived; it cannot {action} any more.", DomainErrorKind.Conflict);
        }
    }

    private static string RequiredFor(WorkflowRunMode mode) => mode switch
    {
        WorkflowRunMode.Test => "validated, staged or active",
        WorkflowRunMode.Staging => "staged or active",
        _ => "active",
    };

    private static string Label(WorkflowStatus status) => status.ToString().ToLowerInvariant();

    private static string Label(WorkflowRunMode mode) => mode.ToString().ToLowerInvariant();

    [LoggerMessage(Level = LogLevel.Information, Message = "Workflow {WorkflowId} deleted by {By}.")]
    private partial void LogDeleted(string workflowId, string by);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workflow {WorkflowId}: the read model write failed; retried on the next call.")]
    private partial void LogReadModelDeferred(Exception ex, string workflowId);
}
