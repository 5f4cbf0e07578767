"""A request's reads come back as rows read by the model's attribute names."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlmodel import col, select
from sqlmodel.main import default_registry

import app.factory  # noqa: F401 - every model registered
from core.db import Database
from core.request_session import RequestSession, model_table
from models.accounts import User
from models.catalog import Product
from tests.builders import make_category, make_fabric_type, make_product


def test_every_models_attribute_names_are_its_column_names() -> None:
    # given every table model; then a row of its columns reads like an instance of it
    mismatched = [
        (mapper.class_.__name__, attribute.key, column.name)
        for mapper in default_registry.mappers
        for attribute in mapper.column_attrs
        for column in attribute.columns
        if column.name != attribute.key
    ]
    assert len(list(default_registry.mappers)) > 40
    assert mismatched == []


def test_only_a_model_selected_whole_and_without_properties_is_read_as_rows() -> None:
    assert model_table(select(Product)) is Product.__table__  # type: ignore[attr-defined]
    assert model_table(select(Product).where(col(Product.id) == 1)) is not None
    assert model_table(select(col(Product.id))) is None
    assert model_table(select(Product, col(Product.id))) is None  # type: ignore[arg-type]
    # User.has_mfa is a property a row would not have
    assert model_table(select(User)) is None


async def test_a_model_read_by_the_request_is_a_row_with_the_instances_values(
    db: Database,
) -> None:
    # given a product
    async with db.transaction() as session:
        product_type = await make_fabric_type(session)
        category = await make_category(session)
        made = await make_product(session, product_type=product_type, category=category)
    reads = RequestSession(db)
    try:
        # when the request reads it, one and many
        found = await reads.scalar(select(Product).where(col(Product.id) == made.id))
        listed = await reads.scalars(select(Product).where(col(Product.id) == made.id))
        ids = await reads.scalars(select(col(Product.id)).where(col(Product.id) == made.id))
    finally:
        await reads.close()
    # then each is a row (a tuple of its columns, on PostgreSQL straight from the driver:
    # core.prepared_reads) with the instance's values under the same names
    assert isinstance(found, tuple)
    assert not isinstance(found, Product)
    assert [found] == list(listed)
    for name in ("id", "name", "slug", "specs", "status", "incoterms", "created_at"):
        assert getattr(found, name) == getattr(made, name), name
    assert ids == [made.id]


async def test_a_request_reads_postgresql_outside_a_transaction(engine: AsyncEngine) -> None:
    # given a request's reads on the served database (an engine, not a test's transaction)
    reads = RequestSession(Database(engine))
    try:
        # when it has read
        await reads.scalars(select(col(Product.id)).limit(1))
        in_transaction = await reads.run(_driver_in_transaction)
    finally:
        await reads.close()
    # then no BEGIN was sent: a ROLLBACK would follow it, two round trips for nothing
    assert in_transaction is False


async def _driver_in_transaction(session: AsyncSession) -> bool:
    connection = await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None
    return bool(driver.is_in_transaction())
