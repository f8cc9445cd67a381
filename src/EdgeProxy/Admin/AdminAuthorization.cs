using System.Security.Cryptography;
using System.Text;
using EdgeProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EdgeProxy.Admin;

/// <summary>
/// The admin API key check: <c>Authorization: Bearer KEY</c> or <c>X-Api-Key: KEY</c>, compared in
/// constant time (both sides hashed to a fixed length first, so not even the length leaks).
/// No key configured means the admin listener is loopback-only and open.
/// </summary>
internal sealed class AdminAuthorization
{
    public const string ApiKeyHeader = "X-Api-Key";

    private readonly IOptionsMonitor<EdgeProxyOptions> _options;

    public AdminAuthorization(IOptionsMonitor<EdgeProxyOptions> options) => _options = options;

    public bool MetricsRequireKey => _options.CurrentValue.Admin.MetricsRequireKey;

    public bool IsAuthorized(HttpRequest request)
    {
        var key = _options.CurrentValue.Admin.ApiKey;
        if (string.IsNullOrEmpty(key))
        {
            return true;
        }

        var presented = Presented(request);
        if (presented is null)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[32];
        Span<byte> actual = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), expected);
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), actual);
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    private static string? Presented(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        var header = request.Headers[ApiKeyHeader].ToString();
        return header.Length > 0 ? header : null;
    }
}
