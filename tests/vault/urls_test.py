"""The vault's URLs plus test-only endpoints (in-process tests)."""

from __future__ import annotations

from tests.vault.urls_vault import urlpatterns as vault_urlpatterns

urlpatterns = [*vault_urlpatterns]
