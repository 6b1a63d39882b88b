"""`flask accounts ...`: create the first administrator and check the audit chain."""
import click
from flask.cli import AppGroup

from app.accounts import queries as account_queries
from app.accounts import services as account_services
from app.accounts.audit import verify_audit_chain
from app.errors import DomainError
from app.security import Role

accounts_cli = AppGroup("accounts", help="Staff accounts.")


@accounts_cli.command("create-admin")
@click.option("--email", prompt=True, help="The administrator's email (their login).")
@click.option("--name", prompt=True, help="The administrator's name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="At least 10 characters. Prompted for when omitted.")
def create_admin(email: str, name: str, password: str) -> None:
    """Create an administrator account (the first one, or another)."""
    try:
        user = account_services.create_user(None, email=email, name=name, role=Role.ADMIN, password=password)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    click.echo(f"Created administrator {user.email} (id {user.id}).")


@accounts_cli.command("verify-audit")
def verify_audit() -> None:
    """Check the audit log's hash chain."""
    checked, broken = verify_audit_chain()
    if broken is not None:
        raise click.ClickException(f"Audit chain broken at event {broken} after {checked} good events.")
    click.echo(f"Audit chain intact: {checked} events.")


@accounts_cli.command("list")
def list_accounts() -> None:
    """List staff accounts."""
    for user in account_queries.list_users(per_page=1000).items:
        state = "active" if user.is_active else "inactive"
        click.echo(f"{user.id}\t{user.email}\t{user.role}\t{state}")
