"""HTTP plumbing shared by every adapter: sessions, retry policy as data, rate limits, error mapping."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson
import requests
import urllib3

from chains.endpoints import redact
from chains.errors import ChainError, RateLimited, RetriableError, RpcTimeout, RpcUnavailable

T = TypeVar("T")
C = TypeVar("C")

#: answers larger than this are refused unless the family or the config file says otherwise
DEFAULT_MAX_ANSWER_BYTES = 8 * 2**20
_READ_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Which errors to retry and how long to wait between tries."""

    attempts: int = 3
    backoff: float = 0.25
    factor: float = 2.0
    max_wait: float = 4.0      # backoff cap; a provider's Retry-After is honoured up to the deadline
    retry_on: tuple[type[ChainError], ...] = (RetriableError,)

    def wait(self, attempt: int, exc: ChainError) -> float:
        """Seconds to sleep before try number `attempt + 1`."""
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            return max(0.0, exc.retry_after)
        return min(self.backoff * self.factor**attempt, self.max_wait)


NO_RETRY = RetryPolicy(attempts=1)


def with_retry(policy: RetryPolicy, call: Callable[[], T], deadline: float | None = None) -> T:
    """Run `call`, retrying the errors the policy names; the last error is raised. With a `deadline`
    (time.monotonic()), a wait that would end after it is not taken: the error is raised instead."""
    for attempt in range(policy.attempts):
        try:
            return call()
        except policy.retry_on as exc:
            if attempt + 1 >= policy.attempts:
                raise
            pause = policy.wait(attempt, exc)
            if deadline is not None and time.monotonic() + pause >= deadline:
                raise
            time.sleep(pause)
    raise AssertionError("unreachable")


def all_failed(network_name: str, errors: Sequence[RetriableError]) -> RetriableError:
    """One retriable error naming what each provider said (their messages carry redacted URLs)."""
    if not errors:
        return RpcUnavailable(f"{network_name}: no endpoint configured")
    kinds = {type(e) for e in errors}
    kind = kinds.pop() if len(kinds) == 1 else RpcUnavailable
    detail = "; ".join(e.user_message for e in errors)
    return kind(f"{network_name}: no endpoint could answer ({detail})")


def failover(clients: Sequence[C], call: Callable[[C], T], network_name: str) -> T:
    """`call` on each client in priority order until one answers; a definite error ends the search."""
    errors: list[RetriableError] = []
    for client in clients:
        try:
            return call(client)
        except RetriableError as exc:
            errors.append(exc)
    raise all_failed(network_name, errors)


class RateLimiter:
    """A token bucket shared by the threads talking to one endpoint (`rate` requests a second)."""

    def __init__(self, rate: float | None) -> None:
        self.rate = rate
        self._lock = threading.Lock()
        self._next = time.monotonic()

    def acquire(self) -> None:
        """Block until the next request may go."""
        if not self.rate:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + 1.0 / self.rate
        if start > now:
            time.sleep(start - now)


