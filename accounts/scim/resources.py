"""How the tracker's people and roles look in SCIM 2.0 (RFC 7643), and reading what a
provisioning service sends (RFC 7644): a person as a User resource, a role as a Group, the
PATCH operations applied to a User's attributes, the `filter` turned into a query, and the
discovery documents (ServiceProviderConfig, ResourceTypes, Schemas).

No writes here: accounts/scim/provisioning.py makes the changes through accounts.services.

A person in SCIM:
    id                      the person's id in the tracker
    userName                their email address (how they sign in); it cannot change
    externalId              the provisioning service's id for them (accounts.ScimIdentity)
    displayName, name       their full name
    title                   their job title
    emails                  their email address again, as the one work address
    active                  false once deactivated
    groups (read only)      their roles, as the Groups below
    enterprise department   their department
"""

import datetime
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from scim2_filter_parser import ast as scim2ast  # type: ignore[import-untyped]
from scim2_filter_parser.lexer import SCIMLexer  # type: ignore[import-untyped]
from scim2_filter_parser.parser import SCIMParser  # type: ignore[import-untyped]
from scim2_filter_parser.transpilers.django_q_object import Transpiler  # type: ignore[import-untyped]

from accounts.models import Organisation, Role, User
from accounts.role_rules import role_organisation_problems
from accounts.scim.errors import ScimError
from tracker import policy

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
CONFIG_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"

MAX_TEXT = 200  # the User model's name, job title and department fields
MAX_FILTER = 1000


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


# People as User resources ------------------------------------------------------------------


def user_resource(person: User, base_url: str) -> dict[str, Any]:
    identity = getattr(person, "scim_identity", None)
    location = f"{base_url}/Users/{person.pk}"
    resource: dict[str, Any] = {
        "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA],
        "id": str(person.pk),
        "userName": person.email,
        "name": {"formatted": person.full_name},
        "displayName": person.full_name,
        "title": person.job_title,
        "emails": [{"value": person.email, "type": "work", "primary": True}],
        "active": person.is_active,
        "groups": [
            {"value": role, "display": Role(role).label, "$ref": f"{base_url}/Groups/{role}"}
            # Through the prefetched rows (provisioning.people), not a query a person.
            for role in sorted({a.role for a in person.role_assignments.all()})
            if policy.scim_may_give_role(role)
        ],
        ENTERPRISE_SCHEMA: {
            "department": person.department,
            "organization": person.organisation.name if person.organisation else "",
        },
        "meta": {
            "resourceType": "User",
            "created": _iso(person.date_joined),
            "lastModified": _iso(identity.updated_at if identity else person.date_joined),
            "location": location,
        },
    }
    if identity is not None and identity.external_id:
        resource["externalId"] = identity.external_id
    return resource


def user_state(person: User) -> dict[str, Any]:
    """The attributes a provisioning service may write, as they stand (PATCH starts here)."""
    identity = getattr(person, "scim_identity", None)
    return {
        "userName": person.email,
        "externalId": identity.external_id if identity else "",
        "displayName": person.full_name,
        "name": {"formatted": person.full_name},
        "title": person.job_title,
        "department": person.department,
        "active": person.is_active,
    }


def _text(value: Any, attribute: str, *, limit: int = MAX_TEXT) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ScimError(400, f"“{attribute}” must be a string.", "invalidValue")
    value = value.strip()
    if len(value) > limit:
        raise ScimError(400, f"“{attribute}” must be {limit} characters or fewer.", "invalidValue")
    return value


