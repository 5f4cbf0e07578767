"""Two whole-operation rules for accounts, applied before any resolver runs.

- One credential attempt per operation: a document may not select `login` (or any other
  mutation that checks a password, a code or a token) twice, under aliases or through
  fragments, so one request cannot multiply guesses past the per-attempt throttle.
  A validation rule: it depends on the document only, so the validation cache keeps it.
- Staff who must set MFA up may run only the fields that do that: anything else in the
  operation refuses the whole operation with FORBIDDEN, public catalog reads included.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from core.errors import Forbidden

# Root fields that check a password, an MFA code, a recovery code or a single-use token.
CREDENTIAL_FIELDS = frozenset(
    {
        "login",
        "verifyMfa",
        "refreshSession",
        "changePassword",
        "requestPasswordReset",
        "resetPassword",
        "acceptInvitation",
        "confirmTotp",
        "regenerateRecoveryCodes",
        "disableTotp",
    }
)
# What a staff session without MFA may do (`Principal.limited_to_mfa_setup`).
MFA_SETUP_FIELDS = frozenset(
    {"me", "enrollTotp", "confirmTotp", "refreshSession", "logout", "__typename"}
)


def root_field_names(
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    _seen: frozenset[str] = frozenset(),
) -> Iterator[str]:
    """Every field selected at this level, once per occurrence: aliases, inline fragments
    and each fragment spread count. Fragment cycles (invalid anyway) stop at the repeat."""
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            yield from root_field_names(selection.selection_set, fragments, _seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in _seen:
                yield from root_field_names(fragment.selection_set, fragments, _seen | {name})


def fragments_by_name(definitions: Any) -> dict[str, FragmentDefinitionNode]:
    """The fragment definitions of a document, by name, for walking its spreads."""
    return {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}


class OneCredentialFieldPerOperation(ValidationRule):
    def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
        fragments = fragments_by_name(self.context.document.definitions)
        names = root_field_names(node.selection_set, fragments)
        used = [name for name in names if name in CREDENTIAL_FIELDS]
        if len(used) > 1:
            self.report_error(
                GraphQLError(
                    f"An operation may make one sign-in or credential attempt, not {len(used)} "
                    f"({', '.join(sorted(set(used)))}); send them as separate requests.",
                    node,
                )
            )


class MfaSetupOnly(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        principal = getattr(context.context, "principal", None)
        document = context.graphql_document
        if principal is not None and principal.limited_to_mfa_setup and document is not None:
            operation = get_operation_ast(document, context.operation_name)
            if operation is not None:
                names = root_field_names(
                    operation.selection_set, fragments_by_name(document.definitions)
                )
                refused = sorted(set(names) - MFA_SETUP_FIELDS)
                if refused:
                    message = (
                        "Set up MFA first (enrollTotp, then confirmTotp): until then this "
                        f"session may not use {', '.join(refused)}."
                    )
                    context.result = ExecutionResult(
                        data=None,
                        errors=[GraphQLError(message, original_error=Forbidden(message))],
                    )
        yield
