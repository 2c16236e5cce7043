"""Loopback nodes that fail or lie: they drip an answer, send a huge one, or mangle JSON-RPC batches.

Every server here is bounded (in time and in bytes) so that a client that does not stop it still ends.
The payloads are not chain data: a drip of spaces, a stream of zeros, or recorded answers (from the
handler they wrap) rearranged.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.loopback import Handler, Request

MB = 2**20


@contextmanager
def raw_server(respond: Callable[[BaseHTTPRequestHandler], None]) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 whose handler writes the response itself; yields its URL."""

    class _H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            with suppress(BrokenPipeError, ConnectionResetError):   # the client gave up: what the test wants
                respond(self)

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), _H)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def drip(interval: float = 0.1, limit: float = 30.0) -> Callable[[BaseHTTPRequestHandler], None]:
    """Answer 200 with a JSON body announced at 1 MB and sent one byte per `interval`, for at most
    `limit` seconds: each read gets data, so only an overall deadline stops the client."""

    def respond(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(MB))
        h.end_headers()
        end = time.monotonic() + limit
        while time.monotonic() < end:
            h.wfile.write(b" ")
            h.wfile.flush()
            time.sleep(interval)

    return respond


def huge(size: int, *, declared: bool, limit: float = 30.0) -> Callable[[BaseHTTPRequestHandler], None]:
    """Answer 200 with `size` bytes of zeros in 64 KB pieces, with or without a Content-Length (chunked
    when not), for at most `limit` seconds."""
    piece = b"0" * (64 * 1024)

    def respond(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        if declared:
            h.send_header("Content-Length", str(size))
        else:
            h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        sent, end = 0, time.monotonic() + limit
        while sent < size and time.monotonic() < end:
            chunk = piece[: size - sent]
            h.wfile.write(chunk if declared else b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
        if not declared:
            h.wfile.write(b"0\r\n\r\n")

    return respond


def mangled_batches(inner: Handler, mangle: Callable[[list[dict[str, Any]]], list[Any]]) -> Handler:
    """A JSON-RPC handler whose batch answers (lists) pass through `mangle`; single calls are untouched."""

    def handle(req: Request) -> tuple[int, Any]:
        status, body = inner(req)[:2]
        answer = json.loads(body) if isinstance(body, str | bytes) else body
        if isinstance(answer, list) and len(answer) > 1:
            return status, mangle(answer)
        return status, answer

    return handle


# The batch faults (each: what the node does to a correct batch answer)
BATCH_FAULTS: dict[str, Callable[[list[dict[str, Any]]], list[Any]]] = {
    "missing id": lambda a: a[:-1],
    "duplicated id": lambda a: a + [a[-1]],
    "extra id": lambda a: a + [{**a[0], "id": 999_999}],
    "out of order": lambda a: list(reversed(a)),
    "not objects": lambda a: ["garbage"] * len(a),
}
