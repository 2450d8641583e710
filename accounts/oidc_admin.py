"""Admin for identity providers (issue 15)."""
