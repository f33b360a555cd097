from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from media.views import media_file
from newsroom.api.errors import api_not_found
from newsroom.operations.health import healthz, readyz
from newsroom.operations.metrics import metrics

admin.site.site_header = "专题编辑后台"
admin.site.site_title = "专题编辑后台"
admin.site.index_title = "内容管理"
# Each 400 in its own words (a disallowed Host is no upload too large), JSON under /api/.
handler400 = "newsroom.middleware.bad_request"

urlpatterns = [
    # Ahead of the admin's own: its log-in with the second factor, and password reset.
    path("admin/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    # For load balancers and Prometheus, answered before the Host check
    # (newsroom.operations.middleware.ProbeMiddleware); /metrics only to whom it may show.
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("api/v1/", include("newsroom.api.urls", namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's set-up script as a file: no inline script for the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    # Last under api/: anything else there is the API's JSON 404. Only paths ending in "/",
    # so CommonMiddleware still redirects "/api/v1/issues" to "/api/v1/issues/".
    re_path(r"^api/[\s\S]*/$", api_not_found),  # [\s\S], not ".": paths may hold %0A
]

if settings.SERVE_MEDIA:
    # Renditions to anyone, originals to staff only (media.views).
    prefix = settings.MEDIA_URL.strip("/")
    urlpatterns += [re_path(rf"^{prefix}/(?P<path>.*)$", media_file)]
