using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Tests.Hosting;

public sealed class EventIdWindowTests
{
    [Fact]
    public void Remember_RefusesRepeats_AndForgetsTheOldestOnceTheRingWraps()
    {
        var window = new EventIdWindow();
        for (var i = 0; i < 40; i++)
        {
            Assert.True(window.Remember($"task:{i}", 32));
        }

        Assert.False(window.Remember("task:39", 32));
        Assert.False(window.Remember("task:8", 32));
        Assert.True(window.Remember("task:7", 32)); // evicted by the wrap; remembering it evicts task:8
        Assert.True(window.Remember("task:8", 32));
        Assert.Equal(32, window.Count);
        Assert.Equal(32 * sizeof(ulong), window.Hashes.Length);
    }

    [Fact]
    public void Remember_KeepsTheNewestIds_WhenTheCapacityShrinks()
    {
        var window = new EventIdWindow();
        for (var i = 0; i < 10; i++)
        {
            window.Remember($"ev-{i}", 10);
        }

        Assert.True(window.Remember("ev-new", 4)); // keeps ev-7..ev-9, then adds ev-new
        Assert.False(window.Remember("ev-9", 4));
        Assert.True(window.Remember("ev-6", 4));
    }

    [Fact]
    public void Remember_WithCapacityZero_RemembersNothing()
    {
        var window = new EventIdWindow();
        Assert.True(window.Remember("a", 0));
        Assert.True(window.Remember("a", 0));
        Assert.Equal(0, window.Count);
    }
}
