namespace EdgeProxy.Collapsing;

/// <summary>What a fill does when every client has left.</summary>
public enum AbandonPolicy
{
    /// <summary>Finish when storable and small enough or far enough along; else stop.</summary>
    Complete,

    /// <summary>Stop at once.</summary>
    Abort,
}
