namespace EdgeProxy.FunctionalTests.Infrastructure;

/// <summary>What a raw HTTP/1.x client received for one request: the interim (1xx) heads in order, the final head, its body.</summary>
public sealed record RawResponse(IReadOnlyList<RawMessage> Interim, RawMessage Final, byte[] Body)
{
    public string BodyText => System.Text.Encoding.Latin1.GetString(Body);
}
