using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace EdgeProxy.Server;

/// <summary>
/// The two Linux calls <see cref="SocketOutput"/> needs that <see cref="Socket"/> does not offer: <c>send</c> with
/// <c>MSG_MORE</c> and <c>sendfile</c>. Both run on the socket's non-blocking descriptor and take what it accepts
/// now; the caller sends the rest asynchronously. Each holds a reference on the handles for the call, so a
/// connection aborted on another thread cannot close (and the process reuse) a descriptor under it.
/// </summary>
internal static partial class SocketSyscalls
{
    private const int MsgMore = 0x8000;
    private const int MsgNoSignal = 0x4000;
    private const int EAgain = 11;
    private const int EIntr = 4;

    /// <summary>Sends what the socket takes now with MSG_MORE; returns the bytes taken (0 when it would block).</summary>
    public static unsafe int TrySendMore(Socket socket, ReadOnlySpan<byte> bytes)
    {
        var handle = socket.SafeHandle;
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            fixed (byte* pointer = bytes)
            {
                while (true)
                {
                    var sent = Send((int)handle.DangerousGetHandle(), pointer, (nuint)bytes.Length, MsgMore | MsgNoSignal);
                    if (sent >= 0)
                    {
                        return (int)sent;
                    }

                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == EAgain)
                    {
                        return 0;
                    }

                    if (errno != EIntr)
                    {
                        throw new SocketException(errno);
                    }
                }
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Sends from <paramref name="file"/> at <paramref name="offset"/> until <paramref name="left"/> is 0 or the
    /// socket would block; both are advanced by what was sent.
    /// </summary>
    public static void SendFile(Socket socket, SafeFileHandle file, ref long offset, ref long left)
    {
        var socketHandle = socket.SafeHandle;
        bool socketAdded = false, fileAdded = false;
        socketHandle.DangerousAddRef(ref socketAdded);
        file.DangerousAddRef(ref fileAdded);
        try
        {
            var socketFd = (int)socketHandle.DangerousGetHandle();
            var fileFd = (int)file.DangerousGetHandle();
            while (left > 0)
            {
                var sent = SendFile(socketFd, fileFd, ref offset, (nuint)left);
                if (sent > 0)
                {
                    left -= sent;
                    continue;
                }

                if (sent == 0)
                {
                    throw new IOException("sendfile reached the end of a stored body's file before its length.");
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == EAgain)
                {
                    return;
                }

                if (errno != EIntr)
                {
                    throw new SocketException(errno);
                }
            }
        }
        finally
        {
            if (fileAdded)
            {
                file.DangerousRelease();
            }

            if (socketAdded)
            {
                socketHandle.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static unsafe partial nint Send(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "sendfile", SetLastError = true)]
    private static partial nint SendFile(int outFd, int inFd, ref long offset, nuint count);
}
