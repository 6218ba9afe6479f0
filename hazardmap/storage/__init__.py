"""The SQLite store: schema, forward migrations, first-run seeding, queries."""
