using Microsoft.Extensions.Primitives;
using EdgeProxy.Caching;
using EdgeProxy.Origins;

namespace EdgeProxy.Collapsing;

/// <summary>What a fill learned when the origin answered (or failed before answering): published once to every reader.</summary>
internal sealed record FillHead
{
    public required FillHeadKind Kind { get; init; }

    public int StatusCode { get; init; }

    /// <summary>Response headers as the forwarder produced them (transforms applied).</summary>
    public KeyValuePair<string, StringValues>[] Headers { get; init; } = [];

    /// <summary>Whether readers other than the starter may use this response (storable by RFC 9111 section 3).</summary>
    public bool Shareable { get; init; }

    /// <summary>Why the response is not stored, for Cache-Status detail; null when it is.</summary>
    public string? NotStoredReason { get; init; }

    public string[] VaryNames { get; init; } = [];

    public string VaryKey { get; init; } = "";

    public long? ContentLength { get; init; }

    /// <summary>For <see cref="FillHeadKind.NotModified"/>: the stored entry refreshed by the origin's 304.</summary>
    public CacheEntry? Entry { get; init; }

    /// <summary>For <see cref="FillHeadKind.Failed"/>: the origin attempt.</summary>
    public OriginAttempt Attempt { get; init; }

    /// <summary>The directives this cache obeyed for the response.</summary>
    public CacheControl Directives { get; init; } = CacheControl.Empty;

    public long RequestTime { get; init; }

    public long ResponseTime { get; init; }

    public long FreshnessLifetime { get; init; }

    public long CorrectedInitialAge { get; init; }

    /// <summary>The cluster and destination that answered, for the access log.</summary>
    public string? ClusterId { get; init; }

    public string? Origin { get; init; }

    /// <summary>Escalation's reason when the answer came from a secondary, for Cache-Status detail.</summary>
    public string? EscalationReason { get; init; }

    /// <summary>Origin attempts behind this head and each one's outcome (escalation writes them), for the writer's access-log line.</summary>
    public int Attempts { get; init; }

    public string? Detail { get; init; }
}

internal enum FillHeadKind
{
    Response,
    NotModified,
    Failed,
}
