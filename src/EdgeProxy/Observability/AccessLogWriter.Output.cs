using System.Buffers;
using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace EdgeProxy.Observability;

/// <summary>
/// The file / standard-output destination (<c>EdgeProxy:AccessLog:Path</c>): lines are formatted into
/// one buffer and written with one call per batch (never a partial line): a batch is written when it
/// reaches its size or, when the queue has run empty, after at most <c>FlushInterval</c>.
/// A file is appended to (created if missing) and reopened on SIGHUP or
/// <c>POST /admin/access-log/reopen</c>, for logrotate's <c>create</c> mode.
/// </summary>
internal sealed partial class AccessLogWriter
{
    /// <summary>The <c>Path</c> value meaning standard output.</summary>
    public const string StandardOutput = "stdout";

    /// <summary>A file batch: one write call per this many bytes of whole lines.</summary>
    private const int FileBatchBytes = 64 * 1024;

    /// <summary>
    /// A standard-output batch stays within PIPE_BUF (4 KiB on Linux), so a batch written to a pipe
    /// shared with the console logger is never interleaved with another writer's bytes.
    /// </summary>
    private const int StdoutBatchBytes = 4 * 1024;

    private readonly string? _path;
    private readonly ArrayBufferWriter<byte> _batch = new(FileBatchBytes + 4096);
    private Stream? _output;
    private PosixSignalRegistration? _hangup;
    private int _reopenRequested;
    private bool _failing;
    private int _pendingLines;

    /// <summary>
    /// How long a partial batch waits for more lines before it is written (nginx's <c>flush=</c>):
    /// one write per interval at most when traffic is light, instead of one per request.
    /// </summary>
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>True when the log goes to a file (so reopening means something).</summary>
    public bool WritesToFile => _path is not null && _path != StandardOutput;

    /// <summary>Asks the writer to reopen the file before its next batch (logrotate). False when not writing to a file.</summary>
    public bool RequestReopen()
    {
        if (!WritesToFile)
        {
            return false;
        }

        Interlocked.Exchange(ref _reopenRequested, 1);
        return true;
    }

    private void OpenOutput()
    {
        if (_path is null)
        {
            return;
        }

        if (_path == StandardOutput)
        {
            _output = Console.OpenStandardOutput();
            return;
        }

        try
        {
            _output = OpenFile(_path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"EdgeProxy:AccessLog:Path: cannot open '{_path}' for appending: {ex.Message}", ex);
        }

        if (!OperatingSystem.IsWindows())
        {
            _hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                RequestReopen();
            });
        }
    }

    /// <summary>Unbuffered: each batch is one write(2) of whole lines.</summary>
    private static FileStream OpenFile(string path) => new(path, new FileStreamOptions
    {
        Mode = FileMode.Append,
        Access = FileAccess.Write,
        Share = FileShare.ReadWrite | FileShare.Delete,
        BufferSize = 0,
    });

    /// <summary>
    /// Drains the queue into the batch buffer, writing each full batch (one call, whole lines only).
    /// Returns true when lines are left in the buffer: the caller waits <see cref="FlushInterval"/>
    /// for more and calls again, so under load a write carries many lines instead of one.
    /// </summary>
    private bool WriteBatches(ChannelReader<AccessLogEntry> reader, bool flushNow)
    {
        var format = _options.CurrentValue.AccessLog.Format;
        var limit = WritesToFile ? FileBatchBytes : StdoutBatchBytes;
        while (reader.TryRead(out var entry))
        {
            var mark = _batch.WrittenCount;
            _formatter.Format(entry, format, _batch);
            _batch.Write("\n"u8);
            _pendingLines++;
            if (_batch.WrittenCount < limit)
            {
                continue;
            }

            if (mark > 0 && _batch.WrittenCount > limit)
            {
                // This line pushed the batch past the limit: it starts the next batch.
                WriteOut(_batch.WrittenSpan[..mark], _pendingLines - 1);
                var tail = _batch.WrittenSpan[mark..].ToArray();
                _batch.ResetWrittenCount();
                _batch.Write(tail);
                _pendingLines = 1;
            }
            else
            {
                WriteOut(_batch.WrittenSpan, _pendingLines);
                _batch.ResetWrittenCount();
                _pendingLines = 0;
            }
        }

        if (_pendingLines == 0)
        {
            return false;
        }

        if (!flushNow)
        {
            return true;
        }

        WriteOut(_batch.WrittenSpan, _pendingLines);
        _batch.ResetWrittenCount();
        _pendingLines = 0;
        try
        {
            _output?.Flush();
        }
        catch (IOException ex)
        {
            Failed(ex);
        }

        return false;
    }

    private void WriteOut(ReadOnlySpan<byte> bytes, int lines)
    {
        if (Interlocked.Exchange(ref _reopenRequested, 0) == 1)
        {
            Reopen();
        }

        if (_output is null)
        {
            Interlocked.Add(ref _dropped, lines);
            return;
        }

        try
        {
            _output.Write(bytes);
            _failing = false;
        }
        catch (IOException ex)
        {
            Interlocked.Add(ref _dropped, lines);
            Failed(ex);
        }
    }

    private void Reopen()
    {
        try
        {
            var fresh = OpenFile(_path!);
            _output?.Dispose();
            _output = fresh;
            _failing = false;
            OutputReopened(_logger, _path!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Keep writing to the old file rather than losing lines.
            Failed(ex);
        }
    }

    private void Failed(Exception ex)
    {
        if (!_failing)
        {
            _failing = true;
            OutputFailed(_logger, _path ?? "-", ex.Message);
        }
    }

    private void CloseOutput()
    {
        _hangup?.Dispose();
        _hangup = null;
        try
        {
            _output?.Flush();
            _output?.Dispose();
        }
        catch (IOException)
        {
        }

        _output = null;
    }
}
