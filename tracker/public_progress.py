"""Issue 18 services (being built)."""
