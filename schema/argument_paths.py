"""Which argument a literal in a document belongs to, as `extensions.argument` names it.

graphql-core reports a literal it could not coerce at the literal's position, without the
argument around it; this finds that argument's path (`filter.specs.0.attribute`), or the
variable whose default value holds the literal.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    BREAK,
    ArgumentNode,
    GraphQLError,
    ListValueNode,
    ObjectValueNode,
    Source,
    ValueNode,
    VariableDefinitionNode,
    Visitor,
    parse,
    visit,
)


def argument_path_at(source: Source, position: int) -> str | None:
    """The path of the argument whose literal spans `position` in `source`, if any."""
    try:
        document = parse(source)
    except GraphQLError:
        return None
    finder = _ArgumentFinder(position)
    visit(document, finder)
    return None if finder.path is None else ".".join(finder.path)


class _ArgumentFinder(Visitor):
    def __init__(self, position: int) -> None:
        super().__init__()
        self.position = position
        self.path: list[str] | None = None

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> Any:
        if _spans(node.value, self.position):
            self.path = [node.name.value, *_path_inside(node.value, self.position)]
            return BREAK
        return None

    def enter_variable_definition(self, node: VariableDefinitionNode, *_args: Any) -> Any:
        if node.default_value is not None and _spans(node.default_value, self.position):
            self.path = [node.variable.name.value]
            return BREAK
        return None


def _path_inside(value: ValueNode, position: int) -> list[str]:
    if isinstance(value, ObjectValueNode):
        for field in value.fields:
            if _spans(field.value, position):
                return [field.name.value, *_path_inside(field.value, position)]
    elif isinstance(value, ListValueNode):
        for index, item in enumerate(value.values):
            if _spans(item, position):
                return [str(index), *_path_inside(item, position)]
    return []


def _spans(node: ValueNode, position: int) -> bool:
    return node.loc is not None and node.loc.start <= position < node.loc.end
