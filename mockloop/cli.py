"""The `mockloop` command: Flask's commands (db, routes, shell) plus serve, user and prompts."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from mockloop import create_app
from mockloop.db import db


class Commands(FlaskGroup):
    """Flask's command group, except that mockloop's own commands are found before Flask's plugin
    commands are imported: Flask-Migrate's `db` brings in Alembic, which `mockloop scheduler` has no
    use for, and overdue rounds wait for the scheduler's start after a restart."""

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return click.Group.get_command(self, ctx, name) or super().get_command(ctx, name)


@click.group(cls=Commands, create_app=create_app, add_version_option=True, load_dotenv=False, set_debug_flag=False)
def main():
    """mockloop: timed mock-interview practice."""


@main.command()
@click.option("--host", default=None, help="Address to listen on (default: config HOST, 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default: config PORT, 5000).")
@click.option("--workers", default=1, show_default=True, help="Web worker processes.")
@click.option("--threads", default=4, show_default=True, help="Threads per web worker.")
@with_appcontext
def serve(host, port, workers, threads):
    """Serve the app with gunicorn (production server)."""
    from mockloop.serve import run

    config = current_app.config
    run(host or config["HOST"], port or config["PORT"], workers, threads)


@main.command(with_appcontext=False)  # its own slim app, not the full one Flask's CLI would build
@click.option("--parent-pid", type=int, default=None, hidden=True)
def scheduler(parent_pid):
    """Run the deadline scheduler (exactly one per deployment; `serve` starts it for you)."""
    if parent_pid is not None:
        # Before anything slow (imports, the app, the reconcile): an orphan stops at once, even
        # mid-start or mid-job. All it does is idempotent and caught up by the next start's reconcile;
        # waiting for its start and jobs left it running past a kill of serve on a busy machine.
        import signal

        from mockloop.process import die_with_parent

        die_with_parent(signal.SIGKILL, parent_pid)
    from mockloop.scheduler import run_forever

    run_forever(create_app(web=False), parent_pid)


@main.group()
def user():
    """Manage accounts."""


