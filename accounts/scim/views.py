"""The SCIM 2.0 endpoints (RFC 7644) at /scim/v2/: Users, Groups and the discovery documents.

Each view: the bearer token first (401 with WWW-Authenticate, as RFC 7644 section 2 asks, for
none or a bad one), then everything scoped to the token's organisation (another
organisation's person is 404), then one call to accounts/scim/provisioning.py. Errors are
SCIM Error responses (accounts/scim/errors.py). No sessions, no CSRF: a token, not a browser,
makes these requests. docs/scim.md describes it all."""

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from accounts.scim import discovery, provisioning, resources
from accounts.scim.errors import ScimError, error_response, scim_json
from accounts.scim.tokens import scim_token_authenticate
from accounts.scim_models import ScimToken
from tracker import audit_context

View = Callable[..., HttpResponse]


def scim_view(*methods: str) -> Callable[[View], View]:
    """Token, methods, the audit source ("scim") and SCIM errors, for each endpoint."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            with audit_context.using(source="scim"):
                try:
                    token = scim_token_authenticate(request.headers.get("Authorization", ""))
                    if request.method not in methods:
                        raise ScimError(
                            405, f"{request.method} is not allowed here: use {', '.join(methods)}."
                        )
                    response = view(request, token, *args, **kwargs)
                except ScimError as error:
                    response = error_response(error)
            if response.status_code == 405:
                response["Allow"] = ", ".join(methods)
            return response

        return wrapped

    return decorate


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("scim:service_provider_config")).rsplit("/", 1)[0]


def _body(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ScimError(400, "The request body is not valid JSON.", "invalidSyntax") from None


def _whole(request: HttpRequest, name: str, default: int) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ScimError(400, f"“{name}” must be a whole number.", "invalidValue") from None


def _page(request: HttpRequest, resources_: list[Any] | Any, render: Callable) -> HttpResponse:
    """A ListResponse, paged by startIndex (from 1) and count (at most SCIM_MAX_RESULTS)."""
    start = min(max(_whole(request, "startIndex", 1), 1), 2**31)  # past the end: no rows
    count = min(
        max(_whole(request, "count", settings.SCIM_MAX_RESULTS), 0), settings.SCIM_MAX_RESULTS
    )
    total = (
        resources_.count()
        if hasattr(resources_, "count") and not isinstance(resources_, list)
        else len(resources_)
    )
    page = list(resources_[start - 1 : start - 1 + count]) if count else []
    return scim_json(
        {
            "schemas": [resources.LIST_SCHEMA],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": len(page),
            "Resources": [render(item) for item in page],
        }
    )


# Users -------------------------------------------------------------------------------------


@scim_view("GET", "POST")
def users(request: HttpRequest, token: ScimToken) -> HttpResponse:
    base = _base_url(request)
    if request.method == "POST":
        person = provisioning.user_create(token=token, data=_body(request))
        resource = resources.user_resource(person, base)
        return scim_json(resource, status=201, Location=resource["meta"]["location"])
    found = provisioning.users_matching(token, request.GET.get("filter"))
    return _page(request, found, lambda person: resources.user_resource(person, base))


@scim_view("GET", "PUT", "PATCH", "DELETE")
def user(request: HttpRequest, token: ScimToken, user_id: str) -> HttpResponse:
    if request.method == "DELETE":
        provisioning.user_deactivate(token=token, user_id=user_id)
        return HttpResponse(status=204)
    if request.method == "PUT":
        person = provisioning.user_replace(token=token, user_id=user_id, data=_body(request))
    elif request.method == "PATCH":
        person = provisioning.user_patch(token=token, user_id=user_id, data=_body(request))
    else:
        person = provisioning.person(token, user_id)
    return scim_json(resources.user_resource(person, _base_url(request)))


# Groups (the organisation's roles) ---------------------------------------------------------


def _group(request: HttpRequest, token: ScimToken, role, base: str) -> dict[str, Any]:
    excluded = {a.strip().lower() for a in request.GET.get("excludedAttributes", "").split(",")}
    return resources.group_resource(
        role,
        provisioning.group_members(token, role),
        base,
        with_members="members" not in excluded,
    )


@scim_view("GET", "POST")
def groups(request: HttpRequest, token: ScimToken) -> HttpResponse:
    base = _base_url(request)
    if request.method == "POST":
        data = _body(request)
        if not isinstance(data, dict):
            raise ScimError(400, "The request body must be a JSON object.", "invalidSyntax")
        role = provisioning.group_for_name(token, data.get("displayName"))
        provisioning.group_replace(token=token, group_id=role.value, data=data)
        resource = _group(request, token, role, base)
        return scim_json(resource, status=201, Location=resource["meta"]["location"])
    roles = resources.organisation_roles(token.organisation)
    expression = request.GET.get("filter")
    if expression:
        attribute, value = resources.group_filter(expression)
        roles = [
            r
            for r in roles
            if (attribute == "id" and r.value == value)
            or (attribute == "displayname" and resources.role_named(value) == r)
        ]
    return _page(request, roles, lambda role: _group(request, token, role, base))


@scim_view("GET", "PUT", "PATCH", "DELETE")
def group(request: HttpRequest, token: ScimToken, group_id: str) -> HttpResponse:
    if request.method == "DELETE":
        provisioning.group_role(token, group_id, for_change=True)
        raise ScimError(
            403,
            "A group here is one of the tracker's roles, so it cannot be deleted: remove its "
            "members instead (each keeps at least the token's default role).",
        )
    if request.method == "PUT":
        role = provisioning.group_replace(token=token, group_id=group_id, data=_body(request))
    elif request.method == "PATCH":
        role = provisioning.group_patch(token=token, group_id=group_id, data=_body(request))
    else:
        role = provisioning.group_role(token, group_id)
    return scim_json(_group(request, token, role, _base_url(request)))


@scim_view("GET", "POST", "PUT", "PATCH", "DELETE")
def not_found(request: HttpRequest, token: ScimToken, rest: str = "") -> HttpResponse:
    """Any other address under /scim/v2/: a SCIM 404, not the site's page."""
    raise ScimError(404, f"There is nothing at /scim/v2/{rest[:100]}: see /scim/v2/ResourceTypes.")


# Discovery (RFC 7644 section 4) ------------------------------------------------------------


@scim_view("GET")
def service_provider_config(request: HttpRequest, token: ScimToken) -> HttpResponse:
    return scim_json(discovery.service_provider_config(_base_url(request)))


@scim_view("GET")
def resource_types(request: HttpRequest, token: ScimToken, name: str = "") -> HttpResponse:
    found = discovery.resource_types(_base_url(request))
    if name:
        match = [r for r in found if r["id"] == name]
        if not match:
            raise ScimError(404, f"There is no ResourceType {name[:40]!r}.")
        return scim_json(match[0])
    return _page(request, found, lambda r: r)


@scim_view("GET")
def schemas(request: HttpRequest, token: ScimToken, schema_id: str = "") -> HttpResponse:
    found = discovery.schemas(_base_url(request))
    if schema_id:
        match = [s for s in found if s["id"] == schema_id]
        if not match:
            raise ScimError(404, f"There is no Schema {schema_id[:100]!r}.")
        return scim_json(match[0])
    return _page(request, found, lambda s: s)
