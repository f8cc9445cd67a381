using EdgeProxy.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace EdgeProxy.Server;

/// <summary>
/// Applies <see cref="TransportOptions.InlineScheduling"/> to both layers that hop to the thread pool: the runtime's
/// socket engine (an environment variable it reads once) and Kestrel's socket transport (an option).
/// </summary>
internal static class InlineScheduling
{
    /// <summary>The runtime's switch for running socket completions on the epoll threads.</summary>
    public const string RuntimeVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Sets <see cref="RuntimeVariable"/> for this process when inline scheduling is on and the environment says
    /// nothing (an operator's own value, "0" included, wins). The runtime reads it when the first socket is made,
    /// so this runs before the host is built; once a socket exists it changes nothing. True when it set the variable.
    /// </summary>
    public static bool ApplyToRuntime(TransportOptions transport)
    {
        if (!transport.InlineScheduling || Environment.GetEnvironmentVariable(RuntimeVariable) is not null)
        {
            return false;
        }

        Environment.SetEnvironmentVariable(RuntimeVariable, "1");
        return true;
    }

    /// <summary>Kestrel's half: run connection and request continuations on the transport's I/O threads.</summary>
    public static IServiceCollection AddInlineScheduling(this IServiceCollection services)
    {
        services.AddOptions<SocketTransportOptions>()
            .Configure<IOptions<EdgeProxyOptions>>(static (sockets, options) =>
                sockets.UnsafePreferInlineScheduling = options.Value.Transport.InlineScheduling);
        return services;
    }
}
