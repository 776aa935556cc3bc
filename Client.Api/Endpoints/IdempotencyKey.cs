using Microsoft.AspNetCore.Http.HttpResults;
using OrleansAgents.Api.Errors;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Endpoints;

/// <summary>
/// The optional <c>Idempotency-Key</c> header of submissions (tasks, workflow runs, consensus rounds, optimisations):
/// one reader, so every submission accepts and refuses the same values with the same problem.
/// </summary>
public static class IdempotencyKey
{
    public const string Header = "Idempotency-Key";

    /// <summary>The header: absent, or one valid value; else a 400 <c>task.invalid_idempotency_key</c>.</summary>
    public static bool TryRead(HttpContext http, out string? key, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out ProblemHttpResult? problem)
    {
        key = null;
        problem = null;
        if (http.Request.Headers.TryGetValue(Header, out var keys))
        {
            key = keys.ToString();
            if (keys.Count != 1 || !TaskRules.IsValidIdempotencyKey(key))
            {
                problem = ProblemResults.Invalid(ErrorCodes.TaskInvalidIdempotencyKey,
                    $"{Header} must be one printable ASCII value of 1 to {TaskRules.IdempotencyKeyMaxLength} characters.");
                return false;
            }
        }

        return true;
    }
}
