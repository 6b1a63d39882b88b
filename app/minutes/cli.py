"""`flask minutes verify`: recompute every version's SHA-256 and check the chain of corrections."""
import click
from flask.cli import AppGroup

minutes_cli = AppGroup("minutes", help="Minutes.")


@minutes_cli.command("verify")
def verify() -> None:
    """Check every meeting's minutes: canonical content, SHA-256, the meeting and number each hashed text
    names, prev_hash links, and versions left without their minutes. Exits 1 if anything is broken."""
    from app.minutes.queries import verify_chains

    reports = verify_chains()
    checked = broken = orphaned = 0
    for report in reports:
        if report.meeting_id is None:
            orphaned = report.versions
            label = "orphaned versions"
        else:
            checked += 1
            broken += not report.ok
            label = f"meeting {report.meeting_id}"
        if report.ok:
            click.echo(f"{label}: OK ({report.versions} versions)")
        for problem in report.problems:
            click.echo(f"{label}: BROKEN: {problem}")
    click.echo(f"{checked} minutes checked, {broken} broken, {orphaned} orphaned versions.")
    if broken or orphaned:
        raise SystemExit(1)
