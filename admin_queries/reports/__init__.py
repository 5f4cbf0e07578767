"""Reports: set-based reads across domains, each in the reporting time zone and currency."""
