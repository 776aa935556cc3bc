using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using OrleansAgents.Errors;

namespace OrleansAgents.Security;

/// <summary>
/// API keys look like <c>oak_{id}_{secret}</c>: the id (16 lowercase base32 characters) names the
/// grain, the secret (32 random bytes, base64url, which may itself contain <c>_</c>) proves possession.
/// </summary>
public static class ApiKeyRules
{
    private const string Base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    private const int SecretBytes = 32;
    private static readonly int SecretLength = Base64Url.GetEncodedLength(SecretBytes);

    public static string NewId() =>
        string.Create(SecurityRules.ApiKeyIdLength, 0, (chars, _) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = Base32Alphabet[RandomNumberGenerator.GetInt32(Base32Alphabet.Length)];
            }
        });

    /// <summary>The subject a key's requests carry (and are rate limited as).</summary>
    public static string Subject(string id) => "apikey-" + id;

    public static bool IsValidId([NotNullWhen(true)] string? id) =>
        id is not null && id.Length == SecurityRules.ApiKeyIdLength && id.All(c => Base32Alphabet.Contains(c, StringComparison.Ordinal));

    /// <summary>Splits a presented key; false for anything not shaped like one of ours.</summary>
    public static bool TryParse(string? key, [NotNullWhen(true)] out string? id, [NotNullWhen(true)] out string? secret)
    {
        id = null;
        secret = null;
        var prefix = SecurityRules.ApiKeyPrefix;
        if (key is null || key.Length != prefix.Length + SecurityRules.ApiKeyIdLength + 1 + SecretLength
            || !key.StartsWith(prefix, StringComparison.Ordinal) || key[prefix.Length + SecurityRules.ApiKeyIdLength] != '_')
        {
            return false;
        }

        var parsedId = key.Substring(prefix.Length, SecurityRules.ApiKeyIdLength);
        var parsedSecret = key[(prefix.Length + SecurityRules.ApiKeyIdLength + 1)..];
        if (!IsValidId(parsedId) || !Base64Url.IsValid(parsedSecret, out var bytes) || bytes != SecretBytes)
        {
            return false;
        }

        id = parsedId;
        secret = parsedSecret;
        return true;
    }

    /// <summary>A key's agent scope as stored: null for an unscoped key; an invalid list is refused.</summary>
    public static List<string>? ValidAgents(IReadOnlyList<string>? agents) =>
        agents is null ? null
        : SecurityRules.IsValidKeyAgents(agents) ? [.. agents]
        : throw new DomainException(ErrorCodes.ApiKeyInvalidAgents,
            $"agents must be 1 to {SecurityRules.MaxKeyAgents} distinct agent ids.");

    public static string NewSecret() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));

    public static string Format(string id, string secret) => $"{SecurityRules.ApiKeyPrefix}{id}_{secret}";

    /// <summary>
    /// SHA-256, not a password hash: the secret is 256 random bits, so a fast hash leaks nothing
    /// guessable, and a slow one would cost CPU on every authenticated request.
    /// </summary>
    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
