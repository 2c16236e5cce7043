"""Quotes: price, network fee and fee policy put together, stored, shown, and told to the user."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from chains.base import NATIVE
from chains.errors import ChainError
from chains.networks import get_network
from recovery.case_models import Quote, Valuation
from recovery.dbtypes import utcnow
from recovery.errors import BadInput, NotConfigured, Refused
from recovery.fees import FeePolicy, compute, plain, to_base
from recovery.triage import short

# network id, asset -> native base units of one recovery transfer, or None when unknown
FeeEstimator = Callable[[str, str], int | None]


@dataclass(frozen=True, slots=True)
class PriceInfo:
    """A USD price and where it came from."""

    usd_price: Decimal
    source: str
    as_of: datetime


@dataclass(frozen=True, slots=True)
class AssetInfo:
    """What a quote needs to know of the asset."""

    asset: str
    symbol: str
    decimals: int
    listed: bool


def find_price(session: Session, network: str, asset: str, case_id: int | None = None) -> PriceInfo | None:
    """Clearing's valuation on the case if any, else the newest imported price, else None."""
    if case_id is not None:
        val = session.exec(select(Valuation).where(Valuation.case_id == case_id)
                           .order_by(col(Valuation.at).desc()).limit(1)).first()
        if val is not None:
            return PriceInfo(val.usd_price, f"valuation by {val.entered_by}", val.at)
    from recovery.reference import Reference

    price = Reference(session).latest_price(network, asset)
    if price is None:
        return None
    return PriceInfo(price.usd_price, price.source or "import", price.as_of)


def check_price_age(price: PriceInfo, policy: FeePolicy, what: str, now: datetime | None = None) -> None:
    """Refuse a price older than the policy's `[quote] max_price_age_hours`, naming its date."""
    limit = timedelta(hours=float(policy.max_price_age_hours))
    if (now or utcnow()) - price.as_of > limit:
        raise Refused(f"the USD price of {what} ({price.usd_price:f} from {price.source}) is of "
                      f"{price.as_of:%Y-%m-%d %H:%M} UTC, older than the {policy.max_price_age_hours:f} h the fee "
                      "policy allows ([quote] max_price_age_hours): import a newer price "
                      "(`recovery import prices FILE`) or have clearing value the asset")


def asset_info(session: Session, network: str, asset: str, decimals: int | None = None,
               symbol: str | None = None) -> AssetInfo:
    """Symbol and decimals from the listing, the network (native), or the caller (a token we do not list:
    its own chain symbol when known, else the short form of its address)."""
    from recovery.reference import Reference

    net = get_network(network)
    listed = Reference(session).listed_asset(network, asset)
    if listed is not None:
        return AssetInfo(listed.asset, listed.symbol, listed.decimals, True)
    if asset.strip().lower() == NATIVE:
        return AssetInfo(NATIVE, net.native_symbol, net.native_decimals, False)
    if decimals is None:
        raise BadInput(f"decimals of {asset} on {network} are unknown (not a listed asset): give --decimals")
    own = " ".join((symbol or "").split())[:40]
    return AssetInfo(asset, own or short(asset), decimals, False)


def adapter_fee_estimator(config_rpc: Mapping[str, Any] | None = None) -> FeeEstimator:
    """Estimates through the network's adapter (EVM: the node's current gas price)."""

    def estimate(network: str, asset: str) -> int | None:
        from chains.registry import get_adapter

        with get_adapter(network, config_rpc=config_rpc) as adapter:
            return adapter.network_fee_estimate(asset)

    return estimate


def _network_fee(session: Session, policy: FeePolicy, network: str, info: AssetInfo, price: PriceInfo,
                 estimator: FeeEstimator | None, now: datetime) -> tuple[Decimal, str | None]:
    """The network fee in units of the recovered asset, and a note when it could not be estimated."""
    if estimator is None:
        return Decimal(0), "network fee not estimated"
    try:
        native = estimator(network, info.asset)
    except ChainError as exc:
        return Decimal(0), f"network fee not estimated ({getattr(exc, 'user_message', None) or exc})"
    if native is None:
        return Decimal(0), "network fee not estimated"
    net = get_network(network)
    native_whole = Decimal(native).scaleb(-net.native_decimals)
    if info.asset == NATIVE:
        return native_whole, None
    native_price = find_price(session, network, NATIVE)
    if native_price is None:
        return Decimal(0), f"network fee not estimated (no USD price for {net.native_symbol})"
    check_price_age(native_price, policy, f"{net.native_symbol} (for the network fee)", now)
    return native_whole * native_price.usd_price / price.usd_price, None


