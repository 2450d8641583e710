"""The OpenAPI schema and the reference page, served from the app (the sidecar's Swagger UI
files, no CDN). The page loads its set-up script from its own address (drf-spectacular's
split view), so the Content Security Policy needs no inline script; its one inline style
carries the request's nonce (templates/accounts/api_tokens/swagger_ui.html)."""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


class Schema(SpectacularAPIView):
    pass


class Reference(SpectacularSwaggerSplitView):
    template_name = "accounts/api_tokens/swagger_ui.html"
    title = "Inspection tracker API reference"
    url_name = "api:schema"
