"""The demo import-export catalog behind `tradeql seed-demo`: data tables and a pure drafter.

`structure` says how the tables read; `categories`, `trade` and one module per family of goods
(`textiles`, `spices`, `machine_parts`, `leather_goods`, `ceramics`, gathered in `product_types`)
are the tables; `drafting` turns them into products, touching no database.
"""
