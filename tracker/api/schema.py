"""How the schema describes the API's authentication (drf-spectacular extensions, found
when tracker.api.authentication imports this module)."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "tracker.api.authentication.TokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token or a service account's token (itk_…).",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "tracker.api.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


PROBLEM = {
    "type": "object",
    "description": "An RFC 9457 problem.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "retry_after": {"type": "integer"},
        "version": {"type": "integer"},
    },
    "required": ["type", "title", "status", "detail", "instance"],
}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
# What any operation may answer besides its own success.
ERRORS = {
    "400": "The request could not be used (the messages say why)",
    "401": "No token, or a token that is not valid",
    "403": "Not allowed (a read-only token's write, or not yours to change)",
    "404": "Nothing there, or not yours to see",
    "405": "Method not allowed",
    "406": "Not acceptable",
    "415": "Unsupported media type",
    "429": "Too many requests: wait Retry-After seconds",
}
WRITE_ERRORS = {"409": "The item has changed since the version given: nothing was saved"}


def add_problems(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A postprocessing hook (SPECTACULAR_SETTINGS): the Problem schema, and the error
    answers every operation may give, as application/problem+json."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    for path, operations in result.get("paths", {}).items():
        if path.endswith("/schema/"):
            continue
        for method, operation in operations.items():
            errors = dict(ERRORS)
            if method == "post":
                errors.update(WRITE_ERRORS)
            responses = operation.setdefault("responses", {})
            for code, description in errors.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/problem+json": {"schema": PROBLEM_REF}},
                    },
                )
    return result
