namespace EdgeProxy.Configuration;

/// <summary>The configuration cannot run: the message names every bad key. Start-up stops with it.</summary>
public sealed class EdgeProxyConfigurationException : Exception
{
    public EdgeProxyConfigurationException(IReadOnlyList<string> errors)
        : base("Invalid configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  - " + e)))
    {
        Errors = errors;
    }

    public EdgeProxyConfigurationException()
        : this([])
    {
    }

    public EdgeProxyConfigurationException(string message)
        : base(message)
    {
        Errors = [message];
    }

    public EdgeProxyConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    public IReadOnlyList<string> Errors { get; } = [];
}
