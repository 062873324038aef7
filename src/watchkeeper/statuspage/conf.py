"""The status page's settings, each with a default until the lead adds them to settings.py."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def name() -> str:
    return str(getattr(settings, "STATUSPAGE_NAME", f"{settings.SERVICE_NAME} status"))


def logo_text() -> str:
    return str(getattr(settings, "STATUSPAGE_LOGO_TEXT", settings.SERVICE_NAME))


def support_url() -> str:
    return str(getattr(settings, "STATUSPAGE_SUPPORT_URL", ""))


def site_url() -> str:
    """Where the public reaches the page: links in feeds, JSON and emails must be absolute."""
    return str(getattr(settings, "STATUSPAGE_URL", f"{settings.SITE_URL}/status/")).rstrip("/") + "/"


def snapshot_dir() -> Path:
    return Path(getattr(settings, "STATUSPAGE_SNAPSHOT_DIR", Path(settings.VAR_DIR) / "statuspage"))


def cache_seconds() -> int:
    return int(getattr(settings, "STATUSPAGE_CACHE_SECONDS", 15))


def recheck_seconds() -> float:
    """How long the built-in server trusts its in-memory copy of a snapshot file before asking the disk again."""
    return float(getattr(settings, "STATUSPAGE_RECHECK_SECONDS", 0.25))


def reminder_minutes() -> int:
    return int(getattr(settings, "STATUSPAGE_MAINTENANCE_REMINDER_MINUTES", 60))


def signup_limit_per_ip() -> int:
    return int(getattr(settings, "STATUSPAGE_SIGNUPS_PER_IP_PER_HOUR", 20))


def signup_limit_per_address() -> int:
    return int(getattr(settings, "STATUSPAGE_SIGNUPS_PER_ADDRESS_PER_HOUR", 3))


def confirm_max_age() -> int:
    """Seconds a confirmation link works for."""
    return int(getattr(settings, "STATUSPAGE_CONFIRM_HOURS", 48)) * 3600


def from_email() -> str:
    return str(getattr(settings, "STATUSPAGE_FROM_EMAIL", settings.DEFAULT_FROM_EMAIL))


def time_zone() -> str:
    return str(getattr(settings, "STATUSPAGE_TIME_ZONE", settings.TIME_ZONE))


def batch_size(medium: str) -> int:
    """Deliveries per task: emails share one SMTP connection; webhooks and Notify calls are spread over workers."""
    default = 25 if medium in {"webhook", "sms"} else 200
    return int(getattr(settings, f"STATUSPAGE_{medium.upper()}_BATCH", default))


def stale_seconds() -> int:
    """How long a claimed delivery may stay unsent before the sweep decides its worker died."""
    return int(getattr(settings, "STATUSPAGE_STALE_SECONDS", 600))


def webhook_allow_private() -> bool:
    """Lets webhooks go to plain http and private addresses: for local tests and the benchmark only."""
    return bool(getattr(settings, "STATUSPAGE_WEBHOOK_ALLOW_PRIVATE", False))


def sms_template_id() -> str:
    """The GOV.UK Notify text message template; its body should be just ((message))."""
    return str(getattr(settings, "STATUSPAGE_NOTIFY_SMS_TEMPLATE_ID", ""))


def sms_code_minutes() -> int:
    """Minutes a text message confirmation code works for."""
    return int(getattr(settings, "STATUSPAGE_SMS_CODE_MINUTES", 15))


def sms_country_codes() -> list[str]:
    """Country calling codes text message sign-ups may use, like +44; an empty list allows every country."""
    codes = getattr(settings, "STATUSPAGE_SMS_COUNTRY_CODES", ["+44"])
    return [code if code.startswith("+") else f"+{code}" for code in codes]


def s3_url() -> str:
    """Object storage for the snapshot (see s3.py); empty when the snapshot is served from the web nodes only."""
    return str(getattr(settings, "STATUSPAGE_S3_URL", "")).rstrip("/")
