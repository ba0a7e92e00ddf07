"""Settings read from the environment.

Every value has a development default so a fresh clone runs with SQLite and files on local disk.
With ``DEBUG=0`` the secrets must be given for real (directly or through ``NAME_FILE``), or the
process refuses to start.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    """A setting from the environment, or from the file named by ``NAME_FILE`` (for secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


def envbool(name: str, default: str) -> bool:
    return (env(name, default) or "").strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: str) -> int:
    return int(env(name, default) or default)


DEBUG = envbool("DEBUG", "1")

_DEV_SECRET_KEY = "dev-only-secret-key-not-for-production"
_DEV_FIELD_KEY = "dev-only-field-encryption-key-not-for-production"

SECRET_KEY = env("SECRET_KEY", _DEV_SECRET_KEY) or _DEV_SECRET_KEY
# Encrypts KashFlow passwords and AutoAuth keys at rest. Any string works: a Fernet key is derived
# from it. Several keys may be given, comma separated, newest first, to rotate.
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY", _DEV_FIELD_KEY) or _DEV_FIELD_KEY

if not DEBUG:
    if SECRET_KEY == _DEV_SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0.")
    if FIELD_ENCRYPTION_KEY == _DEV_FIELD_KEY:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be set when DEBUG=0.")

ALLOWED_HOSTS = [h.strip() for h in (env("ALLOWED_HOSTS", "*") or "").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in (env("CSRF_TRUSTED_ORIGINS", "") or "").split(",") if o.strip()
]
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_rq",
    "kashflow",
    "capture",
    "publisher",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "publisher.tenancy.CurrentBusinessMiddleware",
]

ROOT_URLCONF = "publisher.urls"
WSGI_APPLICATION = "publisher.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "publisher.tenancy.business_context",
            ],
        },
    },
]

DATA_DIR = Path(env("DATA_DIR", str(BASE_DIR / "var")) or BASE_DIR / "var")

DATABASE_URL = env("DATABASE_URL", "")
if DATABASE_URL:
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "db.sqlite3",
            # Workers and the web server write at once; wait for the lock rather than fail.
            "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {
    name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": timeout}
    for name, timeout in (("default", 300), ("capture", 600), ("publish", 300), ("sync", 1800))
}
RQ_SHOW_ADMIN_LINK = True

# Shared by every web process, so login rate limits hold across workers and machines.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "tillroll",
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "publisher" / "static"]

# Originals and derived images. Never served from a public URL: views stream them to members.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "media")) or DATA_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", str(20 * 1024 * 1024))
UPLOAD_MAX_PAGES = envint("UPLOAD_MAX_PAGES", "50")
UPLOAD_MAX_MEGAPIXELS = envint("UPLOAD_MAX_MEGAPIXELS", "60")
# The engine that reads a scanned page again where Tesseract's reading is doubtful; "" for none.
OCR_SECOND_ENGINE = env("OCR_SECOND_ENGINE", "ppocr") or ""
DATA_UPLOAD_MAX_NUMBER_FILES = 50
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Called after commit with each newly stored document: queues it for reading.
CAPTURE_ON_ACCEPTED = "publisher.jobs.enqueue_processing"

KASHFLOW_ENDPOINT = env("KASHFLOW_ENDPOINT", "https://securedwebapp.com/api/service.asmx")
KASHFLOW_APP_NAME = env("KASHFLOW_APP_NAME", "Tillroll")
KASHFLOW_CONNECT_TIMEOUT = float(env("KASHFLOW_CONNECT_TIMEOUT", "5") or 5)
KASHFLOW_READ_TIMEOUT = float(env("KASHFLOW_READ_TIMEOUT", "30") or 30)
KASHFLOW_SYNC_MINUTES = envint("KASHFLOW_SYNC_MINUTES", "60")

LOGIN_RATE_LIMIT = envint("LOGIN_RATE_LIMIT", "10")  # failed attempts per 15 minutes
# Reverse proxies in front of the site (0: none): how far to trust X-Forwarded-For.
TRUSTED_PROXIES = envint("TRUSTED_PROXIES", "0")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and envbool("SECURE_COOKIES", "1")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        # zeep logs whole envelopes at DEBUG, credentials included: never let that through.
        "zeep": {"level": "WARNING"},
        "zeep.transports": {"level": "WARNING"},
    },
}
