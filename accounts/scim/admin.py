"""Admin for SCIM tokens (issue 15)."""
