"""The assembled schema, with the limits that protect it from abusive documents."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import cache, partial
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxTokensLimiter, ParserCache, SchemaExtension
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.scalars import JSON
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.name_converter import NameConverter
from strawberry.types import ExecutionContext

from core.bounded import LruMapping
from core.settings import Settings
from schema.accounts.guards import MfaSetupOnly, OneCredentialFieldPerOperation
from schema.accounts.mutation import AccountMutation
from schema.accounts.query import AccountQuery
from schema.audit.query import AuditQuery
from schema.catalog.catalog_import import CatalogImportQuery
from schema.catalog.export_mutation import CatalogExportMutation
from schema.catalog.import_mutation import CatalogImportMutation
from schema.catalog.product_mutations import ProductMutation
from schema.catalog.query import CatalogQuery
from schema.catalog.staff_query import StaffCatalogQuery
from schema.catalog.stock_mutations import StockMutation
from schema.catalog.taxonomy_mutations import TaxonomyMutation
from schema.clients.mutations import ClientMutation
from schema.clients.query import ClientQuery
from schema.cost import cost_limit
from schema.counts import BIG_INT, BigInt
from schema.debug import DebugExtensions
from schema.decimal_input import DECIMAL
from schema.execution import fast_execution
from schema.files.csv_export import CsvExportMutation, CsvExportQuery
from schema.files.query import FileQuery
from schema.fx.mutations import FxMutation
from schema.fx.query import FxQuery
from schema.input_text import CHECKED_JSON, narrow_text_scalars
from schema.inquiries.lead_conversion import LeadConversionMutation
from schema.inquiries.mutations import InquiryMutation
from schema.inquiries.query import InquiryQuery
from schema.inquiries.staff_query import StaffInquiryQuery
from schema.introspection import caller_view_execution, introspection_access
from schema.ledger.query import LedgerQuery
from schema.orders.mutations import OrderMutation
from schema.orders.payment_query import PaymentQuery
from schema.orders.query import OrderQuery
from schema.orders.staff_query import StaffOrderQuery
from schema.reports.query import ReportQuery
from schema.shipments.mutations import ShipmentMutation
from schema.shipments.query import ShipmentQuery
from schema.shipments.staff_query import StaffShipmentQuery
from schema.single_operation import OneOperationPerRequest
from schema.uploads import UPLOAD, Upload
from schema.validation import DOCUMENT_CACHE_SIZE, ValidationPolicy, bounded_validation
from schema.views import SchemaViews

ExtensionFactory = type[SchemaExtension] | Callable[[], SchemaExtension]


@strawberry.type(description="Everything a storefront, an admin or a partner can read.")
class Query(
    CatalogQuery,
    StaffCatalogQuery,
    CatalogImportQuery,
    ClientQuery,
    AuditQuery,
    AccountQuery,
    FxQuery,
    OrderQuery,
    StaffOrderQuery,
    InquiryQuery,
    StaffInquiryQuery,
    LedgerQuery,
    PaymentQuery,
    ShipmentQuery,
    StaffShipmentQuery,
    FileQuery,
    CsvExportQuery,
    ReportQuery,
):
    pass


@strawberry.type(description="Everything that changes data; each operation names who may run it.")
class Mutation(
    ClientMutation,
    AccountMutation,
    FxMutation,
    OrderMutation,
    InquiryMutation,
    LeadConversionMutation,
    ShipmentMutation,
    StockMutation,
    CatalogExportMutation,
    CatalogImportMutation,
    TaxonomyMutation,
    ProductMutation,
    CsvExportMutation,
):
    pass


class RememberedNames(NameConverter):
    """Strawberry's names, each worked out once: it converts every argument's Python name
    to its GraphQL name on every call of a field with arguments (a `price(...)` per variant
    of a listing), to find it in what graphql-core passes."""

    @cache  # noqa: B019 - one converter per process, names are few and live as long
    def apply_naming_config(self, name: str) -> str:
        return super().apply_naming_config(name)


class TradeQLSchema(strawberry.Schema):
    # Set outside development: variables' coercion errors then suggest no names either.
    hide_suggestions = False

    def _get_custom_context_kwargs(
        self, operation_extensions: dict[str, Any] | None = None, *, sync: bool = False
    ) -> dict[str, Any]:
        """What strawberry passes on to graphql-core's `execute`, plus `hide_suggestions`."""
        kwargs = super()._get_custom_context_kwargs(operation_extensions, sync=sync)
        return {**kwargs, "hide_suggestions": self.hide_suggestions}

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """`schema.errors.present_errors` logs unexpected errors once, with the request id."""


# Served schemas kept per process: one per distinct settings. A server has one; the tests make
# an app per test, with a handful of distinct settings.
SERVED_SCHEMAS_KEPT = 16
_SERVED: LruMapping[str, strawberry.Schema] = LruMapping(SERVED_SCHEMAS_KEPT)


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    """The schema served over HTTP with `settings`, built once per process for equal settings;
    with no settings, a new bare schema (for `export-schema`).

    Apps with equal settings share their schema: it is built from the settings alone and
    keeps no state of an app's. Building one costs about 150 ms, and the process-wide parse and
    validation caches key on the schema, so a schema per app stayed alive in them: hundreds of
    them over the test suite, which grew to 2 GB.
    """
    if settings is None:
        return _new_schema(None)
    key = settings.model_dump_json()
    served = _SERVED.get(key)
    if served is None:
        served = _SERVED[key] = _new_schema(settings)
    return served


def _new_schema(settings: Settings | None) -> strawberry.Schema:
    extensions: list[ExtensionFactory] = []
    if settings is not None:
        extensions += _protections(settings)
        if settings.debug_extensions:
            extensions.append(DebugExtensions)
    narrow_text_scalars()
    schema = TradeQLSchema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        scalar_overrides={Decimal: DECIMAL, JSON: CHECKED_JSON, Upload: UPLOAD, BigInt: BIG_INT},
        config=StrawberryConfig(name_converter=RememberedNames()),
    )
    schema.hide_suggestions = settings is not None and not settings.is_development
    if settings is not None:
        schema.execution_context_class = fast_execution(
            schema, caller_view_execution(audience_views())
        )
    return schema


@cache
def audience_views() -> SchemaViews:
    """Every audience's view, made once per process, when the first served schema is built
    (at startup): views depend on the types and the policy table only, never on settings."""
    return SchemaViews(build_schema()._schema)


def _protections(settings: Settings) -> list[ExtensionFactory]:
    """Per-request extension factories; the parse and validation caches are process-wide.

    The validation rules are made once, here: strawberry's QueryDepthLimiter and
    MaxAliasesLimiter create a new rule class per instance, i.e. per request, and a new rule
    is a new key of a validation cache, so every request would miss it and be validated anew.
    """
    rules: list[Any] = [
        OneCredentialFieldPerOperation,
        depth_rule(settings.max_query_depth, None, None),
        aliases_rule(settings.max_aliases),
    ]
    return [
        partial(MaxTokensLimiter, max_token_count=settings.max_tokens),
        partial(ParserCache, maxsize=DOCUMENT_CACHE_SIZE),
        bounded_validation(
            ValidationPolicy(
                extra_rules=tuple(rules),
                max_directives=settings.max_directives,
                hide_suggestions=not settings.is_development,
            )
        ),
        OneOperationPerRequest,
        MfaSetupOnly,
        introspection_access(public=settings.introspection_for_anonymous),
        cost_limit(settings.max_query_cost),
    ]
