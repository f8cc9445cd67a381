using EdgeProxy.Caching;

namespace EdgeProxy.Tests.Caching;

public sealed class HttpDateTests
{
    private static readonly long Expected = new DateTime(2050, 8, 18, 2, 1, 18, DateTimeKind.Utc).Ticks;

    [Theory]
    [InlineData("Thu, 18 Aug 2050 02:01:18 GMT")]
    [InlineData("THU, 18 Aug 2050 02:01:18 GMT")]
    [InlineData("Thu, 18 AUG 2050 02:01:18 GMT")]
    [InlineData("Thu, 18 Aug 2050 02:01:18 gMT")]
    [InlineData("Thursday, 18-Aug-50 02:01:18 GMT")]
    [InlineData("Thu Aug 18 02:01:18 2050")]
    [InlineData("Sun, 18 Aug 2050 02:01:18 GMT")] // wrong weekday: ignored, as lenient peers do
    public void TryParse_HttpDateForms_Accepted(string value)
    {
        Assert.True(HttpDate.TryParse(value, out var ticks));
        Assert.Equal(Expected, ticks);
    }

    [Fact]
    public void TryParse_AsctimeWeekdayNotMatchingTheDate_Accepted()
    {
        // From the HTTP cache-tests (freshness-expires-ansi-c): 8 Aug 2050 is a Monday.
        Assert.True(HttpDate.TryParse("Thu Aug  8 02:01:18 2050", out var ticks));
        Assert.Equal(new DateTime(2050, 8, 8, 2, 1, 18, DateTimeKind.Utc).Ticks, ticks);
    }

    [Fact]
    public void TryParse_AsctimeOneDigitDay_Accepted()
    {
        Assert.True(HttpDate.TryParse("Sun Nov  6 08:49:37 1994", out var ticks));
        Assert.Equal(new DateTime(1994, 11, 6, 8, 49, 37, DateTimeKind.Utc).Ticks, ticks);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("Thu, 18 Aug 2050 02:01:18 UTC")]
    [InlineData("Thu, 18 Aug 50 02:01:18 GMT")]
    [InlineData("Thu 18 Aug 2050 02:01:18 GMT")]
    [InlineData("Thu, 18  Aug  2050 02:01:18 GMT")]
    [InlineData("Thu, 18-Aug-2050 02:01:18 GMT")]
    [InlineData("Thu, 18 Aug 2050 02.01.18 GMT")]
    [InlineData("Thu, 18 Aug 2050 2:01:18 GMT")]
    [InlineData("Xyz, 18 Aug 2050 02:01:18 GMT")] // not a day name
    [InlineData("Thu,18 Aug 2050 02:01:18 GMT")]
    [InlineData("")]
    public void TryParse_InvalidExpires_Rejected(string value)
    {
        Assert.False(HttpDate.TryParse(value, out _));
    }
}
