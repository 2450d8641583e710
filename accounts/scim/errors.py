"""SCIM errors (RFC 7644 section 3.12): an exception the provisioning code raises, and the
response it becomes: `application/scim+json`, the Error schema, the status as a string, a
`scimType` where the specification has one, and a `detail` written for the person who
configures the provisioning service."""

import json

from django.conf import settings
from django.http import HttpResponse

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
CONTENT_TYPE = "application/scim+json"


class ScimError(Exception):
    """A refusal: nothing was changed."""

    def __init__(self, status: int, detail: str, scim_type: str = "") -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type


def scim_json(data: object, status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False), status=status, content_type=CONTENT_TYPE
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def error_response(error: ScimError) -> HttpResponse:
    body: dict[str, object] = {
        "schemas": [ERROR_SCHEMA],
        "status": str(error.status),
        "detail": error.detail,
    }
    if error.scim_type:
        body["scimType"] = error.scim_type
    response = scim_json(body, status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = f'Bearer realm="{settings.SCIM_REALM}"'
    return response
