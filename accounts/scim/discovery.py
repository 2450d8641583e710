"""What the SCIM service says about itself (RFC 7644 section 4, RFC 7643 sections 5-7), so
that a client (Entra ID, SailPoint, scim2-client) can find out what it supports: PATCH yes,
filter yes (up to SCIM_MAX_RESULTS), bulk, sort, ETags and password changes no; the User
resource (with the enterprise extension's department) and the Group resource (a role)."""

from typing import Any

from django.conf import settings

from accounts.scim import resources


def service_provider_config(base_url: str) -> dict[str, Any]:
    return {
        "schemas": [resources.CONFIG_SCHEMA],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": settings.SCIM_MAX_RESULTS},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "A SCIM token of the organisation, made by the tracker's "
                "administrator: Authorization: Bearer <token>.",
                "primary": True,
            }
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": f"{base_url}/ServiceProviderConfig",
        },
    }


def resource_types(base_url: str) -> list[dict[str, Any]]:
    return [
        {
            "schemas": [resources.RESOURCE_TYPE_SCHEMA],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "A person of the organisation",
            "schema": resources.USER_SCHEMA,
            "schemaExtensions": [{"schema": resources.ENTERPRISE_SCHEMA, "required": False}],
            "meta": {"resourceType": "ResourceType", "location": f"{base_url}/ResourceTypes/User"},
        },
        {
            "schemas": [resources.RESOURCE_TYPE_SCHEMA],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "One of the tracker's roles in the organisation",
            "schema": resources.GROUP_SCHEMA,
            "meta": {"resourceType": "ResourceType", "location": f"{base_url}/ResourceTypes/Group"},
        },
    ]


def _attribute(
    name: str,
    description: str,
    *,
    kind: str = "string",
    required: bool = False,
    mutability: str = "readWrite",
    uniqueness: str = "none",
    multi: bool = False,
    sub: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "name": name,
        "type": kind,
        "multiValued": multi,
        "description": description,
        "required": required,
        "caseExact": False,
        "mutability": mutability,
        "returned": "default",
        "uniqueness": uniqueness,
    }
    if sub is not None:
        attribute["subAttributes"] = sub
    return attribute


def schemas(base_url: str) -> list[dict[str, Any]]:
    def schema(schema_id: str, name: str, description: str, attributes: list) -> dict[str, Any]:
        return {
            "schemas": [resources.SCHEMA_SCHEMA],
            "id": schema_id,
            "name": name,
            "description": description,
            "attributes": attributes,
            "meta": {"resourceType": "Schema", "location": f"{base_url}/Schemas/{schema_id}"},
        }

    reference = _attribute(
        "$ref", "The resource's address", kind="reference", mutability="readOnly"
    )
    return [
        schema(
            resources.USER_SCHEMA,
            "User",
            "A person of the organisation",
            [
                _attribute(
                    "userName",
                    "Their email address, how they sign in; it cannot change",
                    required=True,
                    uniqueness="server",
                ),
                _attribute("displayName", "Their full name"),
                _attribute(
                    "name",
                    "Their name",
                    kind="complex",
                    sub=[
                        _attribute("formatted", "Their full name"),
                        _attribute(
                            "givenName", "Used for the full name when no displayName is sent"
                        ),
                        _attribute(
                            "familyName", "Used for the full name when no displayName is sent"
                        ),
                    ],
                ),
                _attribute("title", "Their job title"),
                _attribute(
                    "emails",
                    "Their email address (the same as userName)",
                    kind="complex",
                    multi=True,
                    sub=[
                        _attribute("value", "The address"),
                        _attribute("type", "work"),
                        _attribute("primary", "Always true", kind="boolean"),
                    ],
                ),
                _attribute(
                    "active",
                    "False once deactivated (their open items handed over)",
                    kind="boolean",
                ),
                _attribute(
                    "groups",
                    "Their roles, as Groups",
                    kind="complex",
                    multi=True,
                    mutability="readOnly",
                    sub=[
                        _attribute("value", "The role", mutability="readOnly"),
                        _attribute("display", "The role's name", mutability="readOnly"),
                        reference,
                    ],
                ),
            ],
        ),
        schema(
            resources.ENTERPRISE_SCHEMA,
            "EnterpriseUser",
            "The enterprise extension: the person's department",
            [
                _attribute("department", "Their department or team"),
                _attribute(
                    "organization",
                    "Their organisation in the tracker (the token's)",
                    mutability="readOnly",
                ),
            ],
        ),
        schema(
            resources.GROUP_SCHEMA,
            "Group",
            "One of the tracker's roles in the organisation; its members hold it",
            [
                _attribute(
                    "displayName",
                    "The role's name; it cannot change",
                    required=True,
                    mutability="immutable",
                ),
                _attribute(
                    "members",
                    "The people who hold the role",
                    kind="complex",
                    multi=True,
                    sub=[
                        _attribute("value", "A User's id", mutability="immutable"),
                        _attribute("display", "Their name", mutability="readOnly"),
                        reference,
                    ],
                ),
            ],
        ),
    ]
