namespace EdgeProxy.FunctionalTests.Infrastructure;

/// <summary>Helpers for cache tests: the Cache-Status value, partial body reads.</summary>
public static class CacheTestExtensions
{
    /// <summary>The Cache-Status field value(s), comma-joined; empty when absent.</summary>
    public static string CacheStatus(this HttpResponseMessage response) =>
        response.Headers.TryGetValues("Cache-Status", out var values) ? string.Join(", ", values) : "";

    /// <summary>Reads exactly <paramref name="count"/> bytes (fails the test if the body ends first).</summary>
    public static async Task<byte[]> ReadExactlyAsync(this Stream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer);
        return buffer;
    }

    /// <summary>Reads the rest of a body; throws (IOException / HttpRequestException) when the body is cut short.</summary>
    public static async Task<byte[]> ReadToEndAsync(this Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
