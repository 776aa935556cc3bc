using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace OrleansAgents.Security;

/// <summary>
/// Refresh tokens look like <c>rt_{familyId}.{secret}</c>: the family id (16 random bytes) names
/// the grain, the secret (32 random bytes) proves possession. Both are base64url.
/// </summary>
public static class RefreshTokenRules
{
    public const string Prefix = "rt_";
    private const int FamilyIdBytes = 16;
    private const int SecretBytes = 32;
    private static readonly int FamilyIdLength = Base64Url.GetEncodedLength(FamilyIdBytes);
    private static readonly int SecretLength = Base64Url.GetEncodedLength(SecretBytes);

    /// <summary>A fresh family id, for the caller that starts a family at login.</summary>
    public static string NewFamilyId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(FamilyIdBytes));

    public static bool IsValidFamilyId([NotNullWhen(true)] string? familyId) =>
        familyId is not null && familyId.Length == FamilyIdLength && Base64Url.IsValid(familyId, out var bytes) && bytes == FamilyIdBytes;

    /// <summary>Splits a presented token; false for anything not shaped like one of ours.</summary>
    public static bool TryParse(string? token, [NotNullWhen(true)] out string? familyId, [NotNullWhen(true)] out string? secret)
    {
        familyId = null;
        secret = null;
        if (token is null || token.Length != Prefix.Length + FamilyIdLength + 1 + SecretLength
            || !token.StartsWith(Prefix, StringComparison.Ordinal) || token[Prefix.Length + FamilyIdLength] != '.')
        {
            return false;
        }

        var id = token.Substring(Prefix.Length, FamilyIdLength);
        var s = token[(Prefix.Length + FamilyIdLength + 1)..];
        if (!IsValidFamilyId(id) || !Base64Url.IsValid(s, out var secretBytes) || secretBytes != SecretBytes)
        {
            return false;
        }

        familyId = id;
        secret = s;
        return true;
    }

    public static string NewSecret() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));

    public static string Format(string familyId, string secret) => $"{Prefix}{familyId}.{secret}";

    /// <summary>
    /// SHA-256 is enough here: the secret is 256 random bits, so there is nothing to brute-force
    /// and a slow password hash would only cost CPU on every refresh.
    /// </summary>
    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}

/// <summary>Why a refresh token was refused (<see cref="RefreshResult.Problem"/>).</summary>
public static class RefreshProblems
{
    public const string Malformed = "malformed";
    public const string Unknown = "unknown";
    public const string Revoked = "revoked";
    public const string Expired = "expired";
    public const string Invalid = "invalid";
    public const string Reuse = "reuse";
}
