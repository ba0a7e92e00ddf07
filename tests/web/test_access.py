"""Every view and action refuses outsiders (404), lower roles (403) and strangers (sign in), and a
refusal changes nothing: not the document, not its events, not the stored files."""

import pytest
from django.urls import reverse

from capture.models import Document, State
from publisher.models import Membership, Role
from tests.web.conftest import snapshot, stored_files

# (name, method, minimum role, POST data): every page and action under a business.
BUSINESS_VIEWS = [
    ("inbox", "get", Role.BOOKKEEPER, None),
    ("inbox_live", "get", Role.BOOKKEEPER, None),
    ("upload", "get", Role.BOOKKEEPER, None),
    ("upload", "post", Role.BOOKKEEPER, {"kind": "cost"}),
    ("publish_selected", "post", Role.REVIEWER, {"all_ready": "1"}),
    ("members", "get", Role.BOOKKEEPER, None),
    ("member_add", "post", Role.ADMIN, {"user": "olga", "role": "admin"}),
    ("connection", "get", Role.ADMIN, None),
    ("connection", "post", Role.ADMIN, {"username": "stolen", "password": "x"}),
    ("connection_test", "post", Role.ADMIN, None),
]
DOCUMENT_VIEWS = [
    ("review", "get", Role.BOOKKEEPER, None),
    ("review", "post", Role.BOOKKEEPER, {"action": "save", "supplier_name": "Changed"}),
    ("review", "post", Role.REVIEWER, {"action": "approve", "supplier_name": "Changed"}),
    ("review", "post", Role.REVIEWER, {"action": "approve_next", "supplier_name": "Changed"}),
    ("document_status", "get", Role.BOOKKEEPER, None),
    ("reject", "post", Role.REVIEWER, {"reason": "blurred"}),
    ("retry", "post", Role.BOOKKEEPER, None),
    ("split", "post", Role.BOOKKEEPER, {"pages": "1, 2"}),
    ("original", "get", Role.BOOKKEEPER, None),
    ("page_image", "get", Role.BOOKKEEPER, None),
]
MEMBER_VIEWS = [
    ("member_role", Role.ADMIN, {"role": "admin"}),
    ("member_remove", Role.ADMIN, None),
]

LOWER = {
    Role.REVIEWER: ["bookkeeper"],
    Role.ADMIN: ["bookkeeper", "reviewer"],
}