def build_quote(session: Session, policy: FeePolicy, *, network: str, asset: str, amount: Decimal,
                outcome: str | None, decimals: int | None = None, case_id: int | None = None,
                actor: str | None = None, estimator: FeeEstimator | None = None,
                now: datetime | None = None, symbol: str | None = None) -> Quote:
    """A quote row (not yet added to the session); an unknown price is refused until clearing values it.

    `symbol` is an unlisted token's own symbol as read from the chain, when known."""
    net = get_network(network)
    info = asset_info(session, network, asset, decimals, symbol)
    price = find_price(session, network, info.asset, case_id)
    if price is None:
        how = (f"clearing must enter a valuation first (`recovery case value {case_id} --usd-price P`)"
               if case_id is not None else "import one (`recovery import prices FILE`) or open a case for "
               "clearing to value")
        raise NotConfigured(f"no USD price for {info.symbol} ({info.asset}) on {network}: {how}")
    created = now or utcnow()
    check_price_age(price, policy, f"{info.symbol} ({short(info.asset)})", created)
    nf, note = _network_fee(session, policy, network, info, price, estimator, created)
    b = compute(policy, tier=net.tier, outcome=outcome, listed=info.listed, gross=amount,
                decimals=info.decimals, usd_price=price.usd_price, network_fee=nf)
    d = info.decimals
    return Quote(
        case_id=case_id, network=network, asset=info.asset, symbol=info.symbol, decimals=info.decimals,
        gross=b.gross, fee=b.fee, network_fee=b.network_fee, net=b.net, gross_base=to_base(b.gross, d),
        fee_base=to_base(b.fee, d), network_fee_base=to_base(b.network_fee, d), net_base=to_base(b.net, d),
        usd_price=price.usd_price,
        usd_value=b.usd_value, fee_usd=b.fee_usd, network_fee_usd=b.network_fee_usd, network_fee_note=note,
        rule=b.rule, recommendation=b.recommendation, reason=b.reason, price_source=price.source,
        price_as_of=price.as_of, created_by=actor, created_at=created,
        expires_at=created + timedelta(hours=policy.valid_hours),
    )


def is_current(quote: Quote | None, now: datetime | None = None) -> bool:
    """Whether the quote exists and has not expired."""
    return quote is not None and quote.expires_at > (now or utcnow())


def require_current(quote: Quote | None, case_id: int | None, action: str, now: datetime | None = None) -> Quote:
    """The quote, or refused when it is missing or expired: the case must be quoted again."""
    if quote is not None and is_current(quote, now):
        return quote
    when = f"expired at {quote.expires_at:%Y-%m-%d %H:%M} UTC" if quote else "is missing"
    raise Refused(f"case {case_id}: cannot {action}: the quote {when}; issue a new one with `recovery case "
                  f"quote {case_id}` (the user accepts it again, approvals given so far are void)")


def base_amounts(q: Quote) -> dict[str, int]:
    """gross, fee, network_fee and net of the quote in integer base units (exact)."""
    stored = {"gross": q.gross_base, "fee": q.fee_base, "network_fee": q.network_fee_base, "net": q.net_base}
    return {k: v if v is not None else to_base(getattr(q, k), q.decimals) for k, v in stored.items()}


def quote_json(q: Quote, now: datetime | None = None) -> dict[str, Any]:
    """The quote document of design section 9 (amounts as strings of whole units)."""
    def d(value: Decimal | None) -> str | None:
        return None if value is None else plain(value)

    return {
        "id": q.id, "case_id": q.case_id, "network": q.network, "asset": q.asset, "symbol": q.symbol,
        "decimals": q.decimals, "gross": d(q.gross), "fee": d(q.fee), "network_fee": d(q.network_fee),
        "net": d(q.net), "base_units": {k: str(v) for k, v in base_amounts(q).items()},
        "usd_price": d(q.usd_price), "usd_value": format(q.usd_value, "f"),
        "fee_usd": format(q.fee_usd, "f"), "network_fee_usd": d(q.network_fee_usd),
        "network_fee_note": q.network_fee_note, "rule": q.rule,
        "recommendation": q.recommendation, "reason": q.reason, "price_source": q.price_source,
        "price_as_of": q.price_as_of, "created_at": q.created_at, "expires_at": q.expires_at,
        "expired": not is_current(q, now),
    }


def quote_message(q: Quote, *, user_id: str | None = None, outcome: str | None = None,
                  lang: str | None = None) -> str:
    """The message for the user in their language (recovery.messages): what happened, the fee and why, what
    they receive, until when the offer stands, what to do next; the advice to wait for a small claim."""
    from recovery.messages import quote_letter

    return quote_letter(q, user_id=user_id, outcome=outcome, lang=lang).text
