"""The fee policy (a TOML file) and the fee arithmetic: exact Decimals, rounded to the asset's decimals."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from pathlib import Path
from typing import Any

from recovery.errors import BadInput
from recovery.outcomes import Outcome, info

DEFAULT_POLICY = Path(__file__).with_name("fee_policy.toml")
CENT = Decimal("0.01")
RECOVER = "recover"
DEFER = "defer"


@dataclass(frozen=True, slots=True)
class TierRule:
    """A percentage of the USD value, clamped to a minimum and a maximum."""

    percent: Decimal
    min_usd: Decimal
    max_usd: Decimal


@dataclass(frozen=True, slots=True)
class FeePolicy:
    """The fee rules in force, as loaded from the policy file."""

    tiers: dict[str, TierRule]
    memo_flat_usd: Decimal
    small_below_usd: Decimal
    max_fee_share: Decimal
    valid_hours: int
    max_price_age_hours: Decimal
    high_value_usd: Decimal
    not_found_wait_hours: Decimal
    source: str
    service_target_days: Decimal = Decimal(14)   # a live case older than this is late (`recovery report`)
    prepare: dict[str, dict[str, Any]] = field(default_factory=dict)   # [prepare.<family>]: builder limits


@dataclass(frozen=True, slots=True)
class FeeBreakdown:
    """Gross = fee + network fee + net, all in whole units of the recovered asset."""

    gross: Decimal
    fee: Decimal
    network_fee: Decimal
    net: Decimal
    usd_value: Decimal
    fee_usd: Decimal
    network_fee_usd: Decimal
    rule: str
    recommendation: str
    reason: str


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        merged[key] = _merge(merged[key], value) if isinstance(value, dict) and isinstance(
            merged.get(key), dict) else value
    return merged


def _dec(doc: dict[str, Any], where: str, key: str, source: str) -> Decimal:
    try:
        value = Decimal(str(doc[key]))
    except (KeyError, InvalidOperation):
        raise BadInput(f"{source}: [{where}] {key} must be a number") from None
    if not value.is_finite() or value < 0:
        raise BadInput(f"{source}: [{where}] {key} must be a non-negative number")
    return value


def load_policy(path: Path | None = None) -> FeePolicy:
    """The shipped default policy, with the keys of `path` (if given) laid over it."""
    with DEFAULT_POLICY.open("rb") as fh:
        doc = tomllib.load(fh)
    source = "default"
    if path is not None:
        try:
            with path.open("rb") as fh:
                doc = _merge(doc, tomllib.load(fh))
        except FileNotFoundError:
            raise BadInput(f"fee policy {path} not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise BadInput(f"fee policy {path}: not valid TOML ({exc})") from None
        source = str(path)
    tiers = {}
    for name, rule in doc.get("tiers", {}).items():
        keys = ("percent", "min_usd", "max_usd")
        tiers[name] = TierRule(*(_dec(rule, f"tiers.{name}", k, source) for k in keys))
        if tiers[name].min_usd > tiers[name].max_usd:
            raise BadInput(f"{source}: [tiers.{name}] min_usd is above max_usd")
    small = doc.get("small_claims", {})
    quote = doc.get("quote", {})
    return FeePolicy(
        tiers=tiers,
        memo_flat_usd=_dec(doc.get("memo", {}), "memo", "flat_usd", source),
        small_below_usd=_dec(small, "small_claims", "below_usd", source),
        max_fee_share=_dec(small, "small_claims", "max_fee_share", source),
        valid_hours=int(quote.get("valid_hours", 24)),
        max_price_age_hours=_dec(quote, "quote", "max_price_age_hours", source),
        high_value_usd=_dec(doc.get("approvals", {}), "approvals", "high_value_usd", source),
        not_found_wait_hours=_dec(doc.get("verification", {}), "verification", "not_found_wait_hours", source),
        source=source,
        service_target_days=_dec(doc.get("service", {}), "service", "target_days", source),
        prepare=_prepare_limits(doc.get("prepare", {}), source),
    )


PREPARE_KEYS = {"tron": {"fee_limit"}, "utxo": {"fee_rate_per_kvb", "max_fee_rate_per_kvb", "conf_target", "dust"},
                "solana": {"token_program"}, "evm": set()}


def _prepare_limits(doc: Any, source: str) -> dict[str, dict[str, Any]]:
    """`[prepare.<family>]` tables: the limits a family's transaction builder reads (recovery/prepare)."""
    if not isinstance(doc, dict):
        raise BadInput(f"{source}: [prepare] must be a table of families")
    out: dict[str, dict[str, Any]] = {}
    for family, table in doc.items():
        if family not in PREPARE_KEYS or not isinstance(table, dict):
            raise BadInput(f"{source}: [prepare.{family}] is not a family with a builder "
                           f"({', '.join(sorted(PREPARE_KEYS))})")
        unknown = set(table) - PREPARE_KEYS[family]
        if unknown:
            raise BadInput(f"{source}: [prepare.{family}] {', '.join(sorted(unknown))}: not a key of this family "
                           f"({', '.join(sorted(PREPARE_KEYS[family])) or 'none'})")
        out[family] = dict(table)
    return out


