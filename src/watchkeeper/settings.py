"""Watchkeeper's one settings module: every value that differs between machines comes from the environment."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("WATCHKEEPER_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """Production sets SECRET_KEY; one machine keeps a generated key in var/ so sessions survive restarts."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env_bool("DEBUG")
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SERVICE_NAME = os.environ.get("WATCHKEEPER_SERVICE_NAME", "Watchkeeper")

WATCHKEEPER_APPS = [
    "accounts",
    "catalogue",
    "incidents",
    "notifications",
    "statuspage",
    "reviews",
    "breaches",
    "slackapp",
    "insights",
    "oncall",
    "alerts",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "axes",
    *(f"watchkeeper.{app}" for app in WATCHKEEPER_APPS),
]

MIDDLEWARE = [
    "watchkeeper.health.DatabaseUnavailableMiddleware",
    "watchkeeper.body_limit.RequestSizeLimit",
    "django.middleware.security.SecurityMiddleware",
    "watchkeeper.security_headers.ContentSecurityPolicy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "watchkeeper.text_guard.RejectBadText",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "watchkeeper.urls"
WSGI_APPLICATION = "watchkeeper.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        # Each app keeps its pages in <app>/templates/<app>/ (DESIGN.md §2), so list those folders explicitly.
        "DIRS": [BASE_DIR / "templates", *(BASE_DIR / app / "templates" for app in WATCHKEEPER_APPS)],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "watchkeeper.web.jinja.environment"},
    },
    {
        # The Django admin keeps its own templates.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'watchkeeper.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Writers take turns through a lock file rather than in SQLite's sleeping busy handler (see sqlite_turns).
    DATABASES["default"]["ENGINE"] = "watchkeeper.sqlite_turns"
    # WAL lets the web app read while the worker writes; IMMEDIATE avoids lock upgrades that deadlock.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # An unreachable database fails a request in seconds (a 503), rather than holding it until the balancer gives up.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
# A connection kept between requests is checked before reuse, so a restarted database costs one request nothing.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        # django-tasks-db's database queue, which also wakes idle workers when a task is ready (task_wakeup).
        "BACKEND": os.environ.get("TASKS_BACKEND", "watchkeeper.task_wakeup.WakingDatabaseBackend"),
        "QUEUES": ["default"],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/assets/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [PROJECT_DIR / "build" / "static", BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and SITE_URL.startswith("https"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
BEHIND_PROXY = env_bool("BEHIND_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# Proxies in front of the app that append to X-Forwarded-For: the client address is that many entries from the right.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1"))
X_FRAME_OPTIONS = "DENY"
# Request bodies: 2.5 MB in memory at most (Django's default, stated), and a hard cap on any body, uploads
# included, so an anonymous 60 MB POST is refused before it is parsed. Imports of past incidents fit well inside.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2_621_440)))
REQUEST_MAX_BYTES = int(os.environ.get("REQUEST_MAX_BYTES", str(10 * 1024 * 1024)))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"access": {"format": "%(asctime)s %(message)s"}},
    "filters": {"client_errors": {"()": "watchkeeper.logfilters.NoTracebackForClientErrors"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["client_errors"]},
        "access": {"class": "logging.StreamHandler", "formatter": "access"},
    },
    "loggers": {"watchkeeper.access": {"handlers": ["access"], "propagate": False}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
# The access log (watchkeeper.web.access_log): a line per request that reaches Django, and a summary of the status
# page's snapshot hits every ACCESS_LOG_SNAPSHOT_SECONDS, so the page everyone refreshes stays at full speed.
ACCESS_LOG = os.environ.get("ACCESS_LOG", "1").lower() not in {"0", "false", "no", "off"}
ACCESS_LOG_SNAPSHOT_SECONDS = float(os.environ.get("ACCESS_LOG_SNAPSHOT_SECONDS", "60"))

# Optional single sign-on with OpenID Connect: on when OIDC_RP_CLIENT_ID is set.
OIDC_ENABLED = bool(os.environ.get("OIDC_RP_CLIENT_ID"))
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username or address is refused before any password is checked.
    "watchkeeper.accounts.throttle.SignInThrottle",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("SIGN_IN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SIGN_IN_LOCKOUT_MINUTES", "15")))
