using EdgeProxy.Server;

namespace EdgeProxy.Tests.Server;

public sealed class InlineSchedulingTests
{
    [Fact]
    public void ApplyToRuntime_Off_LeavesTheEnvironmentAlone()
    {
        var before = Environment.GetEnvironmentVariable(InlineScheduling.RuntimeVariable);

        Assert.False(InlineScheduling.ApplyToRuntime(new TransportOptions { InlineScheduling = false }));
        Assert.Equal(before, Environment.GetEnvironmentVariable(InlineScheduling.RuntimeVariable));
    }

    [Fact]
    public void ApplyToRuntime_On_SetsTheRuntimeSwitchUnlessTheEnvironmentHasOne()
    {
        var before = Environment.GetEnvironmentVariable(InlineScheduling.RuntimeVariable);
        try
        {
            Environment.SetEnvironmentVariable(InlineScheduling.RuntimeVariable, "0");
            Assert.False(InlineScheduling.ApplyToRuntime(new TransportOptions()));
            Assert.Equal("0", Environment.GetEnvironmentVariable(InlineScheduling.RuntimeVariable)); // the operator's choice wins

            Environment.SetEnvironmentVariable(InlineScheduling.RuntimeVariable, null);
            Assert.True(InlineScheduling.ApplyToRuntime(new TransportOptions()));
            Assert.Equal("1", Environment.GetEnvironmentVariable(InlineScheduling.RuntimeVariable));
        }
        finally
        {
            Environment.SetEnvironmentVariable(InlineScheduling.RuntimeVariable, before);
        }
    }
}
