using FsCheck.Xunit;
using Gozar.Protocol.FakeTls;

namespace Gozar.Protocol.Tests.FakeTls;

public class ApplicationDataLengthPolicyTests
{
    [Fact]
    public void FromSamples_AllEqual_ExactlyThatLength()
    {
        var policy = ApplicationDataLengthPolicy.FromSamples([2878, 2878, 2878]);

        Assert.Equal((2878, 2878), (policy.Minimum, policy.Maximum));
    }

    [Fact]
    public void FromSamples_SpreadOfThree_MaxMinusOneWithJitter()
    {
        var policy = ApplicationDataLengthPolicy.FromSamples([4000, 4003, 4001]);

        Assert.Equal((4001, 4003), (policy.Minimum, policy.Maximum));
    }

    [Fact]
    public void FromSamples_WideSpread_RoundedMeanWithJitter()
    {
        var policy = ApplicationDataLengthPolicy.FromSamples([3000, 4000, 4001]);

        Assert.Equal((3666, 3668), (policy.Minimum, policy.Maximum));
    }

    [Fact]
    public void FromSamples_None_Fallback2500To4700()
    {
        var policy = ApplicationDataLengthPolicy.FromSamples([]);

        Assert.Equal(ApplicationDataLengthPolicy.Fallback, policy);
        Assert.Equal((2500, 4700), (policy.Minimum, policy.Maximum));
    }

    [Fact]
    public void Constructor_MinimumAboveMaximum_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ApplicationDataLengthPolicy(10, 9));
    }

    [Property(MaxTest = 500)]
    public bool Pick_AnyRandom_WithinRange(uint random) =>
        ApplicationDataLengthPolicy.Fallback.Pick(random) is >= 2500 and <= 4700;

    [Fact]
    public void Pick_ConsecutiveRandoms_CoverWholeRange()
    {
        var policy = new ApplicationDataLengthPolicy(10, 12);

        Assert.Equal([10, 11, 12, 10], [policy.Pick(0), policy.Pick(1), policy.Pick(2), policy.Pick(3)]);
    }
}
