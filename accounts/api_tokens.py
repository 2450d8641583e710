"""Personal access tokens and service accounts for the REST API (issue 15)."""