def _review_form(document, extra):
    data = {
        "kind": document.kind,
        "document_type": document.document_type,
        "supplier_name": document.supplier_name,
        "document_number": document.document_number,
        "currency": document.currency,
        "net": document.net,
        "vat": document.vat,
        "total": document.total,
        "lines-TOTAL_FORMS": "0",
        "lines-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


def _document_url(name, slug, document):
    kwargs = {"slug": slug, "pk": document.pk}
    if name == "page_image":
        kwargs["page"] = 1
    return reverse(name, kwargs=kwargs)


def _call(client, method, url, data, document=None):
    if method == "get":
        return client.get(url)
    if document is not None and "action" in (data or {}):
        data = _review_form(document, data)
    return client.post(url, data or {})


@pytest.fixture
def document(make_doc):
    return make_doc(State.READY, page_count=2)


def _business_state(cast):
    business = type(cast.business).objects.get(pk=cast.business.pk)
    return {
        "username": business.kashflow_username,
        "password": business.kashflow_password,
        "checked": business.kashflow_checked_at,
        "memberships": sorted(
            Membership.objects.filter(business=business).values_list("user__username", "role")
        ),
        "documents": sorted(Document.objects.values_list("pk", "state")),
    }


@pytest.mark.parametrize("name,method,role,data", BUSINESS_VIEWS)
def test_it_hides_business_views_from_outsiders(
    client, cast, document, settings, name, method, role, data
):
    before = (_business_state(cast), snapshot(document), stored_files(settings))
    cast.as_(client, cast.outsider)
    response = _call(client, method, reverse(name, args=["acme"]), data)
    assert response.status_code == 404
    assert (_business_state(cast), snapshot(document), stored_files(settings)) == before


@pytest.mark.parametrize(
    "name,method,role,data", [v for v in BUSINESS_VIEWS if v[2] != Role.BOOKKEEPER]
)
def test_it_forbids_business_actions_to_lower_roles(
    client, cast, document, settings, name, method, role, data
):
    for persona in LOWER[role]:
        before = (_business_state(cast), snapshot(document), stored_files(settings))
        cast.as_(client, getattr(cast, persona))
        response = _call(client, method, reverse(name, args=["acme"]), data)
        assert response.status_code == 403, persona
        assert (_business_state(cast), snapshot(document), stored_files(settings)) == before


@pytest.mark.parametrize("name,method,role,data", DOCUMENT_VIEWS)
def test_it_hides_documents_from_outsiders_under_either_business(
    client, cast, document, settings, name, method, role, data
):
    before = (snapshot(document), stored_files(settings))
    cast.as_(client, cast.outsider)
    for slug in ("acme", "other"):
        response = _call(client, method, _document_url(name, slug, document), data, document)
        assert response.status_code == 404, slug
    assert (snapshot(document), stored_files(settings)) == before


@pytest.mark.parametrize(
    "name,method,role,data", [v for v in DOCUMENT_VIEWS if v[2] != Role.BOOKKEEPER]
)
def test_it_forbids_document_actions_to_lower_roles(
    client, cast, document, settings, name, method, role, data
):
    before = (snapshot(document), stored_files(settings))
    for persona in LOWER[role]:
        cast.as_(client, getattr(cast, persona))
        response = _call(client, method, _document_url(name, "acme", document), data, document)
        assert response.status_code == 403, persona
    assert (snapshot(document), stored_files(settings)) == before


def test_it_forbids_a_bookkeeper_to_retry_a_publish(client, cast, make_doc, settings):
    document = make_doc(State.PUBLISH_FAILED)
    before = (snapshot(document), stored_files(settings))
    cast.as_(client, cast.bookkeeper)
    response = client.post(reverse("retry", args=["acme", document.pk]))
    assert response.status_code == 403
    assert (snapshot(document), stored_files(settings)) == before


@pytest.mark.parametrize("name,role,data", MEMBER_VIEWS)
def test_it_guards_member_changes(client, cast, name, role, data):
    target = Membership.objects.get(user=cast.reviewer)
    before = _business_state(cast)
    for persona in ["outsider", *LOWER[role]]:
        cast.as_(client, getattr(cast, persona))
        response = client.post(reverse(name, args=["acme", target.pk]), data or {})
        assert response.status_code == (404 if persona == "outsider" else 403), persona
    # An admin of another business cannot reach Acme's members through their own business.
    cast.as_(client, cast.outsider)
    response = client.post(reverse(name, args=["other", target.pk]), data or {})
    assert response.status_code == 404
    assert _business_state(cast) == before


@pytest.mark.parametrize(
    "url",
    [
        lambda d: reverse("home"),
        lambda d: reverse("businesses"),
        lambda d: reverse("inbox", args=["acme"]),
        lambda d: reverse("upload", args=["acme"]),
        lambda d: reverse("review", args=["acme", d.pk]),
        lambda d: reverse("original", args=["acme", d.pk]),
        lambda d: reverse("page_image", args=["acme", d.pk, 1]),
        lambda d: reverse("connection", args=["acme"]),
        lambda d: reverse("members", args=["acme"]),
    ],
)
def test_it_sends_strangers_to_sign_in(client, document, url):
    response = client.get(url(document))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_never_serves_uploads_from_a_public_url(client, cast, document, settings):
    cast.as_(client, cast.admin)
    response = client.get("/media/" + document.original.name)
    assert response.status_code == 404
    assert (
        document.original.url
        not in client.get(reverse("review", args=["acme", document.pk])).content.decode()
    )


def test_it_requires_csrf_on_every_form(cast, document):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast.admin)
    before = snapshot(document)
    response = strict.post(reverse("reject", args=["acme", document.pk]), {"reason": "no"})
    assert response.status_code == 403
    assert snapshot(document) == before
    page = strict.get(reverse("review", args=["acme", document.pk])).content.decode()
    assert page.count("csrfmiddlewaretoken") >= 2
