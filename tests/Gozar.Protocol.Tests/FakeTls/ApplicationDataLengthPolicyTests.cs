using FsCheck.Xunit;
using Gozar.Protocol.FakeTls;

namespace Gozar.Protocol.Tests.FakeTls;

public class ApplicationDataLengthPolicyTests
{
    [Fact]
    public void Constructor_MinimumAboveMaximum_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ApplicationDataLengthPolicy(10, 9));
    }

    [Property(MaxTest = 500)]
    public bool Pick_AnyRandom_WithinRange(uint random) =>
        new ApplicationDataLengthPolicy(2500, 4700).Pick(random) is >= 2500 and <= 4700;

    [Fact]
    public void Pick_ConsecutiveRandoms_CoverWholeRange()
    {
        var policy = new ApplicationDataLengthPolicy(10, 12);

        Assert.Equal([10, 11, 12, 10], [policy.Pick(0), policy.Pick(1), policy.Pick(2), policy.Pick(3)]);
    }
}
