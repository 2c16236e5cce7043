"""A loopback HTTP server for tests: recorded chain responses served so the real client code runs."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    """What the client sent."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body or b"null")


# handler(request) -> (status, body) or (status, body, headers); body is bytes, str, or any
# JSON-serialisable object; headers are extra response headers (e.g. Retry-After)
Handler = Callable[[Request], tuple[int, Any] | tuple[int, Any, dict[str, str]]]


class Loopback:
    """An HTTP server on 127.0.0.1 and a free port, running `handler` in a thread; records requests."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        outer = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                req = Request(self.command, parts.path, parse_qs(parts.query),
                              self.rfile.read(length) if length else b"", dict(self.headers))
                outer.requests.append(req)
                answer = outer.handler(req)
                status, body = answer[0], answer[1]
                extra: dict[str, str] = answer[2] if len(answer) == 3 else {}
                if isinstance(body, bytes):
                    data = body
                elif isinstance(body, str):
                    data = body.encode()
                else:
                    data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:54321."""
        host, port = self.server.server_address[:2]
        if isinstance(host, bytes):   # socketserver types the address as str | bytes
            host = host.decode()
        return f"http://{host}:{port}"

    def __enter__(self) -> Loopback:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def jsonrpc_handler(methods: Callable[[str, list[Any]], Any]) -> Handler:
    """A JSON-RPC 2.0 handler (single and batch) over `methods(name, params)`, which returns the
    full answer member: {"result": ...} or {"error": {...}}."""

    def one(call: dict[str, Any]) -> dict[str, Any]:
        return {"jsonrpc": "2.0", "id": call.get("id"), **methods(call["method"], call.get("params") or [])}

    def handle(req: Request) -> tuple[int, Any]:
        body = req.json()
        if isinstance(body, list):
            return 200, [one(c) for c in body]
        return 200, one(body)

    return handle


def refused_url() -> str:
    """A loopback URL where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
