using Npgsql;
using OrleansAgents.Grains.Workflows.ReadModel;
using OrleansAgents.Silo.Storage;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.Workflows;

public sealed class InMemoryWorkflowReadModelTests : WorkflowReadModelContractTests
{
    protected override Task<IWorkflowReadModel> CreateEmptyModelAsync() => Task.FromResult<IWorkflowReadModel>(new InMemoryWorkflowReadModel());

    [Fact]
    public async Task Search_Query_ExcludesMinusWords_AndMatchesWholeWordsOnly()
    {
        await UpsertAsync(Workflow("wf-1", "Weekly report"), Workflow("wf-2", "Monthly report"), Workflow("wf-3", "Reporting"));

        Assert.Equal(["wf-2"], (await SearchAsync("report -weekly")).Items.Select(w => w.Id));
        Assert.Empty((await SearchAsync("-report")).Items);
    }
}

public sealed class PostgresWorkflowReadModelTests(MigratedDatabase database)
    : WorkflowReadModelContractTests, IClassFixture<MigratedDatabase>
{
    protected override async Task<IWorkflowReadModel> CreateEmptyModelAsync()
    {
        await using var truncate = database.DataSource.CreateCommand("TRUNCATE agents_workflows, agents_workflow_runs");
        await truncate.ExecuteNonQueryAsync();
        return new PostgresWorkflowReadModel(database.DataSource);
    }

    [Fact]
    public async Task Search_Query_StemsWords()
    {
        await UpsertAsync(Workflow("wf-1", "Deploy the service"), Workflow("wf-2", "Rollback", "Undo deployments"), Workflow("wf-3", "Other"));

        Assert.Equal(["wf-1", "wf-2"], (await SearchAsync("deploying")).Items.Select(w => w.Id));
    }

    [Fact]
    public async Task Search_Query_UnderstandsWebSearchSyntax()
    {
        await UpsertAsync(
            Workflow("wf-phrase", "Backups", "Nightly backup of the database"),
            Workflow("wf-words", "Logs", "Backup logs nightly"),
            Workflow("wf-weekly", "Weekly report"),
            Workflow("wf-monthly", "Monthly report"));

        Assert.Equal(["wf-phrase"], (await SearchAsync("\"nightly backup\"")).Items.Select(w => w.Id));
        Assert.Equal(["wf-monthly"], (await SearchAsync("report -weekly")).Items.Select(w => w.Id));
        Assert.Equal(["wf-words", "wf-monthly"], (await SearchAsync("logs or monthly")).Items.Select(w => w.Id));
        Assert.Empty((await SearchAsync("the")).Items);
        Assert.Empty((await SearchAsync("\" - or ) ( :* &")).Items);
    }

    [Fact]
    public async Task UpsertWorkflow_StoresTheDefinitionAsJsonb_AndEnumsAsApiText()
    {
        await UpsertAsync(Workflow("wf-1", "Stored", status: WorkflowStatus.Active));
        await Model.UpsertRunAsync(Run("r-1", "wf-1", WorkflowRunStatus.Succeeded, T0, seconds: 1.5));

        Assert.Equal("Stored", await database.Db.ScalarAsync<string>("SELECT definition->>'name' FROM agents_workflows"));
        Assert.Equal("active", await database.Db.ScalarAsync<string>("SELECT status FROM agents_workflows"));
        Assert.Equal("production/succeeded", await database.Db.ScalarAsync<string>("SELECT mode || '/' || status FROM agents_workflow_runs"));
        Assert.Equal(1.5, await database.Db.ScalarAsync<double>("SELECT duration_seconds FROM agents_workflow_runs"));
    }
}
