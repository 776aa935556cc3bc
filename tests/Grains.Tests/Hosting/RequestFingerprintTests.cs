using System.Globalization;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Tests.Hosting;

public sealed class RequestFingerprintTests
{
    [Fact]
    public void Of_SameFields_SameFingerprint_AndAnyFieldChangesIt()
    {
        var a = RequestFingerprint.Of("agent-1", null, "echo", """{"text":"hi"}""", 5, TimeSpan.FromSeconds(30));

        Assert.Equal(a, RequestFingerprint.Of("agent-1", null, "echo", """{"text":"hi"}""", 5, TimeSpan.FromSeconds(30)));
        Assert.NotEqual(a, RequestFingerprint.Of("agent-1", null, "echo", """{"text":"hi"}""", 6, TimeSpan.FromSeconds(30)));
        Assert.NotEqual(a, RequestFingerprint.Of(null, "agent-1", "echo", """{"text":"hi"}""", 5, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Of_IsTheStoredFormat_Sha256OfTheFieldsOneALine()
    {
        // Tasks store this value; a change would turn every resend of a stored task into a 409.
        Assert.Equal(
            Convert.ToHexString(System.Security.Cryptography.SHA256.HashData("a\n\necho\n3"u8)),
            RequestFingerprint.Of("a", null, "echo", 3));
    }

    [Fact]
    public void Of_UnderAGermanCulture_SameFingerprintAsInvariant()
    {
        var fields = new object?[] { "a", 0.5, 1234.5m, new DateTime(2026, 12, 5, 13, 4, 5, DateTimeKind.Utc), TimeSpan.FromSeconds(1.5) };
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            var invariant = RequestFingerprint.Of(fields);
            CultureInfo.CurrentCulture = GermanLike();
            Assert.Equal(invariant, RequestFingerprint.Of(fields));
            Assert.Equal(
                Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
                    "a\n0.5\n1234.5\n12/05/2026 13:04:05\n00:00:01.5000000"u8)),
                invariant);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    // The repo builds with InvariantGlobalization, where "de-DE" cannot be created; a clone of the
    // invariant culture with de-DE's separators and date pattern formats the way de-DE does.
    private static CultureInfo GermanLike()
    {
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberDecimalSeparator = ",";
        culture.NumberFormat.NumberGroupSeparator = ".";
        culture.DateTimeFormat.DateSeparator = ".";
        culture.DateTimeFormat.ShortDatePattern = "dd.MM.yyyy";
        Assert.Equal("0,5", 0.5.ToString(culture));
        return culture;
    }
}