def unit(decimals: int) -> Decimal:
    """The smallest amount of an asset with these decimals."""
    return Decimal(1).scaleb(-decimals)


def plain(value: Decimal) -> str:
    """The exact text of an amount without trailing zeros (normalize() alone rounds to 28 digits)."""
    if value == 0:
        return "0"
    with localcontext() as ctx:
        ctx.prec = len(value.as_tuple().digits) + 1
        return format(value.normalize(), "f")


def to_base(amount: Decimal, decimals: int) -> int:
    """Whole units -> integer base units, exactly; an amount finer than one base unit raises ValueError."""
    with localcontext() as ctx:
        ctx.prec = 100
        scaled = amount.scaleb(decimals)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{amount} is not a whole number of base units at {decimals} decimals")
        return int(scaled)


def to_units(amount: Decimal, decimals: int, *, field: str = "amount") -> Decimal:
    """The amount as whole units of the asset; more decimals than the asset has is bad input."""
    if not amount.is_finite() or amount <= 0:
        raise BadInput(f"{field} must be a positive number, not {amount}")
    with localcontext() as ctx:
        ctx.prec = 80
        exact = amount.quantize(unit(decimals))
    if exact != amount:
        raise BadInput(f"{field} {amount} has more decimal places than the asset's {decimals}")
    return exact


def _usd(value: Decimal) -> str:
    return format(value.quantize(CENT), ",f")


def rule_of(outcome: str | None) -> str:
    """The fee rule of an outcome (recovery.outcomes); no outcome given: the tier rule."""
    if outcome is None:
        return "tier"
    if outcome not in Outcome._value2member_map_:
        raise BadInput(f"unknown outcome {outcome!r}")
    rule = info(outcome).fee_rule
    if rule is None:
        raise BadInput(f"{outcome} cannot be quoted: nothing can be recovered")
    return rule


def fee_rule(policy: FeePolicy, *, tier: str, outcome: str | None, listed: bool,
             usd_value: Decimal) -> tuple[Decimal, str]:
    """The service fee in USD and the name of the rule that set it."""
    kind = rule_of(outcome)
    if kind == "no_fee":
        return Decimal(0), f"{outcome}: a valid deposit not yet credited, no fee"
    if kind == "memo_flat" and listed:
        return policy.memo_flat_usd, f"{outcome} on a listed asset: flat {_usd(policy.memo_flat_usd)} USD"
    rule = policy.tiers.get(tier)
    if rule is None:
        raise BadInput(f"the fee policy has no rule for tier {tier!r}")
    share = usd_value * rule.percent / 100
    text = f"{tier} tier: {rule.percent.normalize():f}% of USD value, min {_usd(rule.min_usd)}, " \
           f"max {_usd(rule.max_usd)} USD"
    if share < rule.min_usd:
        return rule.min_usd, text + " (minimum applied)"
    if share > rule.max_usd:
        return rule.max_usd, text + " (maximum applied)"
    return share, text


def compute(policy: FeePolicy, *, tier: str, outcome: str | None, listed: bool, gross: Decimal,
            decimals: int, usd_price: Decimal, network_fee: Decimal = Decimal(0)) -> FeeBreakdown:
    """Fee, network fee and net of recovering `gross` (whole units) of an asset worth `usd_price`."""
    if not usd_price.is_finite() or usd_price <= 0:
        raise BadInput(f"usd_price must be a positive number, not {usd_price}")
    if network_fee < 0:
        raise BadInput("network fee must not be negative")
    with localcontext() as ctx:
        ctx.prec = 80
        step = unit(decimals)
        gross = to_units(gross, decimals, field="amount")
        usd_value = gross * usd_price
        fee_usd_rule, rule = fee_rule(policy, tier=tier, outcome=outcome, listed=listed, usd_value=usd_value)
        fee = (fee_usd_rule / usd_price).quantize(step, rounding=ROUND_HALF_UP)
        fee = min(max(fee, Decimal(0)), gross)
        if fee == gross and fee_usd_rule > 0:
            rule += " (capped at the amount)"
        nf = min(network_fee.quantize(step, rounding=ROUND_CEILING), gross - fee)
        net = gross - fee - nf
        fee_usd = (fee * usd_price).quantize(CENT)
        nf_usd = (nf * usd_price).quantize(CENT)
        value = usd_value.quantize(CENT)
        recommendation, reason = _recommend(policy, outcome, value, fee_usd + nf_usd)
    return FeeBreakdown(gross=gross, fee=fee, network_fee=nf, net=net, usd_value=value, fee_usd=fee_usd,
                        network_fee_usd=nf_usd, rule=rule, recommendation=recommendation, reason=reason)


