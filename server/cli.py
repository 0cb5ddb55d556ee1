"""flask seed-demo, flask wechat-sandbox, flask sessions revoke ... (thin: call a service)."""
from __future__ import annotations

import click
from flask import Flask


def register_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Seed the 2021 season, a demo season open today, Jincheng's tree and demo users."""
        from .services.demo import seed_demo
        result = seed_demo()
        demo = result["demo_season"]
        click.echo(f"赛季 seasons: {', '.join(result['seasons'])}")
        click.echo(f"演示赛季申报时间 submission window: {demo.submit_start} ~ {demo.submit_end}")
        click.echo(f"组织 organisations: {result['organisations']}")
        click.echo("演示账号 demo logins (sandbox js_code → role @ organisation):")
        for code, role, org in result["users"]:
            click.echo(f"  {code:28s} {role:15s} {org}")
        from .services.reminders import replan
        slots = replan(demo)
        click.echo(f"提醒 reminders planned for the demo season: {sum(s.status == 'planned' for s in slots)}")

    @app.cli.command("revoke-sessions")
    @click.argument("openid")
    def revoke_sessions_command(openid: str):
        """Log a user out everywhere (e.g. a lost phone)."""
        from .services.auth import revoke_all, user_by_openid
        user = user_by_openid(openid)
        if user is None:
            raise click.ClickException(f"no user with openid {openid}")
        click.echo(f"revoked {revoke_all(user)} session(s)")

    @app.cli.group("reminders")
    def reminders_group():
        """Reminder plan and delivery status per season."""

    def _season(season_id):
        from .errors import NotFound
        from .services.seasons import get_season
        try:
            return get_season(season_id)
        except NotFound as exc:
            raise click.ClickException(exc.message)

    @reminders_group.command("plan")
    @click.argument("season_id", type=int)
    def reminders_plan(season_id):
        """(Re)plan a season's reminders from its calendar."""
        from .errors import AppError
        from .services.reminders import replan
        try:
            slots = replan(_season(season_id))
        except AppError as exc:              # dates out of order: nothing planned, nothing sent
            raise click.ClickException(exc.message)
        for slot in slots:
            click.echo(f"{slot.key:14s} {slot.send_at:%Y-%m-%d %H:%M} UTC  {slot.status}")

    @reminders_group.command("status")
    @click.argument("season_id", type=int)
    def reminders_status(season_id):
        """Planned, sent, failed and undeliverable reminders of a season."""
        from .services.reminders import status
        report = status(_season(season_id))
        click.echo(f"{report['season']}  {'已暂停 PAUSED' if report['paused'] else '发送中 active'}")
        for slot in report["slots"]:
            click.echo(f"  {slot['key']:14s} {slot['send_at']} (北京时间)  {slot['status']}")
        click.echo("  deliveries: " + (", ".join(f"{k}={v}" for k, v in sorted(report["deliveries"].items())) or "none"))

    @reminders_group.command("pause")
    @click.argument("season_id", type=int)
    def reminders_pause(season_id):
        """Stop sending this season's reminders until resumed."""
        from .services.reminders import set_paused
        set_paused(_season(season_id), True)
        click.echo("paused")

    _register_certificates(app)
    _register_scoring(app, _season)

    @reminders_group.command("resume")
    @click.argument("season_id", type=int)
    def reminders_resume(season_id):
        from .services.reminders import set_paused
        set_paused(_season(season_id), False)
        click.echo("resumed")


