"""Validation that costs little and answers briefly, whatever the document.

Replaces strawberry's AddValidationRules + ValidationCache with one extension that:
- refuses a document carrying more than `max_directives` directives with one error, before
  the rules run (500 repeats of an unknown `@aa` used to give 101 errors in 17 KB);
- stops any other validation at `MAX_VALIDATION_ERRORS` errors;
- hides graphql-core's "Did you mean" suggestions outside development (they map the schema).

Results are cached per parsed document and policy; the policy (with its rules) is made once
per schema, because a rule class made per request is a new cache key and every request would
miss the cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    Node,
    specified_rules,
    validate,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

# Enough to fix a document by; more is only bytes for whoever sent it.
MAX_VALIDATION_ERRORS = 10
# Distinct documents whose parse and validation results each process keeps.
DOCUMENT_CACHE_SIZE = 1_000
STRAWBERRY_RULES = (*specified_rules, MaybeNullValidationRule, OneOfInputValidationRule)


@dataclass(frozen=True)
class ValidationPolicy:
    """What validation checks and shows; hashable, so one per schema keys the cache."""

    extra_rules: tuple[Any, ...]
    max_directives: int
    hide_suggestions: bool


def bounded_validation(policy: ValidationPolicy) -> type[SchemaExtension]:
    """The extension validating each request's document under `policy`."""

    class BoundedValidation(SchemaExtension):
        def on_validate(self) -> Iterator[None]:
            context = self.execution_context
            assert context.graphql_document is not None
            errors = validate_document(context.schema._schema, context.graphql_document, policy)
            # Not None, even when empty: strawberry then skips its own validation.
            context.pre_execution_errors = [*(context.pre_execution_errors or []), *errors]
            yield

    return BoundedValidation


@lru_cache(maxsize=DOCUMENT_CACHE_SIZE)
def validate_document(
    schema: GraphQLSchema, document: DocumentNode, policy: ValidationPolicy
) -> list[GraphQLError]:
    if count_directives(document, stop_after=policy.max_directives) > policy.max_directives:
        return [
            GraphQLError(
                f"The document has more than {policy.max_directives} directives; "
                f"at most {policy.max_directives} are allowed."
            )
        ]
    return validate(
        schema,
        document,
        (*STRAWBERRY_RULES, *policy.extra_rules),
        max_errors=MAX_VALIDATION_ERRORS,
        hide_suggestions=policy.hide_suggestions,
    )


def count_directives(document: DocumentNode, *, stop_after: int) -> int:
    """Directives used anywhere in `document`, counting no further than `stop_after` + 1."""
    count = 0
    pending: list[Any] = [document]
    while pending and count <= stop_after:
        node = pending.pop()
        if isinstance(node, DirectiveNode):
            count += 1
        for key in node.keys:
            child = getattr(node, key, None)
            if isinstance(child, Node):
                pending.append(child)
            elif isinstance(child, tuple | list):
                pending.extend(item for item in child if isinstance(item, Node))
    return count