# Either one locks: a username tried from many addresses, or many usernames tried from one address.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "watchkeeper.client_address.client_address"
AXES_LOCKOUT_CALLABLE = "watchkeeper.accounts.throttle.locked_out"
AXES_VERBOSE = False
if OIDC_ENABLED:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.insert(1, "watchkeeper.accounts.oidc.WatchkeeperOIDCBackend")
    OIDC_RP_CLIENT_ID = os.environ["OIDC_RP_CLIENT_ID"]
    OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
    OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
    OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ["OIDC_OP_AUTHORIZATION_ENDPOINT"]
    OIDC_OP_TOKEN_ENDPOINT = os.environ["OIDC_OP_TOKEN_ENDPOINT"]
    OIDC_OP_USER_ENDPOINT = os.environ["OIDC_OP_USER_ENDPOINT"]
    OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
    LOGIN_REDIRECT_URL_FAILURE = "/sign-in"
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")
OIDC_DEFAULT_GROUP = os.environ.get("OIDC_DEFAULT_GROUP", "viewer")

# Site defaults for office calendars; each service may override them.
DEFAULT_DIVISION = os.environ.get("WATCHKEEPER_DEFAULT_DIVISION", "england-and-wales")
DEFAULT_TIMEZONE = os.environ.get("WATCHKEEPER_DEFAULT_TIMEZONE", "Europe/London")

# --- Insights (owned by the insights app) --------------------------------------------------------------------------
# A scrape token for GET /metrics, so Prometheus needs no admin account; an admin's API token works as well.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

