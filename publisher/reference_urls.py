"""KashFlow reference data pages, included under ``b/<slug>/``."""

from django.urls import path

from publisher import reference_views as views

app_name = "reference"

urlpatterns = [
    path("kashflow/sync/", views.sync_page, name="sync"),
    path("kashflow/sync/now/", views.sync_now, name="sync_now"),
    path("kashflow/sync/interval/", views.sync_interval, name="sync_interval"),
    path("rules/", views.rules_page, name="rules"),
    path("rules/<str:party>/new/", views.rule_edit, name="rule_new"),
    path("rules/<str:party>/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("rules/<str:party>/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("documents/<int:pk>/create-party/", views.create_party, name="create_party"),
    path("documents/<int:pk>/choose-party/", views.choose_party, name="choose_party"),
    path("documents/<int:pk>/remember-rule/", views.remember, name="remember_rule"),
    path("documents/<int:pk>/duplicate/", views.duplicate_page, name="duplicate"),
]
