using System.Globalization;
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
    // Fields are formatted with the invariant culture: a resend reaching a silo with another
    // locale (a double as "0,5" under de-DE) must give the same fingerprint. Invariant output is
    // what string.Join gave on the invariant-culture silos that stored the existing fingerprints.
    public static string Of(params object?[] fields) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n',
            fields.Select(f => Convert.ToString(f, CultureInfo.InvariantCulture))))));
}
