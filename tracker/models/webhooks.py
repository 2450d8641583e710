"""Webhook endpoints an organisation registers, and each delivery to them (issue 15)."""
