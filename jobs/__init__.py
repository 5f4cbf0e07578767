"""Outbox handlers: mail, webhooks, ledger entries, imports."""