def _recommend(policy: FeePolicy, outcome: str | None, value: Decimal, cost: Decimal) -> tuple[str, str]:
    if rule_of(outcome) == "no_fee":
        return RECOVER, "the deposit is valid and was not credited: it is credited without a fee"
    if value < policy.small_below_usd:
        return DEFER, (f"the amount is worth {_usd(value)} USD, below the small-claim limit of "
                       f"{_usd(policy.small_below_usd)} USD: waiting for network support costs nothing")
    if cost > value * policy.max_fee_share:
        return DEFER, (f"the fees ({_usd(cost)} USD) would exceed {policy.max_fee_share * 100:.0f}% of the "
                       f"value ({_usd(value)} USD): waiting for network support costs nothing")
    return RECOVER, f"the fees ({_usd(cost)} USD) are a fair share of the value ({_usd(value)} USD)"


# -- the stored rule and reason texts read back, for the user's message in their language -----------------

@dataclass(frozen=True, slots=True)
class RuleTerms:
    """What a quote's `rule` text says: which rule set the fee, and its figures (None where not said)."""

    kind: str                       # no_fee / memo_flat / tier / unknown (a text this module did not write)
    tier: str | None = None
    percent: Decimal | None = None
    min_usd: Decimal | None = None
    max_usd: Decimal | None = None
    flat_usd: Decimal | None = None
    bound: str | None = None        # "minimum" / "maximum": the clamp that set the fee
    capped: bool = False            # the fee was limited to the amount itself


@dataclass(frozen=True, slots=True)
class ReasonTerms:
    """What a quote's `reason` text says: why it recommends recovering or waiting."""

    kind: str                       # no_fee / small / share / fair / unknown
    value_usd: Decimal | None = None
    cost_usd: Decimal | None = None
    limit_usd: Decimal | None = None
    share_percent: Decimal | None = None


_N = r"([\d,]+(?:\.\d+)?)"
_RULE_TIER = re.compile(rf"(\w[\w-]*) tier: {_N}% of USD value, min {_N}, max {_N} USD"
                        r"(?: \((minimum|maximum) applied\))?")
_RULE_FLAT = re.compile(rf"\w+ on a listed asset: flat {_N} USD")
_REASON_SMALL = re.compile(rf"the amount is worth {_N} USD, below the small-claim limit of {_N} USD")
_REASON_SHARE = re.compile(rf"the fees \({_N} USD\) would exceed {_N}% of the value \({_N} USD\)")
_REASON_FAIR = re.compile(rf"the fees \({_N} USD\) are a fair share of the value \({_N} USD\)")


def _num(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def rule_terms(rule: str) -> RuleTerms:
    """The terms of a rule text written by `fee_rule`/`compute`; kind `unknown` for any other text."""
    capped = rule.endswith(" (capped at the amount)")
    if rule.endswith(", no fee"):
        return RuleTerms("no_fee", capped=capped)
    if m := _RULE_FLAT.match(rule):
        return RuleTerms("memo_flat", flat_usd=_num(m[1]), capped=capped)
    if m := _RULE_TIER.match(rule):
        return RuleTerms("tier", tier=m[1], percent=_num(m[2]), min_usd=_num(m[3]), max_usd=_num(m[4]),
                         bound=m[5], capped=capped)
    return RuleTerms("unknown", capped=capped)


def reason_terms(reason: str) -> ReasonTerms:
    """The terms of a reason text written by `compute`; kind `unknown` for any other text."""
    if reason.startswith("the deposit is valid and was not credited"):
        return ReasonTerms("no_fee")
    if m := _REASON_SMALL.match(reason):
        return ReasonTerms("small", value_usd=_num(m[1]), limit_usd=_num(m[2]))
    if m := _REASON_SHARE.match(reason):
        return ReasonTerms("share", cost_usd=_num(m[1]), share_percent=_num(m[2]), value_usd=_num(m[3]))
    if m := _REASON_FAIR.match(reason):
        return ReasonTerms("fair", cost_usd=_num(m[1]), value_usd=_num(m[2]))
    return ReasonTerms("unknown")
