using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace EdgeProxy.TestOrigin;

public sealed partial class TestOriginServer
{
    private async Task EchoAsync(HttpContext context, int n)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        long length = 0;
        int read;
        while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            sha.AppendData(buffer, 0, read);
            length += read;
        }

        var echo = new Dictionary<string, object?>
        {
            ["origin"] = _options.Name,
            ["count"] = n,
            ["method"] = context.Request.Method,
            ["path"] = context.Request.Path.Value,
            ["query"] = context.Request.QueryString.Value,
            ["protocol"] = context.Request.Protocol,
            ["bodyLength"] = length,
            ["bodySha256"] = Convert.ToHexString(sha.GetHashAndReset()),
            ["headers"] = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
        };
        var status = Int(context.Request.Query, "status") ?? 200;
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        foreach (var (key, value) in context.Request.Query)
        {
            if (key.StartsWith("h.", StringComparison.Ordinal))
            {
                context.Response.Headers.Append(key[2..], value);
            }
        }

        await JsonSerializer.SerializeAsync(context.Response.Body, echo, cancellationToken: context.RequestAborted);
    }

    private static async Task EchoWebSocketAsync(HttpContext context, CancellationToken ct)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[4096];
        while (true)
        {
            var message = await socket.ReceiveAsync(buffer, ct);
            if (message.MessageType == System.Net.WebSockets.WebSocketMessageType.Close)
            {
                await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "bye", ct);
                return;
            }

            await socket.SendAsync(buffer.AsMemory(0, message.Count), message.MessageType, message.EndOfMessage, ct);
        }
    }

    private async Task WriteStatsAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        var path = context.Request.Query["path"].ToString();
        object stats = path.Length > 0
            ? new Dictionary<string, object> { ["name"] = _options.Name, ["path"] = path, ["count"] = Counters.For(path) }
            : new Dictionary<string, object> { ["name"] = _options.Name, ["port"] = Port, ["total"] = Counters.Total, ["paths"] = Counters.Snapshot() };
        await JsonSerializer.SerializeAsync(context.Response.Body, stats, cancellationToken: context.RequestAborted);
    }
}
