"""The demo order book: years of clients, inquiries, orders, payments, receivables and
shipments drafted from a seed and bulk-written straight into the tables
(`tradeql seed-demo --orders N`). Why it writes rows itself rather than calling the
mutations, and what it leaves out, is in docs/design/demo-orders.md."""
