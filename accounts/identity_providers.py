"""Sign-in with an organisation's own OpenID Connect provider: its configuration (issue 15)."""
