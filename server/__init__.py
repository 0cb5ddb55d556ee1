"""create_app(): configuration, extensions, blueprints, error handlers, CLI."""
from __future__ import annotations

import logging

from flask import Flask

from .config import INSTANCE_DIR, PROJECT_ROOT, load_config


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    app.config.update(load_config())
    app.config.update(overrides or {})
    app.json.ensure_ascii = False
    from .hooks.sessions import ConsoleCookieSessions
    app.session_interface = ConsoleCookieSessions()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from .extensions import db, migrate
    from . import models  # noqa: F401  (registers the tables)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))

    from .errors import register_error_handlers
    from .texts import t
    register_error_handlers(app)
    from .hooks.timing import register as register_timing
    register_timing(app)
    from .hooks.ids import register as register_ids
    register_ids(app)
    from .hooks.access_log import register as register_access_log
    register_access_log(app)
    app.jinja_env.globals["t"] = t

    from .api import bp as api_bp
    from .web import bp as web_bp
    from .wechat.callback import bp as wechat_bp
    from .web.console import bp as console_bp
    app.register_blueprint(api_bp)
    app.register_blueprint(console_bp)
    app.register_blueprint(web_bp)
    app.register_blueprint(wechat_bp)

    from .cli import register_cli
    register_cli(app)
    return app
