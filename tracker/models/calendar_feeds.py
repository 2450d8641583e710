"""Each person's private calendar feed address (issue 15)."""
