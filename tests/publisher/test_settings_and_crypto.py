import os
import subprocess
import sys

import pytest
from django.conf import settings

from publisher import crypto
from publisher.models import Business


def _start_django(**env) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "FIELD_ENCRYPTION_KEY", "DEBUG"}
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "publisher.settings", **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )


def test_it_refuses_to_start_in_production_without_a_secret_key():
    result = _start_django(DEBUG="0", FIELD_ENCRYPTION_KEY="k" * 40)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_refuses_to_start_in_production_without_a_field_encryption_key():
    result = _start_django(DEBUG="0", SECRET_KEY="s" * 50)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY must be set" in result.stderr


def test_it_starts_in_production_with_real_secrets_read_from_files(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("from-a-file-" + "x" * 30)
    result = _start_django(DEBUG="0", SECRET_KEY="s" * 50, FIELD_ENCRYPTION_KEY_FILE=str(key_file))
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_it_switches_to_postgresql_from_database_url():
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "publisher.settings",
            "DATABASE_URL": "postgres://u@h:5432/d",
        },
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )
    assert result.stdout.strip() == "django.db.backends.postgresql"


@pytest.mark.django_db
def test_it_stores_kashflow_secrets_encrypted_and_reads_them_back():
    business = Business(name="Acme", slug="acme", kashflow_username="acme")
    business.kashflow_password = "hunter2-secret"
    business.kashflow_autoauth_key = "1234ABCD-5678-EF00"
    business.save()

    row = Business.objects.values(
        "kashflow_password_encrypted", "kashflow_autoauth_key_encrypted"
    ).get()
    assert "hunter2" not in row["kashflow_password_encrypted"]
    assert "1234ABCD" not in row["kashflow_autoauth_key_encrypted"]
    fresh = Business.objects.get()
    assert fresh.kashflow_password == "hunter2-secret"
    assert fresh.kashflow_autoauth_key == "1234ABCD-5678-EF00"


def test_it_reads_values_written_with_an_older_key_after_rotation(settings):
    settings.FIELD_ENCRYPTION_KEY = "old-key"
    token = crypto.encrypt("secret")
    settings.FIELD_ENCRYPTION_KEY = "new-key,old-key"
    assert crypto.decrypt(token) == "secret"
    settings.FIELD_ENCRYPTION_KEY = "unrelated-key"
    with pytest.raises(ValueError, match="cannot be decrypted"):
        crypto.decrypt(token)