# --- Notifications (owned by the notifications app) -------------------------------------------------------------
# EMAIL_URL is smtp://user:pass@host:port (smtps:// for implicit TLS, ?tls=1 for STARTTLS); unset keeps the default.
if _email_url := os.environ.get("EMAIL_URL"):
    from urllib.parse import parse_qs, unquote, urlsplit

    _email = urlsplit(_email_url)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 25)
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_USE_TLS = parse_qs(_email.query).get("tls", ["0"])[0].lower() in {"1", "true", "yes"}
else:
    # Without a mail server, email is printed where `watchkeeper serve` runs rather than failing and retrying.
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "watchkeeper@localhost")
SLACK_API_URL = os.environ.get("SLACK_API_URL", "https://slack.com/api/")
SLACK_BOT_TOKEN = os.environ.get("SLACK_BOT_TOKEN", "")
NOTIFY_API_KEY = os.environ.get("NOTIFY_API_KEY", "")
NOTIFY_BASE_URL = os.environ.get("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
# A separate key lets SECRET_KEY rotate without losing stored channel secrets; else one is derived from SECRET_KEY.
WATCHKEEPER_ENCRYPTION_KEY = os.environ.get("WATCHKEEPER_ENCRYPTION_KEY", "")
NOTIFICATIONS = {
    "REMINDER_LEAD_MINUTES": int(os.environ.get("WATCHKEEPER_REMINDER_LEAD_MINUTES", "10")),
    "ESCALATE_AFTER_MINUTES": int(os.environ.get("WATCHKEEPER_ESCALATE_AFTER_MINUTES", "15")),
    "MAX_ATTEMPTS": int(os.environ.get("WATCHKEEPER_DELIVERY_MAX_ATTEMPTS", "6")),
    "BACKOFF_SECONDS": float(os.environ.get("WATCHKEEPER_DELIVERY_BACKOFF_SECONDS", "2")),
    "BACKOFF_MAX_SECONDS": float(os.environ.get("WATCHKEEPER_DELIVERY_BACKOFF_MAX_SECONDS", "600")),
    "SEND_TIMEOUT_SECONDS": float(os.environ.get("WATCHKEEPER_DELIVERY_TIMEOUT_SECONDS", "10")),
    # Longer than the send timeout: a claim older than this belongs to a worker that died mid-delivery.
    "LEASE_SECONDS": float(os.environ.get("WATCHKEEPER_DELIVERY_LEASE_SECONDS", "60")),
    # Deliveries each worker sends at once, one thread each: they mostly wait on the receiver.
    "CONCURRENCY": int(os.environ.get("WATCHKEEPER_DELIVERY_CONCURRENCY", "16")),
}
# Webhook, Slack webhook and Teams channels call only public https addresses unless this is on (internal receivers).
WATCHKEEPER_ALLOW_PRIVATE_ENDPOINTS = env_bool("WATCHKEEPER_ALLOW_PRIVATE_ENDPOINTS")
# A CA bundle for receivers whose certificates a private CA signs; empty uses the public roots (certifi).
WATCHKEEPER_CA_BUNDLE = os.environ.get("WATCHKEEPER_CA_BUNDLE", "")
# --- end notifications ------------------------------------------------------------------------------------------

# --- Slack app -----------------------------------------------------------------------------------------------------
SLACK_SIGNING_SECRET = os.environ.get("SLACK_SIGNING_SECRET", "")
SLACK_APP_TOKEN = os.environ.get("SLACK_APP_TOKEN", "")
SLACK_COMMAND = os.environ.get("SLACK_COMMAND", "/incident")
SLACK_PIN_REACTION = os.environ.get("SLACK_PIN_REACTION", "pushpin")

# --- Public status page --------------------------------------------------------------------------------------------
STATUSPAGE_NAME = os.environ.get("STATUSPAGE_NAME", f"{SERVICE_NAME} status")
STATUSPAGE_LOGO_TEXT = os.environ.get("STATUSPAGE_LOGO_TEXT", SERVICE_NAME)
STATUSPAGE_SUPPORT_URL = os.environ.get("STATUSPAGE_SUPPORT_URL", "")
STATUSPAGE_URL = os.environ.get("STATUSPAGE_URL", f"{SITE_URL}/status/")
STATUSPAGE_SNAPSHOT_DIR = Path(os.environ.get("STATUSPAGE_SNAPSHOT_DIR", VAR_DIR / "statuspage"))
STATUSPAGE_CACHE_SECONDS = int(os.environ.get("STATUSPAGE_CACHE_SECONDS", "15"))
# The built-in server asks the disk whether a snapshot file changed at most this often (seconds, per file).
STATUSPAGE_RECHECK_SECONDS = float(os.environ.get("STATUSPAGE_RECHECK_SECONDS", "0.25"))
STATUSPAGE_MAINTENANCE_REMINDER_MINUTES = int(os.environ.get("STATUSPAGE_MAINTENANCE_REMINDER_MINUTES", "60"))
STATUSPAGE_SIGNUPS_PER_IP_PER_HOUR = int(os.environ.get("STATUSPAGE_SIGNUPS_PER_IP_PER_HOUR", "20"))
STATUSPAGE_SIGNUPS_PER_ADDRESS_PER_HOUR = int(os.environ.get("STATUSPAGE_SIGNUPS_PER_ADDRESS_PER_HOUR", "3"))
# Text message sign-ups only to these country codes (comma-separated; empty allows every country).
STATUSPAGE_SMS_COUNTRY_CODES = env_list("STATUSPAGE_SMS_COUNTRY_CODES", "+44")
STATUSPAGE_CONFIRM_HOURS = int(os.environ.get("STATUSPAGE_CONFIRM_HOURS", "48"))
STATUSPAGE_FROM_EMAIL = os.environ.get("STATUSPAGE_FROM_EMAIL", DEFAULT_FROM_EMAIL)
STATUSPAGE_TIME_ZONE = os.environ.get("STATUSPAGE_TIME_ZONE", TIME_ZONE)
# Each web process checks the database's snapshot version this often and fetches a new one; 0 turns it off.
STATUSPAGE_SYNC_SECONDS = float(os.environ.get("STATUSPAGE_SYNC_SECONDS", "1"))
# Optional: every new snapshot version is also copied to S3-compatible storage (path-style URL), for a CDN.
STATUSPAGE_S3_URL = os.environ.get("STATUSPAGE_S3_URL", "")
STATUSPAGE_S3_REGION = os.environ.get("STATUSPAGE_S3_REGION", "us-east-1")
STATUSPAGE_S3_ACCESS_KEY_ID = os.environ.get("STATUSPAGE_S3_ACCESS_KEY_ID", "")
STATUSPAGE_S3_SECRET_ACCESS_KEY = os.environ.get("STATUSPAGE_S3_SECRET_ACCESS_KEY", "")

# --- Riding out a database outage ----------------------------------------------------------------------------------
# What a 503 tells clients (and load balancers) to wait before trying again while the database is unreachable.
WATCHKEEPER_RETRY_AFTER_SECONDS = int(os.environ.get("WATCHKEEPER_RETRY_AFTER_SECONDS", "5"))
# A worker without the database this long exits non-zero, so its supervisor restarts it (and someone notices).
WATCHKEEPER_WORKER_DB_GRACE_SECONDS = float(os.environ.get("WATCHKEEPER_WORKER_DB_GRACE_SECONDS", "300"))

# --- Post-incident reviews -----------------------------------------------------------------------------------------
WATCHKEEPER_REVIEW_WITHIN_BUSINESS_DAYS = int(os.environ.get("WATCHKEEPER_REVIEW_WITHIN_BUSINESS_DAYS", "5"))
WATCHKEEPER_REVIEW_TIME = os.environ.get("WATCHKEEPER_REVIEW_TIME", "10:00")

# --- Alerts in ------------------------------------------------------------------------------------------------------
# Requests a minute one integration key may send before 429 with Retry-After (PagerDuty allows 120 events a minute).
ALERTS_RATE_LIMIT_PER_MINUTE = int(os.environ.get("ALERTS_RATE_LIMIT_PER_MINUTE", "600"))
# More new groups than this in a minute on one integration is a storm: one page says so instead of a page each.
ALERTS_STORM_GROUPS_PER_MINUTE = int(os.environ.get("ALERTS_STORM_GROUPS_PER_MINUTE", "10"))
ALERTS_KEY_OVERLAP_HOURS = int(os.environ.get("ALERTS_KEY_OVERLAP_HOURS", "24"))
ALERTS_HEARTBEAT_GRACE_SECONDS = int(os.environ.get("ALERTS_HEARTBEAT_GRACE_SECONDS", "30"))
# SNS certificates must come from sns.<region>.amazonaws.com over https; tests name a local host:port instead.
ALERTS_SNS_TEST_HOST = os.environ.get("ALERTS_SNS_TEST_HOST", "")
# --- On call (owned by the oncall app) ------------------------------------------------------------------------------
ONCALL = {
    # GOV.UK Notify templates for pages: each needs a ((body)) placeholder (and ((headline)) for the email subject).
    "NOTIFY_SMS_TEMPLATE_ID": os.environ.get("WATCHKEEPER_ONCALL_SMS_TEMPLATE_ID", ""),
    # The voice-call provider: a dotted path to a Transport class, and its HTTP endpoint and key.
    "VOICE_PROVIDER": os.environ.get("WATCHKEEPER_VOICE_PROVIDER", "watchkeeper.oncall.voice.HttpVoiceTransport"),
    "VOICE_URL": os.environ.get("WATCHKEEPER_VOICE_URL", ""),
    "VOICE_API_KEY": os.environ.get("WATCHKEEPER_VOICE_API_KEY", ""),
    # An escalation timer fires again this long after its step is due, in case the worker running it died.
    "TIMER_GRACE_SECONDS": int(os.environ.get("WATCHKEEPER_ONCALL_TIMER_GRACE_SECONDS", "60")),
    # How long a signed acknowledgement link in an email stays valid.
    "ACK_LINK_HOURS": int(os.environ.get("WATCHKEEPER_ONCALL_ACK_LINK_HOURS", "24")),
    # The bearer token set on GOV.UK Notify's inbound SMS callback (/oncall/notify/inbound-sms); unset refuses all.
    "NOTIFY_INBOUND_TOKEN": os.environ.get("WATCHKEEPER_NOTIFY_INBOUND_TOKEN", ""),
    # Incidents that are security incidents or breaches also page this policy (the "GDS Rotas app" route).
    "SECURITY_POLICY": os.environ.get("WATCHKEEPER_ONCALL_SECURITY_POLICY", "security"),
}
# --- end on call ----------------------------------------------------------------------------------------------------

# Django warns (fields.W161) about a fixed default on a TimeField only when the check runs within seconds of that
# time of day: the office hours' 09:30 and 17:30 defaults are meant to be fixed, so `check --deploy` stays clean
# whatever the hour.
SILENCED_SYSTEM_CHECKS = ["fields.W161"]
