"""National figures computed once and kept fresh (issue 16)."""
