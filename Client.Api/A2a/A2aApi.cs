using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OrleansAgents.Agents;
using OrleansAgents.Api.Errors;
using OrleansAgents.Api.Security;
using OrleansAgents.Errors;
using OrleansAgents.Security;

namespace OrleansAgents.Api.A2a;

/// <summary>
/// Agent2Agent v1.0 over JSON-RPC: the cluster's endpoint <c>POST /api/a2a</c> and one per hosted
/// agent, <c>POST /api/a2a/agents/{id}</c>, with their agent cards. Under /api, so the same
/// authentication, per-user rate limit and body limit apply. Every answer is a JSON-RPC response
/// (HTTP 200) or, for the streaming methods, Server-Sent Events whose data are JSON-RPC responses.
/// </summary>
public static partial class A2aApi
{
    public const string WellKnownCard = "/.well-known/agent-card.json";

    public static IServiceCollection AddA2a(this IServiceCollection services)
    {
        services.AddOptions<A2aOptions>().BindConfiguration(A2aOptions.Section)
            .Validate(o => o.BlockingWait >= TimeSpan.FromSeconds(1) && o.BlockingWait <= TimeSpan.FromMinutes(5), "A2a:BlockingWait must be between 00:00:01 and 00:05:00.")
            .Validate(o => o.MaxCardSkills is >= 0 and <= AgentRules.MaxPageSize, $"A2a:MaxCardSkills must be between 0 and {AgentRules.MaxPageSize}.")
            .ValidateOnStart();
        return services;
    }

    /// <summary>The cluster's card at the well-known path: public, with the hosted agents as skills for a caller who may read agents.</summary>
    public static IEndpointRouteBuilder MapA2aAgentCard(this IEndpointRouteBuilder app)
    {
        app.MapGet(WellKnownCard, ClusterCardAsync).AllowAnonymousEndpoint().WithTags("A2A").WithName("A2aAgentCard")
            .WithSummary("The cluster's A2A agent card (skills = hosted agents, listed for callers with agent:read)");
        return app;
    }

    public static IEndpointRouteBuilder MapA2aApi(this IEndpointRouteBuilder api)
    {
        var a2a = api.MapGroup("/a2a").WithTags("A2A");
        a2a.MapPost("/", (HttpContext http, IGrainFactory grains, IOptions<A2aOptions> options, ILoggerFactory logs) =>
                HandleAsync(new A2aCaller(http, grains, null), options.Value, logs))
            .RequireAuthenticated().WithName("A2aJsonRpc")
            .WithSummary("A2A JSON-RPC: SendMessage, SendStreamingMessage, GetTask, CancelTask, SubscribeToTask, ListTasks");
        a2a.MapPost("/agents/{id}", (string id, HttpContext http, IGrainFactory grains, IOptions<A2aOptions> options, ILoggerFactory logs) =>
                HandleAsync(new A2aCaller(http, grains, AgentRules.IsValidId(id) ? id : "~invalid"), options.Value, logs))
            .RequireAuthenticated().WithName("A2aAgentJsonRpc")
            .WithSummary("A2A JSON-RPC of one hosted agent (same methods; tasks and contexts of that agent only)");
        a2a.MapGet("/agents/{id}" + WellKnownCard, AgentCardAsync).RequirePermission(Permissions.AgentRead).WithName("A2aAgentCardOfAgent")
            .WithSummary("One hosted agent's A2A agent card");
        return api;
    }

    private static async Task<IResult> ClusterCardAsync(HttpContext http, IGrainFactory grains, IAuthorizationService authorization, IOptions<A2aOptions> options)
    {
        var skills = new List<AgentView>();
        if (http.User.Identity?.IsAuthenticated == true && (await authorization.AuthorizeAsync(http.User, null, Permissions.AgentRead)).Succeeded)
        {
            string? after = null;
            while (skills.Count < options.Value.MaxCardSkills)
            {
                var page = await grains.GetGrain<IAgentCatalogGrain>(0).ListAsync(new AgentQuery(null, null, AgentRules.MaxPageSize, after));
                skills.AddRange(page.Items.Where(AgentCards.IsHosted).Take(options.Value.MaxCardSkills - skills.Count));
                if ((after = page.NextCursor) is null)
                {
                    break;
                }
            }
        }

        return Json(AgentCards.Cluster(BaseUrl(http), skills));
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> AgentCardAsync(string id, HttpContext http, IGrainFactory grains)
    {
        if (!AgentRules.IsValidId(id))
        {
            return QueryParameters.InvalidAgentId();
        }

        var agent = await grains.GetGrain<IAgentGrain>(id).GetAsync();
        if (agent is null || !AgentCards.IsHosted(agent))
        {
            return ProblemResults.Problem(StatusCodes.Status404NotFound, ErrorCodes.AgentNotFound, $"'{id}' is not a hosted agent of this cluster.");
        }

        return Json(AgentCards.Agent(BaseUrl(http), agent));
    }

    private static ContentHttpResult Json(JsonNode node) => TypedResults.Text(node.ToJsonString(A2aTasks.Wire), "application/json", Encoding.UTF8);

    private static string BaseUrl(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";
}
