"""One Flask app per worker process; jobs run inside its app context."""
from __future__ import annotations

import functools

_app = None


def get_app():
    global _app
    if _app is None:
        from server import create_app
        _app = create_app()
    return _app


def with_app(fn):
    """Run a job inside the app context and always release the DB session afterwards."""
    @functools.wraps(fn)
    def job(*args, **kwargs):
        app = get_app()
        with app.app_context():
            from server.extensions import db
            try:
                return fn(*args, **kwargs)
            finally:
                db.session.remove()
    return job
