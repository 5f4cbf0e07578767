"""Query and mutation logic and the request context; returns rows, never Strawberry types."""
