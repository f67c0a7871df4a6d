from __future__ import annotations

from django.urls import include, path

from refuge.api.main import api
from refuge.api.views import docs as api_docs
from refuge.cases.views.audit_log import audit_log

urlpatterns = [
    path("", include("refuge.cases.urls")),
    path("", include("refuge.filings.urls")),
    path("accounts/", include("refuge.accounts.urls")),
    path("vault/", include("refuge.accounts.vault_urls")),
    path("audit/", audit_log, name="audit_log"),
    path("search/", include("refuge.search.urls")),
    path("alerts/", include("refuge.alerts.urls")),
    path("feeds/", include("refuge.alerts.feed_urls")),
    path("stats/", include("refuge.stats.urls")),
    path("accounts/tokens/", include("refuge.api.urls")),
    path("api/v1/docs/", api_docs, name="api_docs"),
    path("api/v1/", api.urls),
]

handler404 = "refuge.api.problems.not_found"  # a problem under /api/, the 404 page elsewhere
