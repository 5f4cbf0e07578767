"""Infrastructure: settings, database, cache and rate limits, errors, logging."""
