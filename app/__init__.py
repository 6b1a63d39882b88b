"""The application factory."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from app.config import CONFIGS

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: str | type | None = None, **overrides) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    load_config(app, config, overrides)
    register_client_address(app)
    register_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_page_cache(app)
    register_error_handlers(app)
    register_cli(app)
    register_template_helpers(app)
    register_security_headers(app)
    return app


def load_config(app: Flask, config, overrides: dict) -> None:
    if config is None:
        config = os.environ.get("TOWNHALL_CONFIG", "development")
    config_class = CONFIGS[config] if isinstance(config, str) else config
    app.config.from_object(config_class)
    app.config.update(overrides)
    missing = [key for key in config_class.REQUIRED_KEYS if not app.config.get(key)]
    if missing:
        raise RuntimeError(
            "Refusing to start: set these environment variables: "
            + ", ".join("DATABASE_URL" if k == "SQLALCHEMY_DATABASE_URI" else k for k in missing)
        )
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'townhall.sqlite3'}"
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.setdefault("connect_args", {"timeout": 30})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def register_client_address(app: Flask) -> None:
    from app.net import install_client_address

    install_client_address(app)


def register_logging(app: Flask) -> None:
    from app.logs import install_redaction, show_library_warnings

    install_redaction()
    show_library_warnings()


def register_extensions(app: Flask) -> None:
    from app.extensions import babel, csrf, db, limiter, login_manager, migrate
    from app.i18n import select_locale
    from app.security import load_user, resolve_identity

    db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from app.sqlite import configure_sqlite

        with app.app_context():
            configure_sqlite(db.engine, app.config.get("SQLITE_BUSY_TIMEOUT_MS", 30000))
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)
    app.before_request(resolve_identity)


def register_blueprints(app: Flask) -> None:
    from app.accounts import bp as accounts_bp
    from app.accounts import manage_bp as accounts_manage_bp
    from app.actions import bp as actions_bp
    from app.actions import manage_bp as actions_manage_bp
    from app.calendar import bp as calendar_bp
    from app.dashboard import manage_bp as dashboard_bp
    from app.meetings import bp as meetings_bp
    from app.meetings import manage_bp as meetings_manage_bp
    from app.minutes import bp as minutes_bp
    from app.minutes import manage_bp as minutes_manage_bp
    from app.questions import bp as questions_bp
    from app.questions import manage_bp as questions_manage_bp
    from app.registrations import bp as registrations_bp
    from app.registrations import manage_bp as registrations_manage_bp
    from app.reports import bp as reports_bp
    from app.reports import manage_bp as reports_manage_bp
    from app.site import bp as site_bp

    app.register_blueprint(site_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(meetings_manage_bp, url_prefix="/manage/meetings")
    app.register_blueprint(calendar_bp)
    app.register_blueprint(registrations_bp)
    app.register_blueprint(registrations_manage_bp, url_prefix="/manage/meetings")
    app.register_blueprint(questions_bp)
    app.register_blueprint(questions_manage_bp, url_prefix="/manage")
    app.register_blueprint(minutes_bp)
    app.register_blueprint(minutes_manage_bp, url_prefix="/manage")
    app.register_blueprint(actions_bp)
    app.register_blueprint(actions_manage_bp, url_prefix="/manage")
    app.register_blueprint(accounts_bp)
    app.register_blueprint(accounts_manage_bp, url_prefix="/manage")
    app.register_blueprint(dashboard_bp, url_prefix="/manage")
    app.register_blueprint(reports_bp)
    app.register_blueprint(reports_manage_bp, url_prefix="/manage/meetings")


def register_page_cache(app: Flask) -> None:
    from app.site.cache import register_page_cache as register

    register(app)


def register_error_handlers(app: Flask) -> None:
    from app.errors import register_error_handlers as register

    register(app)


def register_cli(app: Flask) -> None:
    from app.cli import register_commands

    register_commands(app)


def register_template_helpers(app: Flask) -> None:
    from app.i18n import register_template_helpers as register
    from app.templating import register_helpers

    register(app)
    register_helpers(app)


def register_security_headers(app: Flask) -> None:
    csp = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
    )

    from flask import request

    from app.security import is_private_link, is_staff_view

    @app.after_request
    def set_headers(response):
        view = app.view_functions.get(request.endpoint) if request.endpoint else None
        if is_private_link(view):
            # The URL holds the credential: whatever the outcome (page, redirect, error), never store it
            # and never send it on in a Referer.
            response.headers["Cache-Control"] = "no-store"
            response.headers["Referrer-Policy"] = "no-referrer"
            response.headers["X-Robots-Tag"] = "noindex"
        elif is_staff_view(view):
            response.headers["Cache-Control"] = "no-store"  # staff pages show personal data
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response
