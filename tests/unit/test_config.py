from __future__ import annotations

import pytest

from server import config as config_module
from server.config import ConfigError, load_config


def test_production_requires_secret_key():
    with pytest.raises(ConfigError) as exc:
        load_config({"APP_ENV": "production", "REDIS_URL": "redis://x"})
    assert "SECRET_KEY" in str(exc.value) and "密钥" in str(exc.value)


def test_production_requires_redis_url():
    with pytest.raises(ConfigError, match="REDIS_URL"):
        load_config({"APP_ENV": "production", "SECRET_KEY": "s"})


def test_local_secret_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(config_module, "INSTANCE_DIR", tmp_path)
    first = load_config({})["SECRET_KEY"]
    assert len(first) >= 40 and load_config({})["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_database_urls_are_normalised_and_defaults_embedded(tmp_path, monkeypatch):
    monkeypatch.setattr(config_module, "INSTANCE_DIR", tmp_path)
    cfg = load_config({"SECRET_KEY": "s", "DATABASE_URL": "postgres://u@h:5432/db"})
    assert cfg["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h:5432/db"
    cfg = load_config({"SECRET_KEY": "s"})
    assert cfg["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'app.db'}"
    assert cfg["REDIS_URL"] == "" and cfg["WECHAT_MODE"] == "sandbox"


def test_wechat_mode_is_checked():
    with pytest.raises(ConfigError):
        load_config({"SECRET_KEY": "s", "WECHAT_MODE": "prod"})
    with pytest.raises(ConfigError, match="WECHAT_APPID"):
        load_config({"SECRET_KEY": "s", "WECHAT_MODE": "live"})
    cfg = load_config({"SECRET_KEY": "s", "WECHAT_MODE": "live", "WECHAT_APPID": "wx1", "WECHAT_SECRET": "z"})
    assert cfg["WECHAT_APPID"] == "wx1"


def test_postgresql_connections_get_the_lazy_description_cursor(tmp_path, monkeypatch):
    monkeypatch.setattr(config_module, "INSTANCE_DIR", tmp_path)
    from server.db.pg_cursor import LazyDescriptionCursor
    cfg = load_config({"SECRET_KEY": "s", "DATABASE_URL": "postgresql://u@h:5432/db"})
    assert cfg["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {"cursor_factory": LazyDescriptionCursor}
    cfg = load_config({"SECRET_KEY": "s"})
    assert "connect_args" not in cfg["SQLALCHEMY_ENGINE_OPTIONS"]


def test_web_workers_default_to_one_more_than_the_cores(monkeypatch):
    monkeypatch.setattr(config_module.os, "cpu_count", lambda: 2)
    assert config_module.web_workers({}) == 3
    assert config_module.web_workers({"WEB_WORKERS": ""}) == 3
    assert config_module.web_workers({"WEB_WORKERS": "5"}) == 5
    monkeypatch.setattr(config_module.os, "cpu_count", lambda: None)      # unknown: 1 core
    assert config_module.web_workers({}) == 2


@pytest.mark.parametrize("base, secure", [("https://wx.example.cn", True), ("http://127.0.0.1:8000", False), ("", False)])
def test_console_cookie_is_secure_behind_https(base, secure):
    """Issue 14 item 1: the console's session cookie is Secure when the service is served over HTTPS."""
    config = load_config({"APP_ENV": "test", "SECRET_KEY": "s", "PUBLIC_BASE_URL": base})
    assert config["SESSION_COOKIE_SECURE"] is secure
    assert config["SESSION_COOKIE_HTTPONLY"] is True and config["SESSION_COOKIE_SAMESITE"] == "Lax"
