using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Security;

/// <summary>Stored with the Orleans binary serializer: never renumber an [Id] or change the alias.</summary>
[GenerateSerializer, Alias("OrleansAgents.ApiKeyState.v1")]
public sealed class ApiKeyState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public string Name { get; set; } = "";
    [Id(2)] public List<string> Roles { get; set; } = [];
    [Id(3)] public string CreatedBy { get; set; } = "";
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }
    [Id(5)] public DateTimeOffset? ExpiresAt { get; set; }
    [Id(6)] public DateTimeOffset? RevokedAt { get; set; }
    [Id(7)] public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary>SHA-256 of the secret (see <see cref="ApiKeyRules.Hash"/>); the secret itself is never stored.</summary>
    [Id(8)] public byte[] SecretHash { get; set; } = [];

    /// <summary>The rate-limit tier given at creation (shown only; the bucket grain holds the limits).</summary>
    [Id(9)] public string? Tier { get; set; }

    /// <summary>The agents a worker key is confined to (null: not a worker key); see docs/security.md.</summary>
    [Id(10)] public List<string>? Agents { get; set; }
}

/// <summary>One API key (key: key id from <see cref="ApiKeyRules.NewId"/>). Keys are revoked, never deleted.</summary>
public sealed partial class ApiKeyGrain(
    [PersistentState("apikey", StorageNames.Security)] IPersistentState<ApiKeyState> state,
    IOptions<SecurityOptions> options,
    TimeProvider time,
    ILogger<ApiKeyGrain> logger) : Grain, IApiKeyGrain
{
    private readonly SecurityOptions _options = options.Value;

    // LastUsedAt as storage has it: uses are recorded in memory and written at most once per interval.
    private DateTimeOffset? _storedLastUsedAt;

    private ApiKeyState S => state.State;

    private string Id => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _storedLastUsedAt = S.LastUsedAt;
        return Task.CompletedTask;
    }

    public async Task<ApiKeyCreated> CreateAsync(ApiKeySpec spec)
    {
        if (!ApiKeyRules.IsValidId(Id))
        {
            throw new DomainException(ErrorCodes.ApiKeyInvalidId, "API key ids come from ApiKeyRules.NewId().");
        }

        if (S.Exists)
        {
            throw new DomainException(ErrorCodes.ApiKeyExists, $"API key '{Id}' already exists.", DomainErrorKind.Conflict);
        }

        var name = UserValidation.DisplayName(spec.Name, ErrorCodes.ApiKeyInvalidName)
            ?? throw new DomainException(ErrorCodes.ApiKeyInvalidName, "An API key needs a name.");
        var agents = ApiKeyRules.ValidAgents(spec.Agents);
        // A worker key needs no role: its agents are what it may act for (leases, heartbeats).
        var roles = agents is not null && spec.Roles.Count == 0 ? [] : UserValidation.Roles(spec.Roles, ErrorCodes.ApiKeyInvalidRole);
        var now = time.GetUtcNow();
        if (spec.ExpiresAt is { } expiresAt && expiresAt <= now)
        {
            throw new DomainException(ErrorCodes.ApiKeyInvalidExpiry, "expiresAt must be in the future.");
        }

        var secret = ApiKeyRules.NewSecret();
        state.State = new ApiKeyState
        {
            Exists = true,
            Name = name,
            Roles = roles,
            CreatedBy = spec.CreatedBy,
            CreatedAt = now,
            ExpiresAt = spec.ExpiresAt,
            SecretHash = ApiKeyRules.Hash(secret),
            Tier = spec.Tier,
            Agents = agents,
        };
        await state.SaveOrDeactivateAsync(this);
        await GrainFactory.GetGrain<IApiKeyDirectoryGrain>(0).AddAsync(Id);
        LogCreated(Id, spec.CreatedBy);
        return new ApiKeyCreated(View(), ApiKeyRules.Format(Id, secret));
    }

    public ValueTask<ApiKeyView?> GetAsync() => ValueTask.FromResult(S.Exists ? View() : null);

    public async Task<ApiKeyView?> VerifyAsync(string secret)
    {
        if (!S.Exists || secret is null || S.SecretHash.Length == 0
            || !CryptographicOperations.FixedTimeEquals(ApiKeyRules.Hash(secret), S.SecretHash))
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (S.RevokedAt is not null || (S.ExpiresAt is { } expiresAt && expiresAt <= now))
        {
            return null;
        }

        S.LastUsedAt = now;
        if (_storedLastUsedAt is null || now - _storedLastUsedAt >= _options.ApiKeyUsageWriteInterval)
        {
            await state.SaveOrDeactivateAsync(this);
            _storedLastUsedAt = now;
        }

        return View();
    }

    public async Task<ApiKeyView> RevokeAsync()
    {
        if (!S.Exists)
        {
            throw new DomainException(ErrorCodes.ApiKeyNotFound, $"API key '{Id}' does not exist.", DomainErrorKind.NotFound);
        }

        if (S.RevokedAt is null)
        {
            S.RevokedAt = time.GetUtcNow();
            await state.SaveOrDeactivateAsync(this);
            _storedLastUsedAt = S.LastUsedAt;
            LogRevoked(Id);
        }

        return View();
    }

    private ApiKeyView View() => new(Id, S.Name, S.Roles.ToArray(), S.CreatedBy, S.CreatedAt, S.ExpiresAt, S.RevokedAt, S.LastUsedAt, S.Tier, S.Agents?.ToArray());

    [LoggerMessage(Level = LogLevel.Information, Message = "API key {KeyId} created by {CreatedBy}")]
    private partial void LogCreated(string keyId, string createdBy);

    [LoggerMessage(Level = LogLevel.Information, Message = "API key {KeyId} revoked")]
    private partial void LogRevoked(string keyId);
}
