"""A small catalog as a catalog file, and helpers to zip CSVs and read what landed."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping

from sqlalchemy import text

from core.db import Database

CSV = {
    "categories.csv": (
        "slug,name,parent_slug,position,description\r\n"
        "textiles,Textiles,,0,Woven and knitted\r\n"
        'denim,Denim,textiles,0,"Heavy, indigo"\r\n'
    ),
    "product_types.csv": "slug,name,description\r\nfabric,Fabric,Sold by the metre\r\n",
    "attributes.csv": (
        "product_type_slug,key,label,kind,unit,required,filterable,allowed_values\r\n"
        "fabric,gsm,Weight,number,g/m2,true,true,\r\n"
        "fabric,weave,Weave,enum,,false,true,twill|plain\r\n"
        "fabric,uses,Uses,multi_enum,,false,false,shirts|jeans|bags\r\n"
    ),
    "products.csv": (
        "slug,name,category_slug,product_type_slug,hs_code,country_of_origin,moq,"
        "lead_time_days,incoterms,status,description,spec:gsm,spec:weave,spec:uses\r\n"
        "navy-twill,Navy twill,denim,fabric,5209.42,IN,100,21,FOB|CIF,active,"
        '"=HYPERLINK(""x"")",180,twill,jeans|bags\r\n'
        "grey-plain,Grey plain,denim,fabric,520942,TR,50,14,EXW,draft,,150.5,plain,\r\n"
    ),
    "variants.csv": (
        "product_slug,sku,name,units_per_carton,carton_weight_kg,carton_volume_m3,"
        "cost_price,cost_currency,option:Colour\r\n"
        "navy-twill,NT-01,Navy 150cm,50,20.5,0.12,2.10,USD,Navy\r\n"
        "grey-plain,GP-01,Grey,40,,,,,Grey\r\n"
    ),
    "prices.csv": (
        "sku,currency,min_quantity,unit_price\r\n"
        "NT-01,USD,500,3.90\r\nNT-01,USD,100,4.20\r\nNT-01,EUR,100,3.95\r\n"
        "GP-01,USD,50,3.10\r\n"
    ),
    "stock.csv": "sku,stock_on_hand\r\nNT-01,1200\r\nGP-01,0\r\n",
}


def zipped(files: Mapping[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# Every catalog column that a catalog is, by natural keys: no ids, timestamps or versions.
CATALOG_ROWS = {
    "categories": """select c.slug, c.name, c.description, c.position, p.slug as parent
        from categories c left join categories p on p.id = c.parent_id order by c.slug""",
    "product_types": "select slug, name, description from product_types order by slug",
    "attributes": """select t.slug, a.key, a.label, a.kind, a.unit, a.required, a.filterable,
        a.allowed_values::text, rank() over (partition by t.id order by a.position) as place
        from attribute_definitions a join product_types t on t.id = a.product_type_id
        order by t.slug, a.key""",
    "products": """select p.slug, p.name, p.description, c.slug as category, t.slug as type,
        p.hs_code, p.country_of_origin, p.moq, p.lead_time_days, p.incoterms::text,
        p.specs::text, p.status
        from products p join categories c on c.id = p.category_id
        join product_types t on t.id = p.product_type_id order by p.slug""",
    "variants": """select v.sku, p.slug, v.name, v.option_values::text, v.units_per_carton,
        v.carton_weight_kg, v.carton_volume_m3, v.stock_on_hand, v.cost_price, v.cost_currency
        from variants v join products p on p.id = v.product_id order by v.sku""",
    "prices": """select v.sku, t.currency, t.min_quantity, t.unit_price from price_tiers t
        join variants v on v.id = t.variant_id order by 1, 2, 3""",
}


async def catalog_rows(database: Database) -> dict[str, list[tuple[object, ...]]]:
    async with database.session() as session:
        return {
            name: [tuple(row) for row in (await session.execute(text(sql))).all()]
            for name, sql in CATALOG_ROWS.items()
        }


async def count(database: Database, table: str) -> int:
    async with database.session() as session:
        return int((await session.execute(text(f"select count(*) from {table}"))).scalar_one())  # noqa: S608
