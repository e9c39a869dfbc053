using Gozar.Sessions;

namespace Gozar.Tests.Sessions;

public class SecureRandomSourceTests
{
    [Fact]
    public async Task Fill_SmallRequests_NeverHandOutTheSameBytesTwice()
    {
        // A fresh thread starts with a fresh block; 2,000 draws of 32 bytes cross it about 16 times.
        var draws = await Task.Factory.StartNew(
            () =>
            {
                var seen = new HashSet<string>();
                for (var i = 0; i < 2000; i++)
                {
                    var draw = new byte[32];
                    SecureRandomSource.Instance.Fill(draw);
                    seen.Add(Convert.ToHexString(draw));
                }

                return seen.Count;
            },
            TaskCreationOptions.LongRunning);

        Assert.Equal(2000, draws);
    }

    [Fact]
    public void Fill_SmallRequest_WipesWhatItHandedOutFromTheBlock()
    {
        var first = new byte[48];
        var second = new byte[100];
        SecureRandomSource.Instance.Fill(first);
        SecureRandomSource.Instance.Fill(second);

        var block = SecureRandomSource.CurrentThreadBlock;
        var handedOut = 0;
        for (var start = 0; start + second.Length <= block.Length; start++)
        {
            if (block.Slice(start, second.Length).SequenceEqual(second))
            {
                handedOut++;
            }
        }

        Assert.Equal(0, handedOut);
        Assert.Contains(second, b => b != 0);
    }

    [Fact]
    public async Task Fill_Empty_TakesNoBlock()
    {
        var blockLength = await Task.Factory.StartNew(
            () =>
            {
                SecureRandomSource.Instance.Fill([]);
                return SecureRandomSource.CurrentThreadBlock.Length;
            },
            TaskCreationOptions.LongRunning);

        Assert.Equal(0, blockLength);
    }

    [Theory]
    [InlineData(SecureRandomSource.SmallRequest + 1)]
    [InlineData(5000)]
    public void Fill_LargeRequest_FillsAllOfIt(int length)
    {
        var data = new byte[length];
        SecureRandomSource.Instance.Fill(data);

        // 64 zero bytes in a row from a CSPRNG: about 2^-512.
        for (var start = 0; start + 64 <= data.Length; start += 64)
        {
            Assert.True(data.AsSpan(start, 64).ContainsAnyExcept((byte)0), $"bytes {start}..{start + 63} left empty");
        }
    }

    [Fact]
    public void Next_SmallRange_StaysInsideAndHitsEveryValue()
    {
        var counts = new int[9];
        for (var i = 0; i < 9000; i++)
        {
            var value = SecureRandomSource.Instance.Next(-3, 6);
            Assert.InRange(value, -3, 5);
            counts[value + 3]++;
        }

        Assert.All(counts, count => Assert.InRange(count, 700, 1300));
    }

    [Fact]
    public void Next_WidestRange_StaysInside()
    {
        for (var i = 0; i < 1000; i++)
        {
            var value = SecureRandomSource.Instance.Next(int.MinValue, int.MaxValue);
            Assert.NotEqual(int.MaxValue, value);
        }
    }

    [Fact]
    public void Next_EmptyRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SecureRandomSource.Instance.Next(5, 5));
    }
}
