using System.IO.Pipelines;

namespace EdgeProxy.Server;

/// <summary>A connection's transport with one of its halves replaced by a connection middleware.</summary>
internal sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input => input;

    public PipeWriter Output => output;
}
