"""`flask minutes verify`: recompute every version's SHA-256 and check the chain of corrections."""
import click
from flask.cli import AppGroup

minutes_cli = AppGroup("minutes", help="Minutes.")


@minutes_cli.command("verify")
def verify() -> None:
    """Check every meeting's minutes: canonical content, SHA-256 and prev_hash links. Exits 1 if broken."""
    from app.minutes.queries import verify_chains

    reports = verify_chains()
    broken = 0
    for report in reports:
        if report.ok:
            click.echo(f"meeting {report.meeting_id}: OK ({report.versions} versions)")
        else:
            broken += 1
            for problem in report.problems:
                click.echo(f"meeting {report.meeting_id}: BROKEN: {problem}")
    click.echo(f"{len(reports)} minutes checked, {broken} broken.")
    if broken:
        raise SystemExit(1)
