"""`flask demo load`: realistic demo data, loaded once (idempotent)."""
import click
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
def load() -> None:
    """Load the demo data (staff, districts, departments, meetings). Safe to run again."""
    from app.demo.data import load_demo

    summary = load_demo(echo=click.echo)
    click.echo(summary)
