#!/usr/bin/env python3
"""The kernel's CPU time for sendfile(2) of one stored body to a loopback TCP socket, by where the body's pages live.

    python3 bench/sendfile-source.py [SIZE] [COUNT] [DIR]

Sends COUNT times SIZE bytes (default 102400, 20000) with sendfile from (a) an anonymous memory file (memfd_create,
shmem pages: what EdgeProxy's zero-copy hits send from, Caching/FileBackedBody.cs) and (b) an unnamed file (O_TMPFILE)
in DIR (default /tmp; on ext4 this is the page cache nginx's proxy cache sends from), to a child process that reads
and drops the bytes, and prints the sender's CPU time per send (user + system, from getrusage) and sends per second.
Alternates the two three times: compare within the run. Loopback only; bounded by COUNT.
"""
import os
import resource
import socket
import sys

SIZE = int(sys.argv[1]) if len(sys.argv) > 1 else 102400
COUNT = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
DIRECTORY = sys.argv[3] if len(sys.argv) > 3 else "/tmp"
WARM = 200


def body_file(kind, data):
    if kind == "memfd":
        fd = os.memfd_create("body", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    else:
        fd = os.open(DIRECTORY, os.O_TMPFILE | os.O_RDWR, 0o600)
    os.write(fd, data)
    return fd


def measure(kind, data):
    fd = body_file(kind, data)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    child = os.fork()
    if child == 0:
        reader = socket.create_connection(("127.0.0.1", port))
        buffer = bytearray(262144)
        left = (COUNT + WARM) * SIZE
        while left > 0:
            n = reader.recv_into(buffer)
            if n == 0:
                break
            left -= n
        os._exit(0)
    sender, _ = listener.accept()

    def send_all(times):
        for _ in range(times):
            offset = 0
            while offset < SIZE:
                offset += os.sendfile(sender.fileno(), fd, offset, SIZE - offset)

    send_all(WARM)
    before = resource.getrusage(resource.RUSAGE_SELF)
    t0 = os.times().elapsed
    send_all(COUNT)
    after = resource.getrusage(resource.RUSAGE_SELF)
    elapsed = os.times().elapsed - t0
    os.waitpid(child, 0)
    sender.close()
    listener.close()
    os.close(fd)
    system = (after.ru_stime - before.ru_stime) / COUNT * 1e6
    user = (after.ru_utime - before.ru_utime) / COUNT * 1e6
    print(f"{kind:6} {SIZE} B: {user + system:5.1f} us CPU per send (system {system:5.1f}), {COUNT / elapsed:7.0f} sends/s")


data = os.urandom(SIZE)
for _ in range(3):
    measure("memfd", data)
    measure("file", data)
