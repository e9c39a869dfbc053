using Gozar.Hosting;

namespace Gozar.Tests.Hosting;

public sealed class SocketCompletionsTests : IDisposable
{
    private readonly string? _saved = Environment.GetEnvironmentVariable(SocketCompletions.InlineVariable);

    public void Dispose() => Environment.SetEnvironmentVariable(SocketCompletions.InlineVariable, _saved);

    [Fact]
    public void PreferInline_VariableUnset_SetsItToOne()
    {
        Environment.SetEnvironmentVariable(SocketCompletions.InlineVariable, null);

        Assert.True(SocketCompletions.PreferInline());
        Assert.Equal("1", Environment.GetEnvironmentVariable(SocketCompletions.InlineVariable));
    }

    [Fact]
    public void PreferInline_VariableZero_LeavesItOff()
    {
        Environment.SetEnvironmentVariable(SocketCompletions.InlineVariable, "0");

        Assert.False(SocketCompletions.PreferInline());
        Assert.Equal("0", Environment.GetEnvironmentVariable(SocketCompletions.InlineVariable));
    }
}
