"""Typed chain errors: definite failures versus retriable ones (after ccxt and web3.py)."""

from __future__ import annotations


class ChainError(Exception):
    """Base of every chain error; `user_message` is safe to print (no endpoint secrets)."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class DefiniteError(ChainError):
    """The answer is final: retrying will not change it."""


class InvalidTxHash(DefiniteError, ValueError):
    """The hash is not of the network's form."""


class TxNotFound(DefiniteError, LookupError):
    """The node answered, and it does not know the hash."""


class UnsupportedNetwork(DefiniteError, KeyError):
    """No such network in the registry, or no adapter for its family yet."""

    def __str__(self) -> str:
        return self.user_message


class WrongChain(DefiniteError):
    """An endpoint serves another chain than the network it is configured for: a configuration error."""


class RegistryError(DefiniteError, ValueError):
    """The network registry file is broken; the message names file, network and field."""


class RetriableError(ChainError):
    """The node could not answer reliably; the same call may work later."""


class RpcUnavailable(RetriableError, ConnectionError):
    """Connection refused, 5xx, malformed answer, or a node-side internal error."""


class RateLimited(RpcUnavailable):
    """The provider refused for rate (HTTP 429 or its JSON-RPC equivalent)."""

    def __init__(self, user_message: str, retry_after: float | None = None) -> None:
        super().__init__(user_message)
        self.retry_after = retry_after


class RpcTimeout(RetriableError, TimeoutError):
    """The node took longer than the timeout."""
