import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from publisher.demo import DEMO_PASSWORD, DEMO_USERNAME
from publisher.models import Business, Membership, Role


@pytest.mark.django_db
def test_it_seeds_the_demo_once_however_often_it_runs(capsys):
    call_command("demo", seed_only=True, sandbox_port=8765)
    call_command("demo", seed_only=True, sandbox_port=9876)

    business = Business.objects.get()
    assert business.kashflow_endpoint == "http://127.0.0.1:9876/api/service.asmx"
    assert business.kashflow_password == "demo"
    user = get_user_model().objects.get(username=DEMO_USERNAME)
    assert user.check_password(DEMO_PASSWORD)
    assert Membership.objects.get(user=user).role == Role.ADMIN
    assert Membership.objects.count() == 2
    out = capsys.readouterr().out
    assert "Created the demo business" in out and "Reusing the demo business" in out
