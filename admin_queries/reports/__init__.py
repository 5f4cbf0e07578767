"""Reports: read across the domains, from the rollups in models/reports.py where the base
tables cannot answer fast, one module per report."""
