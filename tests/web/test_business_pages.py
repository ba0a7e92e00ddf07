"""The business switcher, the members page and the KashFlow connection page."""

from django.urls import reverse

from publisher.models import Business, Membership, Role
from tests.kashflow_fixtures import SANDBOX_AUTOAUTH_KEY, SANDBOX_PASSWORD, SANDBOX_USERNAME


def test_it_takes_a_user_back_to_the_last_business(client, cast):
    cast.as_(client, cast.admin)
    Membership.objects.create(user=cast.admin, business=cast.other, role=Role.REVIEWER)
    assert client.get(reverse("home"))["Location"] == reverse("businesses")
    client.get(reverse("inbox", args=["other"]))
    assert client.get(reverse("home"))["Location"] == reverse("inbox", args=["other"])


def test_it_opens_the_only_business_straight_away(client, cast):
    response = cast.as_(client, cast.bookkeeper).get(reverse("home"))
    assert response["Location"] == reverse("inbox", args=["acme"])


def test_it_lists_only_my_businesses_in_the_switcher(client, cast, make_doc):
    for i in range(5):
        business = Business.objects.create(name=f"Client {i}", slug=f"client-{i}")
        Membership.objects.create(user=cast.admin, business=business, role=Role.REVIEWER)
    make_doc()
    cast.as_(client, cast.admin)
    page = client.get(reverse("businesses")).content.decode()
    assert "Client 4" in page and "Acme Plumbing Ltd" in page and "Other Bakery" not in page
    assert "1 to review" in page
    found = client.get(reverse("businesses") + "?q=client 3").content.decode()
    found = found.split('class="cards"')[1]
    assert "Client 3" in found and "Client 2" not in found
    inbox = client.get(reverse("inbox", args=["acme"])).content.decode()
    switcher = inbox.split('class="switcher-menu"')[1].split("</div>")[0]
    assert reverse("inbox", args=["client-0"]) in switcher
    assert "Other Bakery" not in switcher


def test_it_lets_an_admin_add_a_member_by_username_or_email(client, cast):
    cast.as_(client, cast.admin)
    client.post(
        reverse("member_add", args=["acme"]), {"user": "OLGA@example.com", "role": "reviewer"}
    )
    assert Membership.objects.get(user=cast.outsider, business=cast.business).role == Role.REVIEWER


def test_it_explains_why_a_member_cannot_be_added(client, cast):
    cast.as_(client, cast.admin)
    unknown = client.post(
        reverse("member_add", args=["acme"]), {"user": "nobody", "role": "admin"}, follow=True
    )
    assert "No account has that username or e-mail." in unknown.content.decode()
    again = client.post(
        reverse("member_add", args=["acme"]), {"user": "bob", "role": "admin"}, follow=True
    )
    assert "bob is already a member." in again.content.decode()
    assert Membership.objects.get(user=cast.bookkeeper).role == Role.BOOKKEEPER


def test_it_changes_a_role_and_removes_a_member(client, cast):
    cast.as_(client, cast.admin)
    bob = Membership.objects.get(user=cast.bookkeeper)
    client.post(reverse("member_role", args=["acme", bob.pk]), {"role": "reviewer"})
    bob.refresh_from_db()
    assert bob.role == Role.REVIEWER
    client.post(reverse("member_remove", args=["acme", bob.pk]))
    assert not Membership.objects.filter(pk=bob.pk).exists()
    # Bob is now an outsider to Acme.
    assert cast.as_(client, cast.bookkeeper).get(reverse("inbox", args=["acme"])).status_code == 404


def test_it_keeps_at_least_one_admin(client, cast):
    cast.as_(client, cast.admin)
    ada = Membership.objects.get(user=cast.admin)
    demote = client.post(
        reverse("member_role", args=["acme", ada.pk]), {"role": "reviewer"}, follow=True
    )
    assert "at least one admin" in demote.content.decode()
    client.post(reverse("member_remove", args=["acme", ada.pk]))
    ada.refresh_from_db()
    assert ada.role == Role.ADMIN


