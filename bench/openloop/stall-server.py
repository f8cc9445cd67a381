# A check of bench/openloop's counting: a keep-alive HTTP/1.1 server on 127.0.0.1:19299 that answers at once, except
# that once a second it holds every answer for 200 ms. At a steady rate a fifth of the requests fall in a hold and wait
# for its end, so a client that counts from each request's scheduled time sees p90 ≈ 100 ms and p99 ≈ 190 ms:
#   python3 bench/openloop/stall-server.py & gcc -O2 -pthread -o /tmp/openloop bench/openloop/openloop.c
#   /tmp/openloop -p 19299 -u / -c 8 -t 2 -r 2000 -d 5 -w 1; kill %1
import asyncio
import time

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"x" * 100
START = time.monotonic()


async def handle(reader, writer):
    try:
        while True:
            await reader.readuntil(b"\r\n\r\n")
            phase = (time.monotonic() - START) % 1.0
            if phase < 0.2:
                await asyncio.sleep(0.2 - phase)
            writer.write(RESPONSE)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 19299)
    async with server:
        await server.serve_forever()


asyncio.run(main())
