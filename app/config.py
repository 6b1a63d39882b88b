"""Configuration classes; every value comes from the environment."""
from __future__ import annotations

import os


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return int(value)


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
    RULES_PROFILE = env_str("RULES_PROFILE", "cn")
    SITE_NAME = env_str("SITE_NAME", None)
    # The address citizens use; absolute links in emails, tickets and feeds start with it.
    PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:5000")

    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True

    REDIS_URL = env_str("REDIS_URL")
    RATELIMIT_STORAGE_URI = env_str("RATELIMIT_STORAGE_URI", REDIS_URL or "memory://")
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_KEY_PREFIX = env_str("RATELIMIT_KEY_PREFIX", "townhall")
    LOGIN_RATE_LIMIT = env_str("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    PUBLIC_WRITE_RATE_LIMIT = env_str("PUBLIC_WRITE_RATE_LIMIT", "20 per minute;200 per hour")
    CHECK_IN_RATE_LIMIT = env_str("CHECK_IN_RATE_LIMIT", "120 per minute")
    # Unset: asking and voting follow PUBLIC_WRITE_RATE_LIMIT.
    QUESTION_ASK_RATE_LIMIT = env_str("QUESTION_ASK_RATE_LIMIT")
    QUESTION_VOTE_RATE_LIMIT = env_str("QUESTION_VOTE_RATE_LIMIT")
    QUESTION_SIMILAR_RATE_LIMIT = env_str("QUESTION_SIMILAR_RATE_LIMIT", "120 per minute;2000 per hour")
    QUESTION_PROJECTOR_REFRESH_SECONDS = env_int("QUESTION_PROJECTOR_REFRESH_SECONDS", 10)
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
