"""Catalog enums as partners see them, each value described."""

from __future__ import annotations

from enum import Enum

import strawberry

from models.catalog import AttributeKind as AttributeKindModel
from models.catalog import ProductStatus as ProductStatusModel
from models.reference import Incoterm as IncotermModel
from resolvers.catalog.sorting import ProductSort as ProductSortModel


@strawberry.enum(description="Incoterms 2020 rules: who pays and bears risk at each leg.")
class Incoterm(Enum):
    EXW = strawberry.enum_value(
        IncotermModel.EXW.value, description="Ex Works: the buyer collects at the seller's site."
    )
    FCA = strawberry.enum_value(
        IncotermModel.FCA.value, description="Free Carrier: delivered to the buyer's carrier."
    )
    CPT = strawberry.enum_value(
        IncotermModel.CPT.value,
        description="Carriage Paid To: seller pays carriage; risk passes at first carrier.",
    )
    CIP = strawberry.enum_value(
        IncotermModel.CIP.value,
        description="Carriage and Insurance Paid To: CPT plus seller-paid all-risks insurance.",
    )
    DAP = strawberry.enum_value(
        IncotermModel.DAP.value,
        description="Delivered at Place: seller delivers, unloading and import duty excluded.",
    )
    DPU = strawberry.enum_value(
        IncotermModel.DPU.value,
        description="Delivered at Place Unloaded: seller delivers and unloads at the place.",
    )
    DDP = strawberry.enum_value(
        IncotermModel.DDP.value,
        description="Delivered Duty Paid: seller delivers with import duties and taxes paid.",
    )
    FAS = strawberry.enum_value(
        IncotermModel.FAS.value,
        description="Free Alongside Ship: goods placed alongside the vessel at the port.",
    )
    FOB = strawberry.enum_value(
        IncotermModel.FOB.value,
        description="Free On Board: risk passes once goods are on board the vessel.",
    )
    CFR = strawberry.enum_value(
        IncotermModel.CFR.value,
        description="Cost and Freight: seller pays sea freight to the destination port.",
    )
    CIF = strawberry.enum_value(
        IncotermModel.CIF.value,
        description="Cost, Insurance and Freight: CFR plus seller-paid minimum insurance.",
    )


@strawberry.enum(description="The kind of value an attribute of a product type holds.")
class AttributeKind(Enum):
    TEXT = strawberry.enum_value(AttributeKindModel.TEXT.value, description="Free text.")
    NUMBER = strawberry.enum_value(
        AttributeKindModel.NUMBER.value, description="A number, in the attribute's `unit`."
    )
    BOOLEAN = strawberry.enum_value(AttributeKindModel.BOOLEAN.value, description="Yes or no.")
    ENUM = strawberry.enum_value(
        AttributeKindModel.ENUM.value, description="Exactly one of the `allowedValues`."
    )
    MULTI_ENUM = strawberry.enum_value(
        AttributeKindModel.MULTI_ENUM.value,
        description="One or more of the `allowedValues`.",
    )


@strawberry.enum(
    description="Orders of the product listing; every order pages with keyset cursors."
)
class ProductSort(Enum):
    NAME = strawberry.enum_value(
        ProductSortModel.NAME.value, description="By name, A to Z (the default)."
    )
    NEWEST = strawberry.enum_value(
        ProductSortModel.NEWEST.value, description="Most recently created first."
    )
    PRICE_ASC = strawberry.enum_value(
        ProductSortModel.PRICE_ASC.value,
        description=(
            "Lowest from-price first, in `sortCurrency`; lists only products with a price in it."
        ),
    )
    PRICE_DESC = strawberry.enum_value(
        ProductSortModel.PRICE_DESC.value,
        description=(
            "Highest from-price first, in `sortCurrency`; lists only products with a price in it."
        ),
    )
    RELEVANCE = strawberry.enum_value(
        ProductSortModel.RELEVANCE.value,
        description=(
            "Best match for `filter.search` first (needs it): name and SKU matches rank above "
            "description matches; ties by name."
        ),
    )


@strawberry.enum(description="Where a product is in its life: only ACTIVE ones are on sale.")
class ProductStatus(Enum):
    DRAFT = strawberry.enum_value(
        ProductStatusModel.DRAFT.value,
        description="Being prepared; the storefront cannot see it (`publishProduct`).",
    )
    ACTIVE = strawberry.enum_value(
        ProductStatusModel.ACTIVE.value, description="On sale: listed, searchable, orderable."
    )
    ARCHIVED = strawberry.enum_value(
        ProductStatusModel.ARCHIVED.value,
        description="Withdrawn from sale; orders already placed stand. Can be published again.",
    )
