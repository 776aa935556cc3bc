using System.Security.Cryptography;
using System.Text;

namespace OrleansAgents.Grains.Hosting;

/// <summary>
/// What an idempotent resend is compared by: a SHA-256 over the request's fields (JSON inputs
/// already canonical, one field a line). Equal fingerprints mean the same request; a different
/// one under the same key is a 409. The format is stored with tasks, so it never changes.
/// </summary>
public static class RequestFingerprint
{
    public static string Of(params object?[] fields) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', fields))));
}
