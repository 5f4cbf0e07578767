"""Keeps the discovery tables of `models.catalog.discovery` in step with the catalog.

Two writers call it: the ORM flush hook in `core.db` (`flush_changes`) and the bulk seeder
(Core inserts, which skip the hook). `product_rows` replaces the derived rows of the products
it is given, set-based, so calling it twice is harmless and a batch of 2,000 products costs a
handful of statements; `facet_counts` keeps the count tables, which sum over many products,
by deltas.
"""
