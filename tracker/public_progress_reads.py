"""The public progress register's reads (issue 18)."""
