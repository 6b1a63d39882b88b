"""Configuration classes; every value comes from the environment."""
from __future__ import annotations

import os
import re
from datetime import date


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return float(value)


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return int(value)


def env_optional_int(name: str) -> int | None:
    """An integer when the variable is set, None when it is unset or empty (the caller's own default)."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return int(value)


def env_dates(name: str) -> tuple[str, ...]:
    """ISO dates (YYYY-MM-DD) separated by commas or whitespace, sorted and without duplicates.
    Raises ValueError naming the variable and the bad entry, so a typo stops the app at start."""
    dates = set()
    for entry in re.split(r"[\s,;]+", os.environ.get(name) or ""):
        if not entry:
            continue
        try:
            dates.add(date.fromisoformat(entry).isoformat())
        except ValueError:
            raise ValueError(f"{name}: {entry!r} is not an ISO date (YYYY-MM-DD)") from None
    return tuple(sorted(dates))


def _normalise_db_url(url: str | None) -> str | None:
    """Accept postgres:// and postgresql:// and use the psycopg 3 driver for both."""
    if not url:
        return url
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _host_list(value: str | None) -> list[str] | None:
    hosts = [h.strip() for h in (value or "").split(",") if h.strip()]
    return hosts or None


class BaseConfig:
    SECRET_KEY = env_str("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = _normalise_db_url(env_str("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLALCHEMY_RECORD_QUERIES = False

    DEFAULT_TIMEZONE = env_str("DEFAULT_TIMEZONE", "Asia/Shanghai")
    LANGUAGES = ["zh_CN", "en"]
    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_TRANSLATION_DIRECTORIES = "translations"
    PER_PAGE = env_int("PER_PAGE", 20)
    # Rendered public pages for visitors without cookies (app/site/cache.py): kept at most this many
    # seconds (writes through the app invalidate them at once); 0 turns the cache off.
    PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 30)
    PUBLIC_CACHE_MAX_BYTES = env_int("PUBLIC_CACHE_MAX_BYTES", 64 * 1024 * 1024)  # per app process
    # How often a process re-reads the version of the public data (its own writes it sees at once).
    PUBLIC_CACHE_VERSION_SECONDS = env_float("PUBLIC_CACHE_VERSION_SECONDS", 1.0)
    RULES_PROFILE = env_str("RULES_PROFILE", "cn")
    SITE_NAME = env_str("SITE_NAME", None)
    # The address citizens use; absolute links in emails, tickets and feeds start with it.
    PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:5000")

    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    # Flask-Login sets no SameSite on its remember cookie unless told to.
    REMEMBER_COOKIE_SAMESITE = "Lax"

    REDIS_URL = env_str("REDIS_URL")
    RATELIMIT_STORAGE_URI = env_str("RATELIMIT_STORAGE_URI", REDIS_URL or "memory://")
    # Redis down: each process counts the limits in its own memory (and logs a warning) until Redis answers
    # again; Flask-Limiter checks it again after 1, 2, 4... up to 32 seconds.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Seconds to wait for Redis: a Redis that accepts connections but never answers must not hang requests.
    REDIS_TIMEOUT = env_float("REDIS_TIMEOUT", 1.0)
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT}
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_KEY_PREFIX = env_str("RATELIMIT_KEY_PREFIX", "townhall")
    # Sign-in attempts, right or wrong: per client address, and per account (the email typed, whether or not
    # an account has it), so that guesses spread over many addresses are slowed as well (app/accounts/views.py).
    LOGIN_RATE_LIMIT = env_str("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    LOGIN_ACCOUNT_RATE_LIMIT = env_str("LOGIN_ACCOUNT_RATE_LIMIT", "5 per minute;20 per hour")
    PUBLIC_WRITE_RATE_LIMIT = env_str("PUBLIC_WRITE_RATE_LIMIT", "20 per minute;200 per hour")
    CHECK_IN_RATE_LIMIT = env_str("CHECK_IN_RATE_LIMIT", "120 per minute")
    # Pages behind a private link (app/limits.py), and the ticket PDF built on each request.
    PRIVATE_LINK_RATE_LIMIT = env_str("PRIVATE_LINK_RATE_LIMIT", "60 per minute;600 per hour")
    TICKET_RATE_LIMIT = env_str("TICKET_RATE_LIMIT", "20 per minute;200 per hour")
    # Unset: asking and voting follow PUBLIC_WRITE_RATE_LIMIT.
    QUESTION_ASK_RATE_LIMIT = env_str("QUESTION_ASK_RATE_LIMIT")
    QUESTION_VOTE_RATE_LIMIT = env_str("QUESTION_VOTE_RATE_LIMIT")
    QUESTION_SIMILAR_RATE_LIMIT = env_str("QUESTION_SIMILAR_RATE_LIMIT", "120 per minute;2000 per hour")
    QUESTION_PROJECTOR_REFRESH_SECONDS = env_int("QUESTION_PROJECTOR_REFRESH_SECONDS", 10)
    # Deadlines. Unset, each meeting follows the rules profile it was published under (cn and us-ca:
    # questions 15 days after the meeting, minutes 20 working days).
    QUESTION_DEADLINE_DAYS = env_optional_int("QUESTION_DEADLINE_DAYS")
    MINUTES_DEADLINE_WORKING_DAYS = env_optional_int("MINUTES_DEADLINE_WORKING_DAYS")
    # The working-day calendar of the minutes deadline: public holidays on weekdays, and the weekend
    # days that are working days (China's 调休 make-up days). ISO dates.
    HOLIDAYS = env_dates("HOLIDAYS")
    EXTRA_WORKING_DAYS = env_dates("EXTRA_WORKING_DAYS")
    # Number of proxies in front of the app whose X-Forwarded-For can be trusted.
    PROXY_COUNT = env_int("PROXY_COUNT", 0)
    # Requests whose Host header is not listed get a 400 (Flask checks TRUSTED_HOSTS); unset allows any.
    TRUSTED_HOSTS = _host_list(env_str("TRUSTED_HOSTS"))

    # Email (app/notify). MAIL_BACKEND: "console" prints messages instead of sending, "smtp" sends.
    MAIL_BACKEND = env_str("MAIL_BACKEND", "console")
    MAIL_SERVER = env_str("MAIL_SERVER", "localhost")
    MAIL_PORT = env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS")  # STARTTLS, usually port 587
    MAIL_USE_SSL = env_bool("MAIL_USE_SSL")  # TLS from the start, usually port 465
    MAIL_USERNAME = env_str("MAIL_USERNAME")
    MAIL_PASSWORD = env_str("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = env_str("MAIL_DEFAULT_SENDER", "Townhall <noreply@townhall.localhost>")
    MAIL_TIMEOUT = env_int("MAIL_TIMEOUT", 10)  # seconds per SMTP operation
    MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 12)
    MAIL_MESSAGE_ID_DOMAIN = env_str("MAIL_MESSAGE_ID_DOMAIN")  # default: the sender's domain
    # `flask notify due` reminds confirmed registrants this many hours before a meeting starts.
    REMINDER_HOURS_BEFORE = env_int("REMINDER_HOURS_BEFORE", 24)

    # PDFs embed a TrueType CJK font; unset, common system fonts are searched (app/reports/pdf/fonts.py).
    PDF_CJK_FONT_PATH = env_str("PDF_CJK_FONT_PATH")
    PDF_CJK_FONT_INDEX = env_int("PDF_CJK_FONT_INDEX", 0)  # face number inside a .ttc collection
    PDF_CJK_BOLD_FONT_PATH = env_str("PDF_CJK_BOLD_FONT_PATH")  # unset: bold is simulated

    # `flask backup` / `flask restore` on PostgreSQL; unset, pg_dump and pg_restore are looked up on PATH.
    PG_DUMP = env_str("PG_DUMP")
    PG_RESTORE = env_str("PG_RESTORE")

    REQUIRED_KEYS: tuple[str, ...] = ()


class DevelopmentConfig(BaseConfig):
    DEBUG = False


class TestingConfig(BaseConfig):
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = _normalise_db_url(env_str("TEST_DATABASE_URL")) or "sqlite://"
    SQLALCHEMY_RECORD_QUERIES = True
    PUBLIC_CACHE_SECONDS = 0  # tests that need the page cache turn it on
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    MAIL_BACKEND = "console"
    MAIL_SERVER = "127.0.0.1"
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "Townhall <noreply@townhall.test>"
    MAIL_TIMEOUT = 5
    MAIL_MAX_ATTEMPTS = 12
    MAIL_MESSAGE_ID_DOMAIN = None
    # Deadlines follow the rules profiles, whatever the developer's environment says.
    QUESTION_DEADLINE_DAYS = None
    MINUTES_DEADLINE_WORKING_DAYS = None
    HOLIDAYS: tuple[str, ...] = ()
    EXTRA_WORKING_DAYS: tuple[str, ...] = ()


class ProductionConfig(BaseConfig):
    SECRET_KEY = env_str("SECRET_KEY")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    MAIL_BACKEND = env_str("MAIL_BACKEND", "smtp")
    # No made-up default in production: `flask outbox send` refuses to run until it is set.
    MAIL_DEFAULT_SENDER = env_str("MAIL_DEFAULT_SENDER")
    REQUIRED_KEYS = ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
