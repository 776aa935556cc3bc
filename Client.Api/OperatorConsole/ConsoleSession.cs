namespace OrleansAgents.Api.OperatorConsole;

/// <summary>
/// Who is logged in to this console circuit: the tokens the API issued and the permissions it
/// reported. Lives in the circuit's memory (one per browser tab); a reload restores it from the
/// tab's session storage, encrypted by ASP.NET Data Protection (<see cref="ConsoleSessionStore"/>).
/// Buttons are shown by these permissions; the API still checks every call.
/// </summary>
public sealed class ConsoleSession
{
    public string? AccessToken { get; private set; }

    public string? RefreshToken { get; private set; }

    public string User { get; private set; } = "";

    public IReadOnlyList<string> Roles { get; private set; } = [];

    public IReadOnlySet<string> Permissions { get; private set; } = new HashSet<string>();

    public bool IsLoggedIn => AccessToken is not null;

    public event Action? Changed;

    public bool Can(string permission) => Permissions.Contains(permission);

    public void SignIn(ConsoleTokens tokens)
    {
        AccessToken = tokens.AccessToken;
        RefreshToken = tokens.RefreshToken;
        User = tokens.User;
        Roles = tokens.Roles;
        Permissions = tokens.Permissions.ToHashSet(StringComparer.Ordinal);
        Changed?.Invoke();
    }

    public void SignOut()
    {
        AccessToken = null;
        RefreshToken = null;
        User = "";
        Roles = [];
        Permissions = new HashSet<string>();
        Changed?.Invoke();
    }

    public ConsoleTokens? Snapshot() => AccessToken is null || RefreshToken is null
        ? null
        : new ConsoleTokens(AccessToken, RefreshToken, User, Roles, [.. Permissions]);
}

/// <summary>The part of the login (and refresh) response the console keeps.</summary>
public sealed record ConsoleTokens(string AccessToken, string RefreshToken, string User, IReadOnlyList<string> Roles, IReadOnlyList<string> Permissions);
