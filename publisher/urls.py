from django.contrib import admin
from django.urls import include, path

from publisher.views import auth, business, files, inbox, parties, review, upload

document = "b/<slug:slug>/d/<int:pk>/"

urlpatterns = [
    path("", business.home, name="home"),
    path("login/", auth.login, name="login"),
    path("logout/", auth.logout, name="logout"),
    path("businesses/", business.businesses, name="businesses"),
    path("b/<slug:slug>/", inbox.inbox, name="inbox"),
    path("b/<slug:slug>/inbox/live/", inbox.inbox_live, name="inbox_live"),
    path("b/<slug:slug>/publish/", inbox.publish_selected, name="publish_selected"),
    path("b/<slug:slug>/upload/", upload.upload, name="upload"),
    path("b/<slug:slug>/parties/<str:party>/", parties.parties, name="parties"),
    path(document, review.review, name="review"),
    path(document + "status/", review.document_status, name="document_status"),
    path(document + "reject/", review.reject, name="reject"),
    path(document + "retry/", review.retry, name="retry"),
    path(document + "split/", review.split, name="split"),
    path(document + "original/", files.original, name="original"),
    path(document + "pages/<int:page>.png", files.page_image, name="page_image"),
    path("b/<slug:slug>/settings/kashflow/", business.connection, name="connection"),
    path("b/<slug:slug>/settings/kashflow/test/", business.connection_test, name="connection_test"),
    path("b/<slug:slug>/settings/members/", business.members, name="members"),
    path("b/<slug:slug>/settings/members/add/", business.member_add, name="member_add"),
    path(
        "b/<slug:slug>/settings/members/<int:member_id>/role/",
        business.member_role,
        name="member_role",
    ),
    path(
        "b/<slug:slug>/settings/members/<int:member_id>/remove/",
        business.member_remove,
        name="member_remove",
    ),
    path("b/<slug:slug>/", include("publisher.reference_urls")),
    path("admin/", admin.site.urls),
    path("django-rq/", include("django_rq.urls")),
]