def test_it_shows_members_to_everyone_but_controls_only_to_admins(client, cast):
    url = reverse("members", args=["acme"])
    bookkeeper_view = cast.as_(client, cast.bookkeeper).get(url).content.decode()
    assert "rita" in bookkeeper_view and "Add a member" not in bookkeeper_view
    assert "Add a member" in cast.as_(client, cast.admin).get(url).content.decode()


def test_it_never_renders_the_stored_password_or_key(client, cast):
    cast.business.kashflow_autoauth_key = "AUTOAUTH-KEY-123"
    cast.business.save()
    page = cast.as_(client, cast.admin).get(reverse("connection", args=["acme"])).content.decode()
    assert "kf-secret" not in page and "AUTOAUTH-KEY-123" not in page
    assert cast.business.kashflow_password_encrypted not in page
    assert page.count("✓ stored") == 2
    assert 'value="acme-books"' in page


def test_it_keeps_stored_secrets_when_left_blank_and_replaces_them_when_given(client, cast):
    url = reverse("connection", args=["acme"])
    cast.as_(client, cast.admin)
    client.post(url, {"username": "acme-books-2", "password": "", "autoauth_key": ""})
    business = Business.objects.get(pk=cast.business.pk)
    assert (business.kashflow_username, business.kashflow_password) == ("acme-books-2", "kf-secret")
    client.post(url, {"username": "acme-books-2", "password": "new-pass", "autoauth_key": "KEY-9"})
    business.refresh_from_db()
    assert (business.kashflow_password, business.kashflow_autoauth_key) == ("new-pass", "KEY-9")
    client.post(url, {"username": "acme-books-2", "clear_autoauth_key": "on"})
    business.refresh_from_db()
    assert business.kashflow_autoauth_key == ""


def test_it_asks_for_a_password_when_none_is_stored(client, cast):
    cast.as_(client, cast.outsider)
    response = client.post(reverse("connection", args=["other"]), {"username": "bakery"})
    assert response.status_code == 200
    assert "Enter the password for this KashFlow login." in response.content.decode()
    assert Business.objects.get(slug="other").kashflow_username == ""


def test_it_tests_the_connection_and_shows_the_company_name(client, cast, kashflow_sandbox):
    business = cast.business
    business.kashflow_endpoint = kashflow_sandbox.url
    business.kashflow_username = SANDBOX_USERNAME
    business.kashflow_password = SANDBOX_PASSWORD
    business.kashflow_autoauth_key = SANDBOX_AUTOAUTH_KEY
    business.save()
    cast.as_(client, cast.admin)
    page = client.post(reverse("connection_test", args=["acme"]), follow=True).content.decode()
    business.refresh_from_db()
    assert business.kashflow_company_name
    assert f"Connected to {business.kashflow_company_name}." in page
    assert business.kashflow_checked_at is not None and business.kashflow_last_error == ""


def test_it_keeps_kashflow_s_precise_error_in_plain_words(client, cast, kashflow_sandbox):
    business = cast.business
    business.kashflow_endpoint = kashflow_sandbox.url
    business.kashflow_username = SANDBOX_USERNAME
    business.kashflow_password = "wrong-password"
    business.save()
    cast.as_(client, cast.admin)
    page = client.post(reverse("connection_test", args=["acme"]), follow=True).content.decode()
    business.refresh_from_db()
    assert business.kashflow_last_error
    assert business.kashflow_company_name == ""
    assert "Not connected. KashFlow did not accept the username or password." in page
    assert "KashFlow said: KashFlow" not in page
    assert 'id="last-error"' in page


def test_it_lists_businesses_in_a_fixed_number_of_queries(client, cast, make_doc):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cast.as_(client, cast.admin)

    def cost():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("businesses")).status_code == 200
        return len(ctx.captured_queries)

    few = cost()
    for i in range(10):
        business = Business.objects.create(name=f"Client {i}", slug=f"client-{i}")
        Membership.objects.create(user=cast.admin, business=business, role=Role.REVIEWER)
        make_doc(business=business)
    assert cost() == few
