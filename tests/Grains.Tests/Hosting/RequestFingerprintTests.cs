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
}
