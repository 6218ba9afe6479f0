"""PostgreSQL + PostGIS: the bureau's shared server (docs/ARCHITECTURE.md, "Two backends")."""