@user.command("create")
@click.option("--email", prompt=True)
@click.option("--name", "display_name", prompt="Display name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def user_create(email, display_name, password):
    """Create an account (works while sign-up is closed)."""
    from mockloop.core.errors import Conflict
    from mockloop.services.users import create_user
    from mockloop.web.account_forms import MIN_PASSWORD

    if len(password) < MIN_PASSWORD:
        raise click.ClickException(f"The password needs at least {MIN_PASSWORD} characters.")
    try:
        created = create_user(email, display_name, password)
        db.session.commit()
    except Conflict as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {created.email}.")


@main.group()
def prompts():
    """Lint and scaffold prompt files."""


def _config() -> dict:
    # The lint must report a broken loop file instead of failing to build the app, so it reads
    # the configuration without loading content.
    from mockloop.config import instance_path, load_config

    app = Flask("mockloop", instance_relative_config=True, instance_path=instance_path())
    load_config(app)
    return app.config


@prompts.command("check")
def prompts_check():
    """Validate the loop file and every prompt (shipped and user bank); exit 1 on any problem."""
    from mockloop import prompt_check
    from mockloop.content import load_content
    from mockloop.core.loop import DefinitionError

    config = _config()
    try:
        content = load_content(config)
    except DefinitionError as exc:
        click.echo(f"loop: {exc}", err=True)
        sys.exit(1)
    catalog = content.catalog
    for problem in catalog.problems:
        click.echo(str(problem), err=True)
    for stage in content.loop.stages:
        click.echo(f"{stage.slug:<18} {len(catalog.for_stage(stage.slug)):>3} prompts")
    # Every test proven passable: each reference solution runs against all of its prompt's tests.
    proven, failures = 0, []
    for prompt in catalog.prompts.values():
        passed, failed = prompt_check.check(prompt)
        proven, failures = proven + passed, failures + failed
    for failure in failures:
        click.echo(str(failure), err=True)
    problems = len(catalog.problems) + len(failures)
    click.echo(
        f"{len(catalog.prompts)} prompts, {problems} problems; {proven} tests proven by their reference solutions"
    )
    sys.exit(1 if problems else 0)


@prompts.command("new")
@click.argument("stage")
@click.argument("slug")
def prompts_new(stage, slug):
    """Scaffold instance/prompts/STAGE/SLUG.md, a valid prompt to fill in."""
    from mockloop.core.catalog import scaffold
    from mockloop.core.loop import SLUG_RE, load_loop

    config = _config()
    loop = load_loop(Path(config["LOOP_FILE"]))
    found = loop.stage(stage)
    if found is None:
        raise click.BadParameter(f"expected one of {', '.join(s.slug for s in loop.stages)}", param_hint="STAGE")
    if not SLUG_RE.fullmatch(slug):
        raise click.BadParameter("expected lowercase letters, digits and hyphens", param_hint="SLUG")
    path = Path(config["USER_PROMPTS_DIR"]) / stage / f"{slug}.md"
    if path.exists():
        raise click.ClickException(f"{path} already exists.")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(scaffold(found, slug), encoding="utf-8")
    click.echo(f"Wrote {path}. Fill it in, then run `mockloop prompts check`.")


def _user_or_fail(email: str):
    from mockloop.services.users import find_user

    found = find_user(email)
    if found is None:
        raise click.ClickException(f"No account with the email {email}.")
    return found


@main.command("export")
@click.option("--user", "email", required=True, help="Whose data to export (email).")
@click.option("-o", "--output", type=click.File("w"), default="-", help="File to write (default: stdout).")
@click.option("--audio", is_flag=True, help="Include the user's own audio recordings (base64).")
@with_appcontext
def export_cmd(email, output, audio):
    """Export one user's rounds, events, scratchpads and scorecards as JSON."""
    import json

    from mockloop import clock
    from mockloop.services.exchange import export_user
    from mockloop.web.audio import folder

    json.dump(export_user(_user_or_fail(email), clock.now(), folder() if audio else None), output, indent=1)
    db.session.commit()  # the rounds it found over are locked for good
    output.write("\n")


@main.command("import")
@click.option("--user", "email", required=True, help="The account that receives the data (email).")
@click.argument("file", type=click.File("rb"))
@with_appcontext
def import_cmd(email, file):
    """Import a JSON export; what is already here is skipped, and a bad file changes nothing."""
    from mockloop import clock
    from mockloop.core.errors import Invalid
    from mockloop.core.export_format import decode
    from mockloop.services.exchange import import_user, stories_line
    from mockloop.web.audio import folder

    user_ = _user_or_fail(email)
    try:
        # No size limit here: the operator's own file, read the same way as an upload otherwise.
        added = import_user(user_, decode(file.read(), limit=None), clock.now(), folder())
        db.session.commit()
    except Invalid as exc:
        raise click.ClickException(f"Nothing was imported. {exc}") from exc
    click.echo(
        f"Imported {added['rounds']} rounds and {added['scorecards']} scorecards; skipped "
        f"{added['skipped_rounds']} rounds and {added['skipped_scorecards']} scorecards already here."
        + stories_line(added)
    )


@main.command("seed-demo")
@click.option("--user", "email", required=True, help="The account to fill (email).")
@click.option("--scorecards", default=200, show_default=True, help="How many scored rounds to add.")
@with_appcontext
def seed_demo(email, scorecards):
    """Add a long practice history (finished rounds with self-assessments) to one account."""
    from mockloop import clock
    from mockloop.content import content
    from mockloop.services.demo import seed_history

    made = seed_history(_user_or_fail(email), content().loop, content().catalog, scorecards, clock.now())
    db.session.commit()
    click.echo(f"Added {made} scored rounds.")


@main.group("ai")
def ai_group():
    """AI on your own model (off unless AI_PROVIDER is set)."""


@ai_group.command("calibrate")
@click.option("--limit", default=100, show_default=True, help="At most this many human-scored rounds, newest first.")
@with_appcontext
def ai_calibrate(limit):
    """Run the AI reviewer over human-scored rounds and print its agreement with them per dimension."""
    from mockloop import clock
    from mockloop.content import content
    from mockloop.core.errors import Unavailable
    from mockloop.services.ai import calibration

    found = current_app.extensions.get("ai")
    if found is None:
        raise click.ClickException('AI is off: set AI_PROVIDER and AI_MODEL first (README, "AI").')
    rounds = len(calibration.human_cards(limit))
    click.echo(f"Calibrating {found.model} ({found.provider}) on {rounds} human-scored rounds.")
    try:
        outcome = calibration.run(found, content().catalog, limit, clock.now())
    except Unavailable as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    for uid, why in outcome.failed:
        click.echo(f"not scored: round {uid}: {why}")
    click.echo(f"{'dimension':<40} {'pairs':>5} {'kappa':>6} {'MAE':>5} {'exact':>6} {'adjacent':>8}")
    for name, a in [*outcome.per_dimension, ("all dimensions", outcome.overall)]:
        kappa = f"{a.kappa:.2f}" if a.kappa is not None else "-"
        click.echo(f"{name:<40} {a.pairs:>5} {kappa:>6} {a.mae:>5.2f} {a.exact:>6.0%} {a.adjacent:>8.0%}")
    bar = f"at least {calibration.MIN_ROUNDS} rounds and kappa {calibration.MIN_KAPPA}"
    verdict = "calibrated" if calibration.passed(outcome.stored) else f"not calibrated (it needs {bar})"
    click.echo(f"Stored. AI cards on this instance now say: {verdict}.")
