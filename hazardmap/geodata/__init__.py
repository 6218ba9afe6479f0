"""Bundled layers and coordinate conversion (CGCS2000, GCJ-02, Gauss-Kruger)."""
