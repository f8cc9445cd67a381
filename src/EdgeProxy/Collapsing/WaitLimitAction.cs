namespace EdgeProxy.Collapsing;

/// <summary>What a waiter does when the waiter cap or the header wait bound is hit.</summary>
public enum WaitLimitAction
{
    /// <summary>Go to the origin on its own.</summary>
    Origin,

    /// <summary>Serve a stale stored response when there is one, else go to the origin.</summary>
    Stale,

    /// <summary>Answer 503 with Retry-After.</summary>
    ServiceUnavailable,
}
