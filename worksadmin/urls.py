from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from partners import api

from .views import bench_floor

admin.site.site_header = "worksadmin ops"
admin.site.site_title = "worksadmin ops"

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("partners.urls")),
    path("api/v1/", include("partners.api_urls")),
    re_path(r"^api/", api.not_found),
    path("ops/", admin.site.urls),
]

if settings.BENCH:
    urlpatterns.append(path("bench/floor/", bench_floor))

# JSON under /api/, Django's own pages everywhere else.
handler400 = api.bad_request
handler403 = api.permission_denied
handler404 = api.page_not_found
handler500 = api.server_error
