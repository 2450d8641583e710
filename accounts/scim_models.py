"""SCIM 2.0 provisioning: bearer tokens per organisation, provisioned identities (issue 15)."""