def _boolean(value: Any, attribute: str) -> bool:
    """true or false; Entra ID sends "True" and "False" as strings in PATCH."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ScimError(400, f"“{attribute}” must be true or false.", "invalidValue")


def _lower_keys(data: dict[str, Any]) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in data.items()}


def read_user(data: Any) -> dict[str, Any]:
    """A User resource as sent (POST, PUT), flattened to the attributes the tracker keeps:
    userName, externalId, displayName (from displayName, name.formatted, or given and family
    names), title, department, active. Attributes the tracker does not keep (phone numbers,
    addresses, preferredLanguage...) are ignored; a wrong type is refused."""
    if not isinstance(data, dict):
        raise ScimError(400, "The request body must be a JSON object.", "invalidSyntax")
    flat = _lower_keys(data)
    name = flat.get("name") or {}
    if not isinstance(name, dict):
        raise ScimError(400, "“name” must be an object.", "invalidValue")
    name = _lower_keys(name)
    enterprise = flat.get(ENTERPRISE_SCHEMA.lower()) or {}
    if not isinstance(enterprise, dict):
        raise ScimError(400, f"“{ENTERPRISE_SCHEMA}” must be an object.", "invalidValue")
    enterprise = _lower_keys(enterprise)
    user_name = _text(flat.get("username"), "userName", limit=254)
    if not user_name:
        emails = flat.get("emails") or []
        if not isinstance(emails, list):
            raise ScimError(400, "“emails” must be a list.", "invalidValue")
        primary = [e for e in emails if isinstance(e, dict) and e.get("primary")] or emails
        if primary and isinstance(primary[0], dict):
            user_name = _text(primary[0].get("value"), "emails.value", limit=254)
    display = _text(flat.get("displayname"), "displayName") or _text(
        name.get("formatted"), "name.formatted"
    )
    if not display:
        given = _text(name.get("givenname"), "name.givenName")
        family = _text(name.get("familyname"), "name.familyName")
        display = " ".join(part for part in (given, family) if part)
    return {
        "userName": user_name,
        "externalId": _text(flat.get("externalid"), "externalId", limit=255),
        "displayName": display,
        "title": _text(flat.get("title"), "title"),
        "department": _text(enterprise.get("department"), "department"),
        # Left out: unchanged by a PUT (so a PUT never reactivates someone), true for a POST.
        "active": _boolean(flat["active"], "active") if flat.get("active") is not None else None,
    }


def check_user_name(user_name: str, *, domains: Iterable[str] | None = None) -> str:
    """The address in lower case, if it is one, and (given `domains`, a token's) in one of
    those domains. An address outside them is refused the same way whether or not anyone
    has it, so a token cannot find out who uses the tracker elsewhere."""
    if not user_name:
        raise ScimError(400, "“userName” is required: the person's email address.", "invalidValue")
    try:
        validate_email(user_name)
    except ValidationError:
        raise ScimError(
            400,
            f"“userName” must be the person's email address; “{user_name[:100]}” is not one.",
            "invalidValue",
        ) from None
    user_name = user_name.lower()
    allowed = sorted({d.lower() for d in domains or ()})
    if domains is not None and user_name.rpartition("@")[2] not in allowed:
        raise ScimError(
            400,
            f"“userName” must be an address in this token's email domains "
            f"({', '.join(allowed) or 'none'}); “{user_name[:100]}” is not. An administrator "
            "makes a token with other domains in the admin site (docs/scim.md).",
            "invalidValue",
        )
    return user_name


# PATCH (RFC 7644 section 3.5.2) ------------------------------------------------------------

# Where each path a client may PATCH lands in user_state() (lower case; None: ignored).
_PATHS: dict[str, str | None] = {
    "username": "userName",
    "externalid": "externalId",
    "displayname": "displayName",
    "name.formatted": "displayName",
    "title": "title",
    "active": "active",
    "department": "department",
    f"{ENTERPRISE_SCHEMA.lower()}:department": "department",
    # The tracker keeps one address, userName: a work email that differs (Entra ID's `mail`
    # beside its userPrincipalName) is not a change of it, so emails are ignored here.
    'emails[type eq "work"].value': None,
    "emails[primary eq true].value": None,
}
_NAME_PARTS = {"name.givenname", "name.familyname"}
_ATTR_PATH = re.compile(r'^[a-z0-9:._\-]+(\[[a-z0-9._ ]+ eq "?[a-z0-9]+"?\])?(\.[a-z]+)?$', re.I)


def patch_user(state: dict[str, Any], body: Any) -> dict[str, Any]:
    """Apply a PatchOp request to a person's state, returning the new state (nothing saved).
    Handles the forms Entra ID and SailPoint send: `{"op": "Replace", "path": "active",
    "value": "False"}`, a path-less replace with a value object (whose keys may be paths,
    such as "name.givenName" or the enterprise department's full name), add, and remove."""
    if not isinstance(body, dict) or PATCH_SCHEMA not in (body.get("schemas") or []):
        raise ScimError(
            400, f"A PATCH request must have the schema {PATCH_SCHEMA}.", "invalidSyntax"
        )
    operations = body.get("Operations", body.get("operations"))
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, "A PATCH request needs a list of “Operations”.", "invalidSyntax")
    state = dict(state)
    names: dict[str, str] = {}
    for operation in operations:
        if not isinstance(operation, dict):
            raise ScimError(400, "Each operation must be a JSON object.", "invalidSyntax")
        op = str(operation.get("op", "")).lower()
        if op not in ("add", "replace", "remove"):
            raise ScimError(
                400,
                f"“{str(operation.get('op'))[:20]}” is not an operation: use add, replace "
                "or remove.",
                "invalidSyntax",
            )
        path = operation.get("path")
        value = operation.get("value")
        if path is None:
            if op == "remove":
                raise ScimError(400, "A remove operation needs a “path”.", "noTarget")
            if not isinstance(value, dict):
                raise ScimError(
                    400, "An operation without a path needs an object “value”.", "invalidValue"
                )
            for key, item in value.items():
                if str(key).lower() == ENTERPRISE_SCHEMA.lower() and isinstance(item, dict):
                    for sub, sub_value in item.items():
                        _patch_one(state, names, f"{ENTERPRISE_SCHEMA}:{sub}", sub_value, op)
                elif str(key).lower() == "name" and isinstance(item, dict):
                    for sub, sub_value in item.items():
                        _patch_one(state, names, f"name.{sub}", sub_value, op)
                else:
                    _patch_one(state, names, str(key), item, op)
        else:
            if not isinstance(path, str) or not _ATTR_PATH.match(path.strip()):
                raise ScimError(400, f"“{str(path)[:100]}” is not a valid path.", "invalidPath")
            _patch_one(state, names, path.strip(), None if op == "remove" else value, op)
    # Given and family names make the full name only when both come and no displayName does:
    # the tracker keeps one name, so half of it cannot be replaced on its own.
    given, family = names.get("name.givenname"), names.get("name.familyname")
    if given and family and not state.get("_display_set"):
        state["displayName"] = f"{given} {family}"
    state.pop("_display_set", None)
    return state


def _patch_one(state, names, path: str, value: Any, op: str) -> None:
    key = path.lower()
    if key in _NAME_PARTS:
        names[key] = _text(value, path)
        return
    if key == "name" and isinstance(value, dict):
        for sub, sub_value in value.items():
            _patch_one(state, names, f"name.{sub}", sub_value, op)
        return
    target = _PATHS.get(key)
    if target is None:
        return  # an attribute the tracker does not keep
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        value = value[0].get("value")  # [{"value": "..."}], as some clients send
    if target == "active":
        if op == "remove":
            raise ScimError(
                400, "“active” cannot be removed: set it to true or false.", "mutability"
            )
        state["active"] = _boolean(value, "active")
    elif target in ("userName", "displayName") and op == "remove":
        raise ScimError(400, f"“{target}” is required and cannot be removed.", "mutability")
    else:
        limit = 254 if target == "userName" else 255 if target == "externalId" else MAX_TEXT
        state[target] = _text(value, path, limit=limit)
        if target == "displayName":
            state["_display_set"] = True


# Filters (RFC 7644 section 3.4.2.2) --------------------------------------------------------

USER_FILTERS = {
    ("userName", None, None): "email",
    ("externalId", None, None): "scim_identity__external_id",
    ("emails", "value", None): "email",
    ("emails", None, None): "email",
    ("displayName", None, None): "full_name",
    ("name", "formatted", None): "full_name",
    ("title", None, None): "job_title",
    ("active", None, None): "is_active",
    ("department", None, ENTERPRISE_SCHEMA): "department",
}


class _StrictTranspiler(Transpiler):
    """The library's transpiler drops an attribute it has no column for, which would make
    `filter=nickName eq "x"` match everyone; here it is refused."""

    def visit_AttrPath(self, node: scim2ast.AttrPath) -> str:
        column = super().visit_AttrPath(node)
        if column is None:
            name = node.attr_name + (f".{node.sub_attr.value}" if node.sub_attr else "")
            raise ScimError(
                400,
                f"Filtering on “{name}” is not supported: use userName, externalId, "
                "emails.value, displayName, title, active or department.",
                "invalidFilter",
            )
        return column


def user_filter(expression: str) -> Q:
    """The `filter` parameter as a query on people (unknown attributes refused)."""
    if len(expression) > MAX_FILTER:
        raise ScimError(400, f"A filter must be {MAX_FILTER} characters or fewer.", "invalidFilter")
    try:
        tree = SCIMParser().parse(SCIMLexer().tokenize(expression))
    except Exception:  # the parser raises its own kinds for each mistake
        raise ScimError(
            400, f"The filter “{expression[:200]}” is not a valid SCIM filter.", "invalidFilter"
        ) from None
    try:
        query = _StrictTranspiler(USER_FILTERS).transpile(tree)
    except ScimError:
        raise
    except Exception:
        raise ScimError(
            400, f"The filter “{expression[:200]}” is not supported.", "invalidFilter"
        ) from None
    return query if query is not None else Q()


_GROUP_FILTER = re.compile(r'^\s*(displayName|id)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.I)


def group_filter(expression: str) -> tuple[str, str]:
    """Groups are filtered only as clients match them: `displayName eq "..."` or `id eq`."""
    match = _GROUP_FILTER.match(expression)
    if not match:
        raise ScimError(
            400,
            'Groups can be filtered only with displayName eq "..." or id eq "...".',
            "invalidFilter",
        )
    return match.group(1).lower(), match.group(2)


# Roles as Groups ---------------------------------------------------------------------------


def organisation_roles(organisation: Organisation) -> list[Role]:
    """The roles a token of this organisation offers as Groups: those SCIM may give
    (policy.scim_may_give_role) that go with the organisation's kind (accounts.role_rules)."""
    return [
        role
        for role in Role
        if policy.scim_may_give_role(role) and not role_organisation_problems([role], organisation)
    ]


def role_named(name: str) -> Role | None:
    """A role by its code ("force_staff") or its label ("Force staff"), any case."""
    wanted = name.strip().lower()
    for role in Role:
        if wanted in (role.value, role.label.lower()):
            return role
    return None


def group_resource(
    role: Role, members: Iterable[User], base_url: str, *, with_members: bool = True
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "schemas": [GROUP_SCHEMA],
        "id": role.value,
        "displayName": role.label,
        "meta": {"resourceType": "Group", "location": f"{base_url}/Groups/{role.value}"},
    }
    if with_members:
        resource["members"] = [
            {
                "value": str(person.pk),
                "display": person.full_name,
                "$ref": f"{base_url}/Users/{person.pk}",
            }
            for person in members
        ]
    return resource


def member_ids(value: Any) -> list[str]:
    """The people named in a members value: [{"value": "12"}, ...] (or one such object)."""
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(
        isinstance(m, dict) and isinstance(m.get("value"), str | int) for m in value
    ):
        raise ScimError(
            400, "“members” must be a list of objects with a “value”: a User's id.", "invalidValue"
        )
    return [str(m["value"]) for m in value]


_MEMBER_PATH = re.compile(r'^members\[value eq "([^"]+)"\]$', re.I)


def group_patch_changes(body: Any) -> list[tuple[str, list[str] | None]]:
    """A Group PatchOp as a list of (add | remove | replace, member ids); (remove, None) is
    every member. Renaming a group is refused: a group is one of the tracker's roles."""
    if not isinstance(body, dict) or PATCH_SCHEMA not in (body.get("schemas") or []):
        raise ScimError(
            400, f"A PATCH request must have the schema {PATCH_SCHEMA}.", "invalidSyntax"
        )
    operations = body.get("Operations", body.get("operations"))
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, "A PATCH request needs a list of “Operations”.", "invalidSyntax")
    changes: list[tuple[str, list[str] | None]] = []
    for operation in operations:
        if not isinstance(operation, dict):
            raise ScimError(400, "Each operation must be a JSON object.", "invalidSyntax")
        op = str(operation.get("op", "")).lower()
        path = str(operation.get("path") or "").strip()
        value = operation.get("value")
        if op not in ("add", "replace", "remove"):
            raise ScimError(400, "Use add, replace or remove.", "invalidSyntax")
        if not path and isinstance(value, dict):
            extra = {k for k in value if str(k).lower() not in ("members", "displayname", "id")}
            if extra:
                raise ScimError(400, "A group has only its members to change.", "invalidValue")
            if "members" in value:
                changes.append((op, member_ids(value["members"])))
            continue
        if match := _MEMBER_PATH.match(path):
            changes.append(("remove" if op == "remove" else op, [match.group(1)]))
        elif path.lower() == "members":
            changes.append((op, None if op == "remove" and value is None else member_ids(value)))
        elif path.lower() == "displayname":
            raise ScimError(
                400,
                "A group here is one of the tracker's roles, so it cannot be renamed.",
                "mutability",
            )
        else:
            raise ScimError(400, f"“{path[:100]}” is not a path of a Group.", "invalidPath")
    return changes
