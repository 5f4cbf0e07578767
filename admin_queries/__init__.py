"""Staff-only read models: reports and back-office listings as set-based SQL."""
