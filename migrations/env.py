"""Alembic environment for Flask-Migrate: migrates the database of the current Flask app."""
import importlib
import importlib.util
import logging
import pkgutil
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context
from flask import current_app

config = context.config
if config.config_file_name and config.attributes.get("configure_logger", True):
    # Tests set configure_logger=False to keep pytest's logging; the app's own loggers stay enabled either way.
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate_ext = current_app.extensions["migrate"]


def import_all_models() -> None:
    """Import every `app.<domain>.models` so autogenerate sees each table, whether or not a blueprint uses it yet."""
    import app

    for module in pkgutil.iter_modules(app.__path__, prefix="app."):
        if module.ispkg and importlib.util.find_spec(f"{module.name}.models") is not None:
            importlib.import_module(f"{module.name}.models")


def render_item(type_, obj, autogen_context):
    """Write app-defined column types (UTCDateTime) as the plain SQLAlchemy type they store,
    so that migration scripts never import app code that may change later."""
    if type_ == "type" and isinstance(obj, sa.types.TypeDecorator):
        impl = obj.impl_instance
        if type(impl).__module__ == "sqlalchemy.sql.sqltypes":
            return f"sa.{impl!r}"
    return False


def skip_empty_autogenerate(context_, revision, directives) -> None:
    """`flask db migrate` with no model changes writes no empty revision."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def configure_args() -> dict:
    args = dict(migrate_ext.configure_args)  # render_as_batch, compare_type from app/extensions.py
    args.setdefault("process_revision_directives", skip_empty_autogenerate)
    args.setdefault("render_item", render_item)
    return args


import_all_models()
target_metadata = migrate_ext.db.metadata


def run_migrations_offline() -> None:
    """`flask db upgrade --sql`: print the SQL instead of running it."""
    url = migrate_ext.db.engine.url.render_as_string(hide_password=False)
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True, **configure_args())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with migrate_ext.db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, **configure_args())
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
