"""The site's URLs plus the reference pages, as publisher.urls will include them."""

from django.urls import include, path

from publisher.urls import urlpatterns as site

urlpatterns = list(site)
if not any(getattr(p, "namespace", None) == "reference" for p in site):
    urlpatterns.append(path("b/<slug:slug>/", include("publisher.reference_urls")))
