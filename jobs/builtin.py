"""The handlers TradeQL ships with, plus any a deployment adds through HANDLER_MODULES."""

from __future__ import annotations

from core.settings import Settings
from jobs import accounts as account_mail
from jobs import catalog, ledger, reports
from jobs import inquiries as inquiry_mail
from jobs.mail import buyer_mail
from jobs.mail import send as mail
from jobs.registry import HandlerRegistry, load_handler_modules
from jobs.webhooks import delivery as webhooks


def build_registry(settings: Settings) -> HandlerRegistry:
    registry = HandlerRegistry()
    mail.register(registry)
    account_mail.register(registry)
    inquiry_mail.register(registry)
    buyer_mail.register(registry)
    webhooks.register(registry)
    # After the fan-out: a deferred posting must not hold up partners' webhooks.
    ledger.register(registry)
    catalog.register(registry)
    reports.register(registry)
    load_handler_modules(registry, settings.handler_module_list)
    return registry
