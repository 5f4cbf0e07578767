"""The `tradeql` command line: `main` assembles one module per command group."""
