"""What a quote offers or an order keeps beyond its lines, in the buyer's language: the
charges beside the goods and the payment terms.

Figures appear as everywhere else in a buyer's mail (`mail_values`); the few words around
them that a template cannot hold (which charge, when the balance falls due) come from the
small vocabulary below, English for any language it lacks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from jobs.mail.mail_values import money
from jobs.mail.rendering import ENGLISH
from models.clients import BalanceDueOn, PaymentTerms
from models.orders import ChargeKind

WORDS: dict[str, dict[str, str]] = {
    ENGLISH: {
        "goods": "Goods",
        ChargeKind.FREIGHT: "Freight",
        ChargeKind.INSURANCE: "Insurance",
        BalanceDueOn.INVOICE: "the invoice date",
        BalanceDueOn.BILL_OF_LADING: "the bill of lading date",
        BalanceDueOn.DELIVERY: "delivery",
        "in_advance": "{advance}% in advance",
        "balance": "{days} days after {event}",
        "balance_after_advance": "{advance}% in advance, the balance {days} days after {event}",
    },
    "de": {
        "goods": "Warenwert",
        ChargeKind.FREIGHT: "Fracht",
        ChargeKind.INSURANCE: "Versicherung",
        BalanceDueOn.INVOICE: "dem Rechnungsdatum",
        BalanceDueOn.BILL_OF_LADING: "dem Datum des Konnossements",
        BalanceDueOn.DELIVERY: "der Lieferung",
        "in_advance": "{advance} % Vorauszahlung",
        "balance": "zahlbar {days} Tage nach {event}",
        "balance_after_advance": (
            "{advance} % Vorauszahlung, Restbetrag zahlbar {days} Tage nach {event}"
        ),
    },
}


@dataclass(frozen=True)
class Charge:
    kind: ChargeKind
    description: str
    amount: Decimal


@dataclass(frozen=True)
class DealTerms:
    currency: str
    goods_total: Decimal
    charges: tuple[Charge, ...]
    terms: PaymentTerms

    @classmethod
    def of(
        cls, currency: str, goods_total: Decimal, charges: Iterable[Charge], terms: PaymentTerms
    ) -> DealTerms:
        return cls(currency, goods_total, tuple(charges), terms)


def deal_values(deal: DealTerms, language: str) -> dict[str, str]:
    """`charges`: a blank line, then the goods and each charge, one a row (nothing without
    charges, so the mail reads as before); `payment_terms`: the terms as a phrase."""
    words = WORDS.get(language, WORDS[ENGLISH])
    rows = []
    if deal.charges:
        rows = [f"{words['goods']}: {money(deal.goods_total, deal.currency)}"]
        for charge in deal.charges:
            label = charge.description if charge.kind == ChargeKind.OTHER else words[charge.kind]
            rows.append(f"{label}: {money(charge.amount, deal.currency)}")
    return {
        "charges": "".join(f"\n{row}" for row in (["", *rows] if rows else [])),
        "payment_terms": payment_terms(deal.terms, words),
    }


def payment_terms(terms: PaymentTerms, words: dict[str, str]) -> str:
    event = words[terms.balance_due_on]
    if terms.advance_percent >= 100:
        return words["in_advance"].format(advance=terms.advance_percent)
    key = "balance_after_advance" if terms.advance_percent else "balance"
    return words[key].format(advance=terms.advance_percent, days=terms.net_days, event=event)
