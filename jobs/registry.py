"""Which handlers run for which event type.

A handler is a named async function of (event, context). Its name is the key its effects are
recorded under, so renaming a handler makes already-handled events look new: don't.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from jobs.context import JobContext
from models.outbox import OutboxEvent

HandlerFunction = Callable[[OutboxEvent, JobContext], Awaitable[None]]


class Defer(Exception):
    """Raised by a handler to run the event again later without spending an attempt."""

    def __init__(self, seconds: float, reason: str) -> None:
        super().__init__(reason)
        self.seconds = seconds
        self.reason = reason


@dataclass(frozen=True)
class Handler:
    name: str
    event_types: frozenset[str]
    run: HandlerFunction


class HandlerRegistry:
    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def register(
        self, name: str, event_types: Iterable[str]
    ) -> Callable[[HandlerFunction], HandlerFunction]:
        """Decorator: run the function for each event of `event_types`."""

        def add(function: HandlerFunction) -> HandlerFunction:
            if name in self._handlers:
                raise ValueError(f"a handler named {name!r} is already registered")
            self._handlers[name] = Handler(name, frozenset(event_types), function)
            return function

        return add

    def handlers_for(self, event_type: str) -> list[Handler]:
        return [h for h in self._handlers.values() if event_type in h.event_types]

    @property
    def names(self) -> list[str]:
        return sorted(self._handlers)


def load_handler_modules(registry: HandlerRegistry, module_names: Iterable[str]) -> None:
    """Let a deployment add its own handlers: each module exposes `register(registry)`."""
    for module_name in module_names:
        module = importlib.import_module(module_name)
        register = getattr(module, "register", None)
        if not callable(register):
            raise ValueError(f"handler module {module_name} has no register(registry) function")
        register(registry)
