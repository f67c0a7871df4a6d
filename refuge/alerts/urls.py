from __future__ import annotations

from django.urls import path

from refuge.alerts import views, views_feeds, views_settings

urlpatterns = [
    path("", views.alert_list, name="alert_list"),
    path("read/", views.alerts_read, name="alerts_read"),
    path("ack/<str:token>/", views.alert_ack_link, name="alert_ack_link"),
    path("<uuid:code>/", views.alert_detail, name="alert_detail"),
    path("<uuid:code>/acknowledge/", views.alert_ack, name="alert_ack"),
    # One's own settings and calendar feeds; the on-call rota (admins).
    path("settings/", views_settings.alert_settings, name="alert_settings"),
    path("settings/webhook-key/", views_settings.webhook_key_replace, name="webhook_key_replace"),
    path("feeds/new/", views_feeds.feed_create, name="feed_create"),
    path("feeds/case/<uuid:code>/", views_feeds.case_feed_create, name="case_feed_create"),
    path("feeds/<uuid:code>/revoke/", views_feeds.feed_revoke, name="feed_revoke"),
    path("rota/", views_settings.oncall_rota, name="oncall_rota"),
    path("rota/shift/", views_settings.oncall_shift, name="oncall_shift"),
    path("rota/escalation/", views_settings.escalation_policy, name="escalation_policy"),
]