def _register_certificates(app: Flask) -> None:
    @app.cli.group("certificates")
    def certificates_group():
        """Certificates: verify a QR URL offline, issue a season's, rotate the signing key."""

    @certificates_group.command("verify")
    @click.argument("url")
    @click.option("--keys", "keys_file", required=True,
                  help="a saved copy of /.well-known/wx-certificate-keys.json")
    @click.option("--revocations", "revocations_file",
                  help="a saved copy of /.well-known/wx-certificate-revocations.json")
    def certificates_verify(url, keys_file, revocations_file):
        """Check a scanned certificate URL with no network: exit 0 valid, 1 revoked, 2 invalid,
        3 a keys or revocation file that cannot be read (nothing checked) — the same codes as
        scripts/verify_certificate.py."""
        import json
        from pathlib import Path

        from .services.certificates.codec import verify_url
        try:
            name = keys_file
            keys = json.loads(Path(keys_file).read_text(encoding="utf-8"))
            name = revocations_file
            revocations = json.loads(Path(revocations_file).read_text(encoding="utf-8")) if revocations_file else None
        except (OSError, ValueError) as exc:        # ValueError: not UTF-8, not JSON
            from .texts import t
            click.echo(t("certificate.errors.offline_file_unreadable", file=name, error=exc), err=True)
            raise SystemExit(3)
        result = verify_url(url, keys, revocations)
        _print_result(result)
        raise SystemExit({"valid": 0, "revoked": 1}.get(result.status, 2))

    @certificates_group.command("issue")
    @click.argument("season_id", type=int)
    def certificates_issue(season_id):
        """Issue every award of a season not yet issued (what the release's job does)."""
        from .services.certificates.issue import issue_for_season
        click.echo(f"certificates: {issue_for_season(season_id)}")

    @certificates_group.command("rotate-key")
    def certificates_rotate():
        """Retire the signing key (it still verifies what it signed) and make a new one."""
        from .services.certificates.keys import rotate
        click.echo(f"new signing key: {rotate().kid}")


def _print_result(result) -> None:
    click.echo(f"status: {result.status}" + (f" ({result.reason})" if result.reason and result.status != "valid" else ""))
    p = result.payload
    if p is not None and result.status != "invalid":
        click.echo(f"serial: {p.serial}\nholder: {p.holder}\ntitle: {p.title}\naward: {p.award}\n"
                   f"season: {p.season_id}\nissued_on: {p.issued_on.isoformat()}\nkey: {result.kid}")
    if result.revoked:
        click.echo(f"revoked_at: {result.revoked.get('revoked_at')}\nreason: {result.revoked.get('reason')}")


def _register_scoring(app: Flask, season_of) -> None:
    """flask experts add|list, flask panels assign|loads (issue 16). The shell operator acts as
    the city office (actor None in the audit trail)."""
    from .errors import AppError
    from .texts import t

    def _ids(ids) -> str:
        return "、".join(str(i) for i in ids) if ids else t("experts.cli.none")

    @app.cli.group("experts")
    def experts_group():
        """The expert pool: categories, industries and own unit of each expert."""

    @experts_group.command("add")
    @click.argument("user_id", type=int)
    @click.option("--unit", "unit_id", type=int, default=None, help="the expert's own unit (organisation id)")
    @click.option("--categories", default="", help="comma-separated category codes (empty: any)")
    @click.option("--industries", default="", help="comma-separated industries (empty: any)")
    def experts_add(user_id, unit_id, categories, industries):
        from .services.experts import add_expert
        split = lambda text: [p.strip() for p in text.split(",") if p.strip()]   # noqa: E731
        try:
            expert = add_expert(None, user_id, unit_id, split(categories), split(industries))
        except AppError as exc:
            raise click.ClickException(exc.message)
        click.echo(f"expert {expert.id}: user {expert.user_id}")

    @experts_group.command("list")
    def experts_list():
        from .services.experts import list_experts
        for e in list_experts(None):
            click.echo(f"{e.id:5d} {e.user.name or '':10s} {'active' if e.active else 'dropped':8s} "
                       f"unit={e.unit.name if e.unit else '-'} categories={','.join(e.categories) or '*'} "
                       f"industries={','.join(e.industries) or '*'}")

    @app.cli.group("panels")
    def panels_group():
        """Expert panels of a season."""

    @panels_group.command("assign")
    @click.argument("season_id", type=int)
    @click.option("--k", type=int, default=None, help="experts per entry (default: the season's panel_size, 3)")
    def panels_assign(season_id, k):
        from .services.panels import assign
        try:
            result = assign(None, season_of(season_id), k)
        except AppError as exc:
            raise click.ClickException(exc.message)
        click.echo(t("experts.cli.assigned", seats=result["seats"], short=_ids(result["short"]),
                     reopened=_ids(result["reopened"])))
        click.echo(f"seats={result['seats']} short={result['short']} reopened={result['reopened']}")

    @panels_group.command("loads")
    @click.argument("season_id", type=int)
    def panels_loads(season_id):
        from .services.panels import loads
        for row in loads(None, season_of(season_id)):
            click.echo(f"{row['expert_id']:5d} {row['name']:10s} load={row['load']} scored={row['scored']}")
