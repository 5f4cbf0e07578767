"""Composition root: the ASGI app factory, middleware, the `tradeql` CLI."""
