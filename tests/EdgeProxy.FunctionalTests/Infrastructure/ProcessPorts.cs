using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace EdgeProxy.FunctionalTests.Infrastructure;

/// <summary>
/// Ports for a child process to bind later (its listeners open only after the start-up warm-up, seconds on).
/// A port taken from the kernel's ephemeral range and released may meanwhile become the local port of any
/// outgoing connection (the warm-up alone opens dozens), and the child then fails to bind it. These come
/// from below that range, where the kernel never picks; each is checked free and handed out once per run.
/// </summary>
internal static class ProcessPorts
{
    private const int Lowest = 20000;
    private static readonly HashSet<int> Given = [];

    public static int[] Reserve(int count)
    {
        var below = EphemeralLow();
        var ports = new int[count];
        lock (Given)
        {
            for (var i = 0; i < count; i++)
            {
                ports[i] = Next(below);
            }
        }

        return ports;
    }

    private static int Next(int below)
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = Random.Shared.Next(Lowest, below);
            if (Given.Contains(port) || !Free(port))
            {
                continue;
            }

            Given.Add(port);
            return port;
        }

        throw new InvalidOperationException($"no free loopback port in {Lowest}-{below - 1} after 1000 tries");
    }

    private static bool Free(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int EphemeralLow()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            var low = int.Parse(range[0], CultureInfo.InvariantCulture);
            return low > Lowest + 1000 ? low : 32768;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768;
        }
    }
}
