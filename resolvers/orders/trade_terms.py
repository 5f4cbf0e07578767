"""The terms a quote offers and an order keeps: charges beside the goods and payment terms.

No GraphQL, no I/O. Which charges an incoterm makes the seller's is the Incoterms 2020 rule:
under CFR, CIF, CPT, CIP, DAP, DPU and DDP the seller pays the main carriage, so a quote (or
an order given its charges) under one of them states the freight; under CIF and CIP the
seller also insures the goods. Amounts are in the quote's or order's currency, in its minor
unit, as the buyer will be invoiced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.outcomes import Issue, UserErrorCode
from models.clients import MAX_NET_DAYS, BalanceDueOn, PaymentTerms
from models.money import MAX_AMOUNT, has_too_many_places, minor_unit
from models.orders import ChargeKind
from resolvers.checks import Checker, Path

SELLER_PAYS_CARRIAGE = frozenset({"CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP"})
SELLER_INSURES = frozenset({"CIF", "CIP"})
MAX_CHARGES = 10
MAX_CHARGE_DESCRIPTION_LENGTH = 200
# Kinds a quote or order carries at most once; OTHER charges are told apart by description.
SINGLE_KINDS = frozenset({ChargeKind.FREIGHT, ChargeKind.INSURANCE})


@dataclass(frozen=True)
class ChargeRequest:
    kind: str
    amount: Decimal
    description: str = ""


@dataclass(frozen=True)
class Charge:
    kind: ChargeKind
    amount: Decimal
    description: str


def charges_total(charges: Sequence[Charge]) -> Decimal:
    return sum((charge.amount for charge in charges), Decimal(0))


def check_charges(
    problems: Checker, where: Path, requested: Sequence[ChargeRequest], currency: str
) -> list[Charge]:
    """Each charge's shape: a known kind, a positive amount in the currency's minor unit,
    OTHER described, FREIGHT and INSURANCE at most once each."""
    if len(requested) > MAX_CHARGES:
        problems.fail(where, UserErrorCode.TOO_MANY_ITEMS, f"at most {MAX_CHARGES} charges")
        return []
    places = minor_unit(currency)
    charges: list[Charge] = []
    seen: set[ChargeKind] = set()
    for index, charge in enumerate(requested):
        at: Path = (*where, str(index))
        if charge.kind not in {kind.value for kind in ChargeKind}:
            problems.fail((*at, "kind"), UserErrorCode.INVALID, "not a kind of charge")
            continue
        kind = ChargeKind(charge.kind)
        amount = charge.amount
        if not amount.is_finite() or has_too_many_places(amount, places):
            problems.fail(
                (*at, "amount"),
                UserErrorCode.INVALID_AMOUNT,
                f"must be an amount in {currency} with at most {places} decimals",
            )
        elif not Decimal(0) < amount <= MAX_AMOUNT:
            problems.fail(
                (*at, "amount"),
                UserErrorCode.OUT_OF_RANGE,
                f"must be above 0 and at most {MAX_AMOUNT}",
            )
        description = problems.text(
            (*at, "description"),
            charge.description,
            MAX_CHARGE_DESCRIPTION_LENGTH,
            required=kind is ChargeKind.OTHER,
        )
        if kind in SINGLE_KINDS and kind in seen:
            problems.fail(
                (*at, "kind"),
                UserErrorCode.DUPLICATE_ITEM,
                f"{kind.name} is charged once; put the whole amount on one charge",
            )
        seen.add(kind)
        charges.append(Charge(kind, amount, description))
    return charges


def missing_charges(where: Path, incoterm: str, charges: Sequence[Charge]) -> list[Issue]:
    """The charges `incoterm` makes the seller's that `charges` leave out (CHARGE_REQUIRED)."""
    kinds = {charge.kind for charge in charges}
    issues = []
    if incoterm in SELLER_PAYS_CARRIAGE and ChargeKind.FREIGHT not in kinds:
        issues.append(
            Issue(
                where,
                UserErrorCode.CHARGE_REQUIRED,
                f"under {incoterm} the seller pays the main carriage: state the FREIGHT charge",
            )
        )
    if incoterm in SELLER_INSURES and ChargeKind.INSURANCE not in kinds:
        issues.append(
            Issue(
                where,
                UserErrorCode.CHARGE_REQUIRED,
                f"under {incoterm} the seller insures the goods: state the INSURANCE charge",
            )
        )
    return issues


@dataclass(frozen=True)
class PaymentTermsRequest:
    advance_percent: int
    balance_due_on: str
    net_days: int


def check_payment_terms(
    problems: Checker, where: Path, requested: PaymentTermsRequest
) -> PaymentTerms | None:
    """The terms, or None (with the issues recorded) when any part is out of range."""
    before = len(problems.issues)
    problems.in_range((*where, "advancePercent"), requested.advance_percent, 0, 100)
    problems.in_range((*where, "netDays"), requested.net_days, 0, MAX_NET_DAYS)
    if requested.balance_due_on not in {event.value for event in BalanceDueOn}:
        problems.fail(
            (*where, "balanceDueOn"),
            UserErrorCode.OUT_OF_RANGE,
            "must be one of " + ", ".join(event.value for event in BalanceDueOn),
        )
    if len(problems.issues) > before:
        return None
    return PaymentTerms(
        requested.advance_percent, BalanceDueOn(requested.balance_due_on), requested.net_days
    )
