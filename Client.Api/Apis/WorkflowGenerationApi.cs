using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrleansAgents.Api.Errors;
using OrleansAgents.Api.Security;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Apis;

/// <summary>
/// POST /api/workflows/generate: from a goal in words to a validated workflow stored as
/// <c>created</c>, drafted and repaired by a hosted planner agent; an invalid final draft is
/// answered 422 with its findings and the draft, and nothing is stored.
/// </summary>
public static class WorkflowGenerationApi
{
    public static IEndpointRouteBuilder MapWorkflowGenerationApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/workflows")
            .WithTags("Workflows")
            .WithMetadata(new RequestSizeLimitAttribute(64 * 1024))
            .MapPost("/generate", GenerateAsync).WithName("GenerateWorkflow").RequirePermission(Permissions.WorkflowCreate)
            .WithSummary("Generate a workflow from a goal with a planner agent (validated and repaired in bounded rounds); stored as created with its provenance");
        return app;
    }

    private static async Task<Results<Created<WorkflowResponse>, ProblemHttpResult>> GenerateAsync(WorkflowGenerateBody body, HttpContext http, IGrainFactory grains)
    {
        // The goal, maxRounds and agentId are checked by the planner grain (400s with their codes), against its options.
        var caller = Audit.ActorOf(http);
        var result = await grains.GetGrain<IWorkflowPlannerGrain>(0).GenerateAsync(new WorkflowGenerateRequest(body.Goal ?? "", body.AgentId, body.MaxRounds, caller));
        if (result.Workflow is { } stored)
        {
            return TypedResults.Created($"/api/workflows/{stored.Id}", WorkflowResponse.From(stored));
        }

        var problem = ProblemResults.Create(StatusCodes.Status422UnprocessableEntity, ErrorCodes.WorkflowGenerateInvalid,
            $"The planner's final draft (after {result.Provenance.Rounds} round(s)) is not a valid workflow; nothing was stored. The draft and its findings are attached.");
        problem.Extensions["errors"] = result.Findings.Select(f => new { path = f.Path, code = f.Code, message = f.Message }).ToArray();
        problem.Extensions["draft"] = Draft(result.DraftJson);
        problem.Extensions["provenance"] = result.Provenance;
        return TypedResults.Problem(problem);
    }

    /// <summary>The draft as JSON when it is JSON, else as the text the planner gave.</summary>
    private static JsonNode? Draft(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return JsonValue.Create(json);
        }
    }
}
