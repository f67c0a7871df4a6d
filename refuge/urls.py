from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("refuge.cases.urls")),
    path("", include("refuge.filings.urls")),
    path("accounts/", include("refuge.accounts.urls")),
    path("vault/", include("refuge.vault.urls")),
    path("audit/", include("refuge.audit.urls")),
    path("search/", include("refuge.search.urls")),
    path("alerts/", include("refuge.alerts.urls")),
    path("feeds/", include("refuge.alerts.feed_urls")),
    path("stats/", include("refuge.stats.urls")),
]
