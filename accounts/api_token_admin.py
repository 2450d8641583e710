"""Admin for API tokens and service accounts (issue 15)."""
