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

    [Property(MaxTest = 500)]
    public bool Pick_NarrowRangeAnyRandom_WithinRange(uint random) =>
        new ApplicationDataLengthPolicy(2241, 2243).Pick(random) is >= 2241 and <= 2243;

    [Fact]
    public void Pick_EveryLowBitPattern_GivesAnEcdsaSignaturesSpread()
    {
        // Two steps, as the built-in profile's two DER integers make: a quarter, a half, a quarter.
        var policy = new ApplicationDataLengthPolicy(2241, 2243);
        var counts = new int[3];
        for (uint random = 0; random < 1024; random++)
        {
            counts[policy.Pick(random) - 2241]++;
        }

        Assert.Equal([256, 512, 256], counts);
    }

    [Fact]
    public void Pick_OneLength_AlwaysIt()
    {
        var policy = new ApplicationDataLengthPolicy(2084, 2084);

        Assert.Equal([2084, 2084, 2084], [policy.Pick(0), policy.Pick(uint.MaxValue), policy.Pick(12345)]);
    }

    [Fact]
    public void Pick_RangeWiderThan32Steps_CoversItUniformly()
    {
        var policy = new ApplicationDataLengthPolicy(10, 50);

        Assert.Equal([10, 11, 50, 10], [policy.Pick(0), policy.Pick(1), policy.Pick(40), policy.Pick(41)]);
    }
}
