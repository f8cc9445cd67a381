using EdgeProxy.Caching;
using Microsoft.Extensions.Primitives;

namespace EdgeProxy.Tests.Caching;

public sealed class CacheControlTests
{
    [Theory]
    [InlineData("max-age=60", 60)]
    [InlineData("MaX-AgE=60", 60)]
    [InlineData("max-age=003600", 3600)]
    [InlineData("max-age=\"3600\"", 3600)]
    [InlineData("max-age=1800, max-age=1", 1800)]
    [InlineData("extension=\"max-age=3600\", max-age=1", 1)]
    [InlineData("max-age=1, extension=\"max-age=3600\"", 1)]
    [InlineData("max-age=2147483648", 2147483648)]
    [InlineData("max-age=99999999999", 2147483648)]
    public void Parse_MaxAge_FirstValidOccurrence(string field, long seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), CacheControl.Parse(field).MaxAge);
    }

    [Theory]
    [InlineData("max-age=a100")]
    [InlineData("max-age=100a")]
    [InlineData("max-age=-100")]
    [InlineData("max-age='3600'")]
    [InlineData("max-age=3600.5")]
    public void Parse_InvalidDeltaSeconds_CountsAsZero_Stale(string field)
    {
        Assert.Equal(TimeSpan.Zero, CacheControl.Parse(field).MaxAge);
    }

    [Theory]
    [InlineData("max-age =100")]
    [InlineData("max-age= 100")]
    public void Parse_SpaceAroundEquals_DirectiveIgnored(string field)
    {
        Assert.Null(CacheControl.Parse(field).MaxAge);
    }

    [Fact]
    public void Parse_SeparateFieldLines_Combined()
    {
        var cc = CacheControl.Parse(new StringValues(["max-age=3600", "s-maxage=1", "No-StOrE"]));
        Assert.Equal(TimeSpan.FromSeconds(3600), cc.MaxAge);
        Assert.Equal(TimeSpan.FromSeconds(1), cc.SharedMaxAge);
        Assert.True(cc.NoStore);
    }

    [Fact]
    public void Parse_QualifiedNoCacheAndPrivate_ListFieldsWithoutForbiddingTheResponse()
    {
        var cc = CacheControl.Parse("no-cache=\"a, b\", private=\"c\", max-age=5");
        Assert.False(cc.NoCache);
        Assert.False(cc.Private);
        Assert.Equal(["a", "b"], cc.NoCacheFields!);
        Assert.Equal(["c"], cc.PrivateFields!);
    }

    [Fact]
    public void Parse_RequestDirectives()
    {
        var cc = CacheControl.Parse("max-stale, min-fresh=5, only-if-cached, stale-if-error=7");
        Assert.Equal(TimeSpan.MaxValue, cc.MaxStale);
        Assert.Equal(TimeSpan.FromSeconds(5), cc.MinFresh);
        Assert.True(cc.OnlyIfCached);
        Assert.Equal(TimeSpan.FromSeconds(7), cc.StaleIfError);
    }

    [Theory]
    [InlineData("max-age=3600", 3600)]
    [InlineData("foobar, max-age=3600", 3600)]
    [InlineData("max-age=3600;foo=bar", 3600)]
    public void CdnCacheControl_ValidStructuredField_Parsed(string field, long seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), CacheControl.ParseStructured(field)!.MaxAge);
    }

    [Theory]
    [InlineData("max-age=10000, &&&&&")]
    [InlineData("MaX-aGe=3600")]
    [InlineData("max-age=100,")]
    public void CdnCacheControl_InvalidStructuredField_WholeFieldIgnored(string field)
    {
        Assert.Null(CacheControl.ParseStructured(field));
    }

    [Fact]
    public void CdnCacheControl_StringWhereIntegerExpected_DirectiveIgnored()
    {
        var cc = CacheControl.ParseStructured("max-age=\"10000\"")!;
        Assert.Null(cc.MaxAge);
    }

    [Fact]
    public void CdnCacheControl_BooleanDirectives()
    {
        var cc = CacheControl.ParseStructured("private, no-store")!;
        Assert.True(cc.Private);
        Assert.True(cc.NoStore);
    }
}
