"""Per-request aiodataloader batch loaders, derived from declared relations."""
