"""One operation per request: a document with several needs `operationName` to pick one.

Strawberry would otherwise run the first operation silently, which makes it easy to smuggle
work past per-request limits and hard to tell which operation a log line belongs to.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension


class OneOperationPerRequest(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context._provided_operation_name is None:
            operations = [
                node for node in document.definitions if isinstance(node, OperationDefinitionNode)
            ]
            if len(operations) > 1:
                error = GraphQLError(
                    f"The document has {len(operations)} operations; "
                    "send operationName to choose the one to run."
                )
                context.pre_execution_errors = [*(context.pre_execution_errors or []), error]
        yield
