"""Sign-in with its rate limit, and the Django admin's document queue."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from capture.models import Document, State
from tests.web.conftest import PASSWORD


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_it_signs_in_and_lands_on_the_inbox(client, cast):
    response = _login(client, "bob", PASSWORD)
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == reverse("inbox", args=["acme"])


def test_it_gives_every_page_an_icon_so_browsers_do_not_ask_for_a_missing_one(client, cast):
    import re

    from django.contrib.staticfiles import finders

    for page in (client.get(reverse("login")), cast.as_(client, cast.bookkeeper).get("/b/acme/")):
        icon = re.search(r'<link rel="icon" href="/static/([^"]+)"', page.content.decode())
        assert icon, "no icon link: the browser would ask for /favicon.ico and get a 404"
        assert finders.find(icon.group(1))


def test_it_locks_a_username_out_after_ten_failures(client, cast, settings):
    assert settings.LOGIN_RATE_LIMIT == 10
    for _ in range(10):
        assert _login(client, "bob", "wrong").status_code == 200
    # Even the right password is refused now, with a clear message.
    locked = _login(client, "bob", PASSWORD)
    assert locked.status_code == 200
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another user from the same address is not affected.
    assert _login(client, "rita", PASSWORD).status_code == 302


def test_it_counts_per_address(client, cast):
    for _ in range(10):
        client.post(
            reverse("login"), {"username": "bob", "password": "wrong"}, REMOTE_ADDR="10.0.0.1"
        )
    other = client.post(
        reverse("login"), {"username": "bob", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2"
    )
    assert other.status_code == 302


def test_behind_a_trusted_proxy_it_counts_the_forwarded_client_address(client, cast, settings):
    settings.TRUSTED_PROXIES = 1

    def attempt(password, forwarded):
        return client.post(
            reverse("login"),
            {"username": "bob", "password": password},
            REMOTE_ADDR="10.0.0.1",  # the proxy, the same for every client
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for _ in range(10):
        # A client cannot dodge the count by writing its own X-Forwarded-For entry.
        attempt("wrong", f"198.51.100.{_}, 203.0.113.7")
    assert "Too many failed" in attempt(PASSWORD, "203.0.113.7").content.decode()
    # Another client behind the same proxy signs in.
    assert attempt(PASSWORD, "203.0.113.8").status_code == 302


def test_without_a_trusted_proxy_it_ignores_x_forwarded_for(client, cast):
    for n in range(10):
        client.post(
            reverse("login"),
            {"username": "bob", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    locked = client.post(reverse("login"), {"username": "bob", "password": PASSWORD})
    assert "Too many failed" in locked.content.decode()


def test_it_forgets_failures_after_a_success(client, cast):
    for _ in range(9):
        _login(client, "bob", "wrong")
    assert _login(client, "bob", PASSWORD).status_code == 302
    client.logout()
    for _ in range(9):
        _login(client, "bob", "wrong")
    assert _login(client, "bob", PASSWORD).status_code == 302


@pytest.fixture
def staff(cast):
    return get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)


def test_it_lists_documents_with_filters_in_the_admin(client, cast, staff, make_doc):
    make_doc(State.READY, supplier_name="Wickes")
    make_doc(State.PUBLISHED, supplier_name="Travis Perkins")
    client.force_login(staff)
    url = reverse("admin:capture_document_changelist")
    page = client.get(url + "?state__exact=ready").content.decode()
    assert "Wickes" in page and "Travis Perkins" not in page
    assert "publish_selected" in page


def test_it_publishes_selected_documents_from_the_admin(client, cast, staff, publishable, make_doc):
    blocked = make_doc(State.NEEDS_ATTENTION)
    client.force_login(staff)
    response = client.post(
        reverse("admin:capture_document_changelist"),
        {"action": "publish_selected", "_selected_action": [publishable.pk, blocked.pk]},
        follow=True,
    )
    states = dict(Document.objects.values_list("pk", "state"))
    assert states[publishable.pk] == State.PUBLISHING
    assert states[blocked.pk] == State.NEEDS_ATTENTION
    assert "1 document(s) sent to KashFlow." in response.content.decode()


def test_it_never_links_the_storage_url_in_the_admin(client, cast, staff, make_doc):
    document = make_doc()
    client.force_login(staff)
    page = client.get(reverse("admin:capture_document_change", args=[document.pk])).content.decode()
    assert reverse("original", args=["acme", document.pk]) in page
    assert document.original.name not in page


def test_it_refuses_the_admin_action_to_staff_who_are_not_reviewers_there(
    client, cast, publishable
):
    from django.contrib.auth.models import Permission

    staff = get_user_model().objects.create_user(
        "stan", "stan@example.com", PASSWORD, is_staff=True
    )
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_document", "change_document"])
    )
    client.force_login(staff)
    response = client.post(
        reverse("admin:capture_document_changelist"),
        {"action": "publish_selected", "_selected_action": [publishable.pk]},
        follow=True,
    )
    publishable.refresh_from_db()
    assert publishable.state == State.READY
    assert "you are not a reviewer of this business" in response.content.decode()


def test_it_keeps_publish_attempts_and_sync_runs_read_only_in_the_admin(
    client, cast, staff, publishable
):
    from publisher.models import PublishAttempt

    attempt = PublishAttempt.objects.create(document=publishable, error="refused")
    client.force_login(staff)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Tillroll administration" in index and "Django administration" not in index
    assert client.get(reverse("admin:publisher_publishattempt_add")).status_code == 403
    assert client.get(reverse("admin:kashflow_syncrun_add")).status_code == 403
    delete = reverse("admin:publisher_publishattempt_delete", args=[attempt.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert PublishAttempt.objects.filter(pk=attempt.pk).exists()


def test_it_never_edits_or_deletes_documents_in_the_admin(client, cast, staff, make_doc):
    from tests.web.conftest import snapshot

    document = make_doc()
    before = snapshot(document)
    client.force_login(staff)
    change = reverse("admin:capture_document_change", args=[document.pk])
    page = client.get(change).content.decode()
    assert 'name="total"' not in page
    client.post(change, {"total": "1.00", "state": "published"})
    client.post(reverse("admin:capture_document_delete", args=[document.pk]), {"post": "yes"})
    assert snapshot(document) == before
