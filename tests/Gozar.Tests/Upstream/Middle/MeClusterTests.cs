using Gozar.Upstream.Middle;

namespace Gozar.Tests.Upstream.Middle;

public sealed class MeClusterTests
{
    [Theory]
    [InlineData(0, 64, 1)]
    [InlineData(1, 64, 1)]
    [InlineData(2, 64, 2)]
    [InlineData(7, 64, 64)]
    [InlineData(8, 64, 64)]
    [InlineData(1000, 64, 64)]
    [InlineData(5, 10, 10)]
    [InlineData(3, 1, 1)]
    [InlineData(1000, 1024, 1024)]
    public void BackoffFactor_Failures_DoublesUpToTheCap(int failures, int cap, int expected)
    {
        Assert.Equal(expected, MeCluster.BackoffFactor(failures, cap));
    }
}
