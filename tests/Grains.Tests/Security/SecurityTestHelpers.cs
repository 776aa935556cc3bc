using OrleansAgents.Errors;

namespace OrleansAgents.Tests.Security;

internal static class SecurityTestHelpers
{
    public const string Password = "correct horse battery";

    public static string NewUserName() => $"u-{Guid.NewGuid():N}"[..20];

    public static UserSpec Spec(string? password = Password, string[]? roles = null, string? tier = null, bool disabled = false, string? displayName = null) =>
        new(password, roles ?? [Roles.Developer], tier, disabled, displayName);

    public static async Task<DomainException> RefusedAsync(Func<Task> call, string code)
    {
        var ex = await Assert.ThrowsAsync<DomainException>(call);
        Assert.Equal(code, ex.Code);
        return ex;
    }
}