def new_session(pool_size: int = 8) -> requests.Session:
    """A keep-alive session sized for `pool_size` concurrent connections."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = "recovery/0.1"
    return session


def _retry_after(resp: requests.Response) -> float | None:
    value = resp.headers.get("Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None


class HttpClient:
    """GET/POST JSON against one base URL, mapping transport trouble to typed retriable errors.

    `timeout` is the overall deadline of one request, retries and the reading of the body included
    (a node that drips its answer is cut off there); answers above `max_bytes` are refused unread.
    `parse_float` parses JSON fractions (e.g. `Decimal` for amounts written in whole coins).
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 20.0,
        session: requests.Session | None = None,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy = RetryPolicy(),
        parse_float: Callable[[str], Any] | None = None,
        max_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.session = session or new_session()
        self.limiter = limiter or RateLimiter(None)
        self.retry = retry
        self.parse_float = parse_float
        self.label = redact(self.base_url)

    def request(self, method: str, path: str, *, json_body: Any = None, params: dict[str, Any] | None = None,
                ok_statuses: tuple[int, ...] = (), text: bool = False,
                deadline: float | None = None) -> tuple[int, Any]:
        """One exchange with retries, all of it before `deadline` (default: `timeout` from now);
        returns (status, body) for 2xx and `ok_statuses`.

        The body is parsed JSON, or the raw text with `text=True` (plain-text answers such as Esplora's).
        """
        end = deadline if deadline is not None else time.monotonic() + self.timeout
        return with_retry(self.retry, lambda: self._once(method, path, json_body, params, ok_statuses, text, end),
                          end)

    def get(self, path: str, params: dict[str, Any] | None = None,
            ok_statuses: tuple[int, ...] = ()) -> tuple[int, Any]:
        """GET a JSON document."""
        return self.request("GET", path, params=params, ok_statuses=ok_statuses)

    def post(self, path: str, body: Any, ok_statuses: tuple[int, ...] = ()) -> tuple[int, Any]:
        """POST a JSON body and read a JSON answer."""
        return self.request("POST", path, json_body=body, ok_statuses=ok_statuses)

    def _once(self, method: str, path: str, json_body: Any, params: dict[str, Any] | None,
              ok_statuses: tuple[int, ...], text: bool, deadline: float) -> tuple[int, Any]:
        self.limiter.acquire()
        url = self.base_url + path if path else self.base_url
        left = deadline - time.monotonic()
        if left <= 0:
            raise RpcTimeout(f"{self.label} did not answer within {self.timeout:g}s")
        try:
            resp = self.session.request(method, url, json=json_body, params=params, timeout=left, stream=True)
        except requests.Timeout:
            raise RpcTimeout(f"{self.label} did not answer within {self.timeout:g}s") from None
        except requests.RequestException as exc:
            raise RpcUnavailable(f"{self.label} unreachable ({type(exc).__name__})") from None
        status = resp.status_code
        if status == 429:
            resp.close()
            raise RateLimited(f"{self.label} rate-limited the request (HTTP 429)", _retry_after(resp))
        if not (200 <= status < 300 or status in ok_statuses):
            resp.close()
            raise RpcUnavailable(f"{self.label} answered HTTP {status}")
        content = read_body(resp, self.label, deadline, self.max_bytes, self.timeout)
        if text:
            return status, content.decode(resp.encoding or "utf-8", errors="replace")
        try:
            # orjson decodes node answers several times faster than json; Decimal parsing needs json
            return status, json.loads(content, parse_float=self.parse_float) if self.parse_float \
                else orjson.loads(content)
        except ValueError:
            raise RpcUnavailable(f"{self.label} answered HTTP {status} with a body that is not JSON") from None


def read_body(resp: requests.Response, label: str, deadline: float, max_bytes: int, timeout: float) -> bytes:
    """A streamed answer's body, read piece by piece until `deadline` and up to `max_bytes`.

    Each read waits at most until the deadline (the socket timeout is narrowed before it), so an
    answer dripped a byte at a time ends there; a body above the cap is refused as soon as it is known.
    """
    declared = resp.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        resp.close()
        raise RpcUnavailable(f"{label} answered {int(declared)} bytes, above the limit of {max_bytes}")
    conn = getattr(resp.raw, "connection", None)
    sock = getattr(conn, "sock", None)
    parts: list[bytes] = []
    size = 0
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RpcTimeout(f"{label} did not finish its answer within {timeout:g}s")
            if sock is not None:
                sock.settimeout(left)
            chunk = resp.raw.read1(_READ_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise RpcUnavailable(f"{label} answered more than {max_bytes} bytes: refused")
            parts.append(chunk)
    except ChainError:   # before OSError: RpcUnavailable is a ConnectionError
        resp.close()
        raise
    except (TimeoutError, urllib3.exceptions.TimeoutError):
        resp.close()
        raise RpcTimeout(f"{label} did not finish its answer within {timeout:g}s") from None
    except (OSError, urllib3.exceptions.HTTPError) as exc:
        resp.close()
        raise RpcUnavailable(f"{label} broke off its answer ({type(exc).__name__})") from None
    if sock is not None:
        sock.settimeout(timeout)   # a pooled connection starts its next request with the full timeout
    resp.raw.release_conn()
    return b"".join(parts)
