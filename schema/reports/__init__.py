"""The reports' Strawberry types and query fields, one module per report."""
