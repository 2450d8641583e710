"""Admin for webhooks and calendar feeds (issue 15)."""
