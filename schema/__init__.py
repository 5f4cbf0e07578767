"""Strawberry types, inputs, payloads and the assembled schema."""
