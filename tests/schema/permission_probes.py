"""The probes of the role x field matrix (test_permission_matrix.py): for each protected field
or operation, the smallest request that reaches it, and what kind of record it sits on, so the
matrix can say what each caller should get.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.global_id import encode_global_id


class Outcome(StrEnum):
    SERVED = "served"
    FORBIDDEN = "forbidden"  # null with a FORBIDDEN error at the field's path
    HIDDEN = "hidden"  # a company the caller may not see: null, no error
    REFUSED = "refused"  # the whole operation FORBIDDEN: staff who must set MFA up first
    GATED = "gated"  # the field's parent refuses the caller (staff and staff API keys only)
    UNAUTHENTICATED = "401"


@dataclass(frozen=True)
class Probe:
    query: str
    path: tuple[str, ...]
    on_company: bool = False  # the field belongs to the seeded company, read by node id
    on_order: bool = False  # the field belongs to the seeded order, read by node id
    staff_row: bool = False  # a row only orders:read_all staff see (a guest's inquiry)
    staff_gated: bool = False  # under a root field for staff users and staff API keys only


def _company_field(selection: str, name: str) -> Probe:
    fragment = f"... on ClientCompany {{ {selection} }}"
    query = f"query($company: ID!) {{ node(id: $company) {{ {fragment} }} }}"
    return Probe(query, ("node", name), on_company=True)


def _variant_field(selection: str, name: str) -> Probe:
    fragment = f"... on Variant {{ {selection} }}"
    query = f"query($variant: ID!) {{ node(id: $variant) {{ {fragment} }} }}"
    return Probe(query, ("node", name))


def _order_field(name: str) -> Probe:
    query = f"query($order: ID!) {{ node(id: $order) {{ ... on Order {{ {name} }} }} }}"
    return Probe(query, ("node", name), on_order=True)


def _inquiry_field(selection: str, name: str, *, of_guest: bool = False) -> Probe:
    """A field of the seeded company's inquiry (seen like its orders), or of a guest's."""
    variable = "guestInquiry" if of_guest else "inquiry"
    fragment = f"... on Inquiry {{ {selection} }}"
    query = f"query(${variable}: ID!) {{ node(id: ${variable}) {{ {fragment} }} }}"
    return Probe(query, ("node", name), on_order=not of_guest, staff_row=of_guest)


def _mutation(name: str, arguments: str) -> Probe:
    """A mutation meant to be refused with a userError when served, so it changes nothing."""
    variables = "($company: ID!)" if "$company" in arguments else ""
    query = f"mutation{variables} {{ {name}({arguments}) {{ userErrors {{ code }} }} }}"
    return Probe(query, (name,))


NO_USER = encode_global_id("User", 999_999_999)
NO_ORDER = encode_global_id("Order", 999_999_999)
NO_INQUIRY = encode_global_id("Inquiry", 999_999_999)
NO_VARIANT = encode_global_id("Variant", 999_999_999)
NO_CATEGORY = encode_global_id("Category", 999_999_999)
NO_TYPE = encode_global_id("ProductType", 999_999_999)
NO_PRODUCT = encode_global_id("Product", 999_999_999)


TERMS = "paymentTerms: {advancePercent: 0, balanceDueOn: INVOICE, netDays: 30}"
PROBES: dict[str, Probe] = {
    "ClientCompany.taxId": _company_field("taxId", "taxId"),
    "ClientCompany.contacts": _company_field("contacts { name }", "contacts"),
    "ClientCompany.creditLimit": _company_field("creditLimit { amount }", "creditLimit"),
    "ClientCompany.creditUsed": _company_field("creditUsed { amount }", "creditUsed"),
    "ClientCompany.overdueAmount": _company_field("overdueAmount { amount }", "overdueAmount"),
    "ClientCompany.paymentTerms": _company_field("paymentTerms { netDays }", "paymentTerms"),
    "ClientCompany.users": _company_field("users { email }", "users"),
    "Variant.costPrice": _variant_field("costPrice { amount }", "costPrice"),
    "Variant.margin": _variant_field("margin { amount }", "margin"),
    "Query.clientCompanies": Probe(
        "{ clientCompanies(first: 1) { totalCount } }", ("clientCompanies",)
    ),
    "Query.clientCompany": Probe(
        "query($company: ID!) { clientCompany(id: $company) { name } }", ("clientCompany",)
    ),
    "Query.shipments": Probe(
        "{ shipments(first: 1, sortBy: ETD_DESC) { totalCount nodes { eta } } }",
        ("shipments",),
    ),
    "Query.catalogProducts": Probe(
        "{ catalogProducts(first: 1) { totalCount } }", ("catalogProducts",)
    ),
    "Query.catalogProduct": Probe(
        "query($product: ID!) { catalogProduct(id: $product) { status } }", ("catalogProduct",)
    ),
    "Query.catalogStockMovements": Probe(
        "query($variant: ID!) { catalogStockMovements(variantId: $variant) { totalCount } }",
        ("catalogStockMovements",),
    ),
    "Query.catalogImport": Probe(
        "query($catalogImport: ID!) { catalogImport(id: $catalogImport) { status } }",
        ("catalogImport",),
    ),
    "Query.auditLog": Probe("{ auditLog(first: 1) { totalCount } }", ("auditLog",)),
    "Query.staffOrders": Probe(
        '{ staffOrders(first: 1, search: "SO-1") { totalCount } }', ("staffOrders",)
    ),
    "Query.staffInquiries": Probe(
        "{ staffInquiries(first: 1, sortBy: VALUE_HIGHEST) { totalCount } }", ("staffInquiries",)
    ),
    "Order.fxRate": _order_field("fxRate"),
    "Inquiry.assignedTo": _inquiry_field("assignedTo { email }", "assignedTo"),
    "Inquiry.lostReason": _inquiry_field("lostReason", "lostReason"),
    "Inquiry.lostReasonCode": Probe(
        "query($lostInquiry: ID!) { node(id: $lostInquiry) { ... on Inquiry { lostReasonCode } } }",
        ("node", "lostReasonCode"),
        on_order=True,
    ),
    "Query.inquiryFunnel": Probe(
        '{ inquiryFunnel(from: "2026-01-01", to: "2026-12-31") { total { received } } }',
        ("inquiryFunnel",),
    ),
    "Inquiry.lead": _inquiry_field("lead { email }", "lead", of_guest=True),
    "Mutation.recordInquiry": _mutation(
        "recordInquiry", 'input: {items: [], incoterm: FOB, namedPlace: ""}'
    ),
    "Mutation.assignInquiry": _mutation(
        "assignInquiry", f'id: "{NO_INQUIRY}", userId: "{NO_USER}"'
    ),
    "Mutation.quoteInquiry": _mutation(
        "quoteInquiry",
        f'inquiryId: "{NO_INQUIRY}", '
        'input: {lines: [], currency: "EUR", validUntil: "2099-01-01", leadTimeDays: 1}',
    ),
    "Mutation.convertLeadToClient": _mutation("convertLeadToClient", f'inquiryId: "{NO_INQUIRY}"'),
    "Mutation.closeInquiry": _mutation(
        "closeInquiry", f'id: "{NO_INQUIRY}", outcome: LOST, reason: ""'
    ),
    "Order.creditCurrency": _order_field("creditCurrency"),
    "Mutation.confirmOrder": _mutation("confirmOrder", f'id: "{NO_ORDER}"'),
    "Mutation.shipOrder": _mutation("shipOrder", f'id: "{NO_ORDER}"'),
    "Mutation.deliverOrder": _mutation("deliverOrder", f'id: "{NO_ORDER}"'),
    "Mutation.setOrderCharges": _mutation(
        "setOrderCharges", f'orderId: "{NO_ORDER}", expectedVersion: 1, charges: []'
    ),
    "Mutation.recordPayment": _mutation(
        "recordPayment",
        f'orderId: "{NO_ORDER}", amount: "1", reference: "R", receivedAt: "2026-01-01T00:00:00Z"',
    ),
    "Query.exchangeRates": Probe("{ exchangeRates { rate } }", ("exchangeRates",)),
    "Query.receivables": Probe("{ receivables(first: 1) { totalCount } }", ("receivables",)),
    "Query.payments": Probe("{ payments(first: 1) { totalCount } }", ("payments",)),
    "Query.salesReport": Probe(
        '{ salesReport(currency: "USD", fromMonth: "2026-01", toMonth: "2026-01", by: MONTH) '
        "{ total { amount } } }",
        ("salesReport",),
    ),
    "Query.marginReport": Probe(
        '{ marginReport(currency: "USD", fromMonth: "2026-01", toMonth: "2026-01", '
        "by: PRODUCT) { total { margin } } }",
        ("marginReport",),
    ),
    **{
        f"HomeScreen.{name}": Probe(
            f"{{ home {{ {selection} }} }}", ("home", name), staff_gated=True
        )
        for name, selection in (
            ("ordersToday", "ordersToday { orderCount }"),
            ("ordersThisMonth", "ordersThisMonth { amount }"),
            ("openInquiries", "openInquiries { total }"),
            ("quotesAwaitingAnswer", "quotesAwaitingAnswer { count }"),
            ("shipmentsArrivingThisWeek", "shipmentsArrivingThisWeek"),
            ("overdueReceivables", "overdueReceivables { overdue }"),
            ("variantsShort", "variantsShort"),
        )
    },
    "Query.stockCoverage": Probe("{ stockCoverage(first: 1) { totalCount } }", ("stockCoverage",)),
    "Query.receivablesAging": Probe(
        "{ receivablesAging { totals { currency } } }", ("receivablesAging",)
    ),
    "Mutation.setExchangeRates": _mutation("setExchangeRates", "rates: []"),
    "Mutation.createShipment": _mutation(
        "createShipment",
        f'orderId: "{encode_global_id("Order", 999_999_999)}", input: {{legs: []}}',
    ),
    "Mutation.departShipment": _mutation(
        "departShipment", f'id: "{encode_global_id("Shipment", 999_999_999)}"'
    ),
    "Mutation.updateShipmentLeg": _mutation(
        "updateShipmentLeg",
        f'shipmentId: "{encode_global_id("Shipment", 999_999_999)}", sequence: 1, input: {{}}',
    ),
    "ShipmentLegChange.changedBy": Probe(
        "query($shipment: ID!) { node(id: $shipment) { ... on Shipment { legs { history { "
        "changedBy } } } } }",
        ("node", "legs", "history", "changedBy"),
        on_order=True,
    ),
    "Mutation.addTrackingEvent": _mutation(
        "addTrackingEvent",
        f'shipmentId: "{encode_global_id("Shipment", 999_999_999)}", '
        'input: {occurredAt: "2026-01-01T00:00:00Z", location: "", status: ""}',
    ),
    "Mutation.createClientCompany": _mutation(
        "createClientCompany", 'input: {name: "", country: "DE"}'
    ),
    "Mutation.updateClientCompany": _mutation(
        "updateClientCompany", 'id: $company, expectedVersion: 999, input: {name: "Renamed"}'
    ),
    "Mutation.updateClientCredit": _mutation(
        "updateClientCredit",
        f'id: $company, expectedVersion: 999, creditLimit: "1", creditCurrency: "USD", {TERMS}',
    ),
    "Mutation.addClientContact": _mutation(
        "addClientContact", 'companyId: $company, input: {name: ""}'
    ),
    "Mutation.updateClientContact": _mutation(
        "updateClientContact", f'id: "{encode_global_id("ClientContact", 1)}", input: {{name: ""}}'
    ),
    "Mutation.removeClientContact": _mutation(
        "removeClientContact", f'id: "{encode_global_id("ClientContact", 999_999_999)}"'
    ),
    "Mutation.inviteStaff": _mutation(
        "inviteStaff", 'email: "not-an-email", fullName: "Nobody", role: SALES'
    ),
    "Mutation.inviteClientUser": _mutation(
        "inviteClientUser", 'clientCompanyId: $company, email: "not-an-email", fullName: "X"'
    ),
    "Mutation.changeUserRole": _mutation("changeUserRole", f'userId: "{NO_USER}", role: SALES'),
    "Mutation.disableUser": _mutation("disableUser", f'userId: "{NO_USER}"'),
    "Mutation.resetUserMfa": _mutation("resetUserMfa", f'userId: "{NO_USER}"'),
    "Mutation.enableUser": _mutation("enableUser", f'userId: "{NO_USER}"'),
    "Mutation.endUserSession": _mutation(
        "endUserSession", f'sessionId: "{encode_global_id("Session", 999_999_999)}"'
    ),
    # Every user for users:manage, client users for users:invite_clients (tests/accounts).
    "Query.users": Probe("{ users(first: 1) { totalCount } }", ("users",)),
    "Query.userSessions": Probe(
        "query($user: ID!) { userSessions(userId: $user) { id } }", ("userSessions",)
    ),
    "Mutation.receiveStock": _mutation("receiveStock", f'variantId: "{NO_VARIANT}", quantity: 1'),
    # Allowed callers really export (a file in the test's rolled-back transaction).
    "Mutation.exportCatalog": Probe("mutation { exportCatalog { sizeBytes } }", ("exportCatalog",)),
    "Mutation.adjustStock": _mutation(
        "adjustStock", f'variantId: "{NO_VARIANT}", adjustment: {{change: 1}}, reason: "count"'
    ),
    **{
        f"Mutation.{name}": _mutation(name, arguments)
        for name, arguments in (
            ("createCategory", 'input: {name: "", slug: "probe"}'),
            ("updateCategory", f'id: "{NO_CATEGORY}", expectedVersion: 1, input: {{}}'),
            ("moveCategory", f'id: "{NO_CATEGORY}", expectedVersion: 1'),
            ("deleteCategory", f'id: "{NO_CATEGORY}", expectedVersion: 1'),
            ("createProductType", 'input: {name: "", slug: "probe"}'),
            ("updateProductType", f'id: "{NO_TYPE}", expectedVersion: 1, input: {{}}'),
            (
                "addProductTypeAttribute",
                f'productTypeId: "{NO_TYPE}", expectedVersion: 1, '
                'input: {key: "probe", label: "Probe", kind: TEXT}',
            ),
            (
                "updateProductTypeAttribute",
                f'productTypeId: "{NO_TYPE}", expectedVersion: 1, key: "probe", input: {{}}',
            ),
            (
                "removeProductTypeAttribute",
                f'productTypeId: "{NO_TYPE}", expectedVersion: 1, key: "probe"',
            ),
        )
    },
    "Mutation.createProduct": _mutation(
        "createProduct",
        f'input: {{name: "", slug: "x", categoryId: "{NO_PRODUCT}", productTypeId: "{NO_PRODUCT}", '
        'hsCode: "1", countryOfOrigin: "XX"}',
    ),
    "Mutation.updateProduct": _mutation(
        "updateProduct", f'id: "{NO_PRODUCT}", expectedVersion: 1, input: {{}}'
    ),
    "Mutation.publishProduct": _mutation(
        "publishProduct", f'id: "{NO_PRODUCT}", expectedVersion: 1'
    ),
    "Mutation.unpublishProduct": _mutation(
        "unpublishProduct", f'id: "{NO_PRODUCT}", expectedVersion: 1'
    ),
    "Mutation.archiveProduct": _mutation(
        "archiveProduct", f'id: "{NO_PRODUCT}", expectedVersion: 1'
    ),
    "Mutation.createVariant": _mutation(
        "createVariant", f'productId: "{NO_PRODUCT}", input: {{sku: ""}}'
    ),
    "Mutation.updateVariant": _mutation(
        "updateVariant", f'id: "{NO_VARIANT}", expectedVersion: 1, input: {{}}'
    ),
    "Mutation.removeVariant": _mutation("removeVariant", f'id: "{NO_VARIANT}", expectedVersion: 1'),
    "Mutation.setPriceTiers": _mutation(
        "setPriceTiers",
        f'variantId: "{NO_VARIANT}", currency: "XXX", tiers: [], expectedVersion: 1',
    ),
}
