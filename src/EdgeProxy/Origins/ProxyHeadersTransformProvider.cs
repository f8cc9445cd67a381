using EdgeProxy.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace EdgeProxy.Origins;

/// <summary>
/// Proxy headers on every route, on top of YARP's defaults (which already add <c>X-Forwarded-For/Proto/Host/Prefix</c>
/// and drop the fixed hop-by-hop headers): a <c>Via</c> entry each way (RFC 9110 7.6.3), and removal of
/// the headers a <c>Connection</c> header nominates as hop-by-hop (RFC 9110 7.6.1), which YARP leaves in.
/// </summary>
internal sealed class ProxyHeadersTransformProvider : ITransformProvider
{
    private readonly IOptionsMonitor<EdgeProxyOptions> _options;

    public ProxyHeadersTransformProvider(IOptionsMonitor<EdgeProxyOptions> options) => _options = options;

    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        var options = _options;
        context.AddRequestTransform(transform =>
        {
            var request = transform.HttpContext.Request;
            RemoveNominated(request.Headers.Connection, transform.ProxyRequest);
            transform.ProxyRequest.Headers.TryAddWithoutValidation(HeaderNames.Via, ViaValue(request.Protocol, options.CurrentValue.NodeName));
            return ValueTask.CompletedTask;
        });
        context.AddResponseTransform(transform =>
        {
            if (transform.ProxyResponse is { } origin)
            {
                var headers = transform.HttpContext.Response.Headers;
                foreach (var name in origin.Headers.Connection)
                {
                    headers.Remove(name);
                }

                headers.Append(HeaderNames.Via, ViaValue(origin.Version, options.CurrentValue.NodeName));
            }

            return ValueTask.CompletedTask;
        });
    }

    private static void RemoveNominated(StringValues connection, HttpRequestMessage proxyRequest)
    {
        foreach (var value in connection)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var token in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!proxyRequest.Headers.Remove(token))
                {
                    proxyRequest.Content?.Headers.Remove(token);
                }
            }
        }
    }

    internal static string ViaValue(string protocol, string node) => protocol switch
    {
        "HTTP/1.1" => "1.1 " + node,
        "HTTP/2" => "2 " + node,
        "HTTP/1.0" => "1.0 " + node,
        "HTTP/3" => "3 " + node,
        _ => protocol + " " + node,
    };

    internal static string ViaValue(Version version, string node) => version.Major switch
    {
        1 => version.Minor == 0 ? "1.0 " + node : "1.1 " + node,
        2 => "2 " + node,
        3 => "3 " + node,
        _ => version.ToString(2) + " " + node,
    };
}
