"""ASGI middleware refusing input no handler should see, before any handler runs:
headers past MAX_HEAD_BYTES or not UTF-8, and JSON bodies that are not UTF-8 or hold a lone
surrogate ("\\ud800" is valid JSON but no valid text: it cannot be stored, hashed
or echoed back as UTF-8)."""
from __future__ import annotations

import json
import re
from typing import Any, Awaitable, Callable

from stratus.api.errors import error_response

Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]

# No JSON body of these APIs comes near this (Nova's own cap is 112 KiB): a larger one
# is refused unread rather than held in memory.
MAX_JSON_BODY = 1024 * 1024
# Most bytes the headers of a request may take. The HTTP server refuses larger ones it
# reads in pieces (see stratus.launcher); this catches those that came in one read.
MAX_HEAD_BYTES = 64 * 1024
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
# No body of these APIs nests deeper than a few levels; parsing or validating a deeper one
# recursively would exhaust the interpreter's stack.
MAX_JSON_DEPTH = 64
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")


def too_large_message() -> str:
    return f"Request header fields too large: they may take at most {MAX_HEAD_BYTES} bytes."


def _header_problem(headers: list[tuple[bytes, bytes]]) -> tuple[int, str] | None:
    if sum(len(name) + len(value) + 4 for name, value in headers) > MAX_HEAD_BYTES:
        return 431, too_large_message()
    for name, value in headers:
        try:
            value.decode("utf-8")
        except UnicodeDecodeError:
            return 400, f"The value of header {name.decode('latin-1')} is not valid UTF-8."
    return None


def _content_type(headers: list[tuple[bytes, bytes]]) -> bytes | None:
    for name, value in headers:
        if name.lower() == b"content-type":
            return value.split(b";")[0].strip().lower()
    return None


def _is_json(media: bytes | None) -> bool:
    """What FastAPI or a handler parses as JSON: no content type, or a JSON one
    (application/json, application/*+json, the image API's JSON patch types)."""
    return media is None or (media.startswith(b"application/") and b"json" in media)


def body_problem(body: bytes, declared_json: bool = True) -> str | None:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        # An untyped body may be image data on its way to the upload handler.
        return "The request body is not valid UTF-8." if declared_json else None
    if _too_deep(text):
        return f"The request body nests more than {MAX_JSON_DEPTH} levels deep."
    if not _SURROGATE_ESCAPE.search(body):
        return None
    try:
        document = json.loads(text)
    except ValueError:
        return None  # not JSON: the handler says so in its own words
    try:
        # Surrogate pairs decode to one character; a lone surrogate cannot be encoded.
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return "The request body holds a lone UTF-16 surrogate (an escape in " \
               "\\ud800-\\udfff not part of a pair), which is not valid text."
    return None


def _too_deep(text: str) -> bool:
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return False
    depth = 0
    for bracket in _BRACKET.finditer(_JSON_STRING.sub("", text)):
        depth += 1 if bracket.group() in "[{" else -1
        if depth > MAX_JSON_DEPTH:
            return True
    return False


async def _read_body(receive: Receive) -> tuple[list[Message], bytes | None]:
    """The messages of a JSON body and its bytes; None for the bytes when the client
    went away or the body passed MAX_JSON_BODY (reading stops there)."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > MAX_JSON_BODY:
            return messages, None
        if not message.get("more_body", False):
            return messages, b"".join(chunks)


async def _body_problem(receive: Receive, declared_json: bool) -> tuple[
        list[Message], tuple[int, str] | None]:
    messages, body = await _read_body(receive)
    if body is None:
        if messages[-1]["type"] != "http.request" or not declared_json:
            # Gone (the handler sees the disconnect), or an untyped body, which may be
            # image data streaming to its upload handler.
            return messages, None
        return messages, (413, f"The request body is larger than the {MAX_JSON_BODY} "
                               f"bytes a JSON body may take.")
    message = body_problem(body, declared_json)
    return messages, None if message is None else (400, message)


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()
    return replay


class InputGuardMiddleware:
    def __init__(self, app: Any, style: str) -> None:
        self.app = app
        self.style = style

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = _header_problem(scope["headers"])
        media = _content_type(scope["headers"])
        if problem is None and _is_json(media):
            messages, problem = await _body_problem(receive, declared_json=media is not None)
            receive = _replaying(messages, receive)
        if problem is not None:
            # The rest of a refused body is never read: the connection ends with the reply.
            headers = {"Connection": "close"} if problem[0] == 413 else None
            await error_response(self.style, *problem, headers=headers)(scope, receive, send)
            return
        await self.app(scope, receive, send)
