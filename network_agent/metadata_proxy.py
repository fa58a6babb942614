"""The metadata proxy a network agent runs inside its network namespace (guests there
cannot reach the metadata API's address): the agent's firewall redirects guests'
169.254.169.254:80 to it, and it hands each request to the metadata API's unix socket,
naming the guest (the connection's source address) in X-Forwarded-For. Headers a guest
might send to pass for a proxy or another guest are dropped.

Run inside the namespace as `python -m network_agent.metadata_proxy --port P --socket
PATH --pid-file FILE` (network_agent.privileged starts it).
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import pathlib

LOG = logging.getLogger("stratus.metadata_proxy")
MAX_HEAD = 16384
HEAD_TIMEOUT = 10.0
REQUEST_TIMEOUT = 60.0  # a whole exchange; a guest that stalls is cut off
MAX_CONNECTIONS = 256
DROPPED = (b"x-forwarded-for:", b"forwarded:", b"connection:", b"x-instance-id",
           b"x-tenant-id", b"proxy-connection:")


def rewritten_head(head: bytes, guest: str) -> bytes | None:
    """The request head with the guest named and the connection closing after one
    answer; None when it is not a plain HTTP request head: a bare LF, a stray CR or a
    folded line could smuggle a header past the filter (the API's parser takes a bare
    LF as a line end)."""
    lines = head.removesuffix(b"\r\n\r\n").split(b"\r\n")
    if any(b"\r" in line or b"\n" in line or line[:1] in (b" ", b"\t") for line in lines):
        return None
    if len(lines[0].split(b" ")) != 3 or not lines[0].split(b" ")[2].startswith(b"HTTP/"):
        return None
    kept = [line for line in lines[1:] if line and not line.lower().startswith(DROPPED)]
    return b"\r\n".join([lines[0], *kept, b"X-Forwarded-For: " + guest.encode(),
                         b"Connection: close", b"", b""])


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()


async def _serve(socket_path: str, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter) -> None:
    try:
        await asyncio.wait_for(_relay(socket_path, reader, writer), REQUEST_TIMEOUT)
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError,
            ConnectionError):
        pass  # the guest went away or sent no request in time
    finally:
        writer.close()


async def _relay(socket_path: str, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter) -> None:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HEAD_TIMEOUT)
    request = rewritten_head(head, writer.get_extra_info("peername")[0])
    if request is None:
        writer.write(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
        await writer.drain()
        return
    try:
        up_reader, up_writer = await asyncio.open_unix_connection(socket_path)
    except OSError as e:
        LOG.warning("Metadata API unreachable at %s: %s", socket_path, e)
        writer.write(b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n")
        await writer.drain()
        return
    up_writer.write(request)
    upload = asyncio.create_task(_pipe(reader, up_writer))
    try:
        await _pipe(up_reader, writer)  # the answer, until the API closes
    finally:
        upload.cancel()
        up_writer.close()


async def main(port: int, socket_path: str, pid_file: str) -> None:
    slots = asyncio.Semaphore(MAX_CONNECTIONS)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async with slots:
            await _serve(socket_path, reader, writer)
    server = await asyncio.start_server(serve, host="0.0.0.0", port=port, limit=MAX_HEAD)
    # Written once listening: the agent takes a pid file for a proxy that serves.
    pathlib.Path(pid_file).write_text(f"{os.getpid()}\n")
    async with server:
        await server.serve_forever()


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--socket", required=True)
    parser.add_argument("--pid-file", required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    asyncio.run(main(args.port, args.socket, args.pid_file))


if __name__ == "__main__":
    run()
