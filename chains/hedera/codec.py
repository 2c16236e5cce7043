"""Hedera entity ids (`shard.realm.num`, e.g. 0.0.14684) and transaction ids (`payer@seconds.nanos` as the
SDKs print them, `payer-seconds-nanos` as the mirror node writes them). EVM-alias forms (0x… addresses,
public-key aliases) are not resolved here: they need the mirror node to map them to an account id."""

from __future__ import annotations

import re

_ENTITY = re.compile(r"(\d{1,19})\.(\d{1,19})\.(\d{1,19})")
_TX_ID = re.compile(r"(\d{1,19}\.\d{1,19}\.\d{1,19})(?:@(\d{1,19})\.(\d{1,9})|-(\d{1,19})-(\d{1,9}))")


def parse_entity(text: str) -> tuple[int, int, int]:
    """(shard, realm, num) of an entity id; ValueError if it is not one."""
    match = _ENTITY.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a Hedera entity id (shard.realm.num)")
    return int(match.group(1)), int(match.group(2)), int(match.group(3))


def is_valid(address: str) -> bool:
    """Whether the text is an entity id."""
    try:
        parse_entity(address)
    except ValueError:
        return False
    return True


def normalize(address: str) -> str:
    """The canonical entity id: numbers without leading zeros (0.0.014684 -> 0.0.14684)."""
    try:
        return "{}.{}.{}".format(*parse_entity(address))
    except ValueError:
        return address.strip()


def display(address: str) -> str:
    """The id as people read it."""
    return normalize(address)


def normalize_tx_id(tx_id: str) -> str:
    """Either transaction id form -> the mirror node's `shard.realm.num-seconds-nanos`, nanos in 9 digits."""
    match = _TX_ID.fullmatch(tx_id.strip())
    if not match:
        raise ValueError(f"{tx_id!r} is not a Hedera transaction id (0.0.x@seconds.nanos or 0.0.x-seconds-nanos)")
    payer = normalize(match.group(1))
    seconds = match.group(2) or match.group(4)
    nanos = match.group(3) or match.group(5)
    return f"{payer}-{int(seconds)}-{int(nanos):09d}"


def payer_of(tx_id: str) -> str:
    """The paying account of a (normalised) transaction id."""
    return tx_id.split("-", 1)[0]
