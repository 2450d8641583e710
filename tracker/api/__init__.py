"""The REST API at /api/v1/ (issue 15)."""
