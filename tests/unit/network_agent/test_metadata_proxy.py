"""The metadata proxy names the guest by the connection it came on and nothing the guest
says: a forged X-Forwarded-For or proxy header never reaches the metadata API."""
from __future__ import annotations

import asyncio
import pathlib

import pytest

from network_agent import metadata_proxy


async def _exchange(tmp_path: pathlib.Path, request: bytes) -> tuple[bytes, bytes]:
    """What the metadata API's socket received, and what the guest got back."""
    received: list[bytes] = []

    async def api(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        body = await reader.readexactly(5) if b"Content-Length: 5" in head else b""
        received.append(head + body)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        await writer.drain()
        writer.close()

    socket = str(tmp_path / "api.sock")
    upstream = await asyncio.start_unix_server(api, path=socket)
    proxy = await asyncio.start_server(
        lambda r, w: metadata_proxy._serve(socket, r, w), host="127.0.0.1", port=0)
    port = proxy.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    proxy.close()
    upstream.close()
    return (received[0] if received else b""), answer


def test_the_guest_is_named_by_its_connection_not_its_headers(tmp_path: pathlib.Path) -> None:
    forged = (b"GET /openstack/latest/meta_data.json HTTP/1.1\r\nHost: 169.254.169.254\r\n"
              b"X-Forwarded-For: 10.0.0.99\r\nX-Instance-ID: someone-else\r\n"
              b"X-Tenant-ID: them\r\nConnection: keep-alive\r\n\r\n")
    sent, answer = asyncio.run(_exchange(tmp_path, forged))
    assert answer.endswith(b"\r\n\r\nok")
    headers = sent.split(b"\r\n")
    assert headers[0] == b"GET /openstack/latest/meta_data.json HTTP/1.1"
    assert b"X-Forwarded-For: 127.0.0.1" in headers and b"Connection: close" in headers
    assert not [h for h in headers if b"10.0.0.99" in h or h.lower().startswith(
        (b"x-instance-id", b"x-tenant-id", b"connection: keep-alive"))]


def test_a_body_follows_its_head(tmp_path: pathlib.Path) -> None:
    post = (b"POST /openstack/latest/password HTTP/1.1\r\nHost: x\r\n"
            b"Content-Length: 5\r\n\r\nhello")
    sent, answer = asyncio.run(_exchange(tmp_path, post))
    assert sent.endswith(b"\r\n\r\nhello") and answer.endswith(b"ok")


def test_what_is_not_an_http_request_is_refused(tmp_path: pathlib.Path) -> None:
    sent, answer = asyncio.run(_exchange(tmp_path, b"HELLO THERE\r\n\r\n"))
    assert sent == b"" and answer.startswith(b"HTTP/1.1 400")


def test_no_metadata_api_is_a_503(tmp_path: pathlib.Path) -> None:
    async def without_api() -> bytes:
        proxy = await asyncio.start_server(
            lambda r, w: metadata_proxy._serve(str(tmp_path / "none.sock"), r, w),
            host="127.0.0.1", port=0)
        port = proxy.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = await asyncio.wait_for(reader.read(), 5)
        proxy.close()
        return answer
    assert asyncio.run(without_api()).startswith(b"HTTP/1.1 503")


@pytest.mark.parametrize("head", [
    b"GET / HTTP/1.1\r\nHost: x\nX-Forwarded-For: 10.0.0.9\r\n\r\n",  # a bare LF
    b"GET / HTTP/1.1\nX-Forwarded-For: 10.0.0.9\r\nHost: x\r\n\r\n",  # in the request line
    b"GET / HTTP/1.1\r\nHost: x\r\n X-Forwarded-For: 10.0.0.9\r\n\r\n",  # a folded line
    b"GET / HTTP/1.1\r\nHost: x\rX-Forwarded-For: 10.0.0.9\r\n\r\n",  # a stray CR
])
def test_a_header_smuggled_past_the_filter_is_refused(tmp_path: pathlib.Path,
                                                      head: bytes) -> None:
    sent, answer = asyncio.run(_exchange(tmp_path, head))
    assert sent == b"" and answer.startswith(b"HTTP/1.1 400")
