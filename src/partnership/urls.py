"""URLs: pages under /en/ and /ja/, the API under /api/, health and admin outside the language prefix."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from partnership.api import api
from partnership.programme.exchanges import registered
from partnership.web import views as web_views

urlpatterns = [
    path("healthz", web_views.healthz, name="healthz"),
    path("api/", api.urls),
    # An exchange's protocol endpoints, outside the language prefix (e.g. TAXII at /taxii2/).
    *[path(prefix, include(module)) for exchange in registered() for prefix, module in exchange.root_urls],
    path("i18n/", include("django.conf.urls.i18n")),
    path("", web_views.root, name="root"),
]
urlpatterns += i18n_patterns(
    path("", include("partnership.web.urls")),
    path("", include("partnership.ledger.urls")),
    *[path("", include(exchange.page_urls)) for exchange in registered() if exchange.page_urls],
    path("", include("partnership.cycle.urls")),
    path("", include("partnership.cycle.report_urls")),
    path("", include("partnership.programme.urls")),
    path("", include("partnership.people.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=True,
)

handler404 = "partnership.web.views.not_found"
handler500 = "partnership.web.views.server_error"
handler403 = "partnership.web.views.forbidden"
handler400 = "partnership.web.views.bad_request"
