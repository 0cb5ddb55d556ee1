"""Access logs never show WeChat's push signatures, nonces or bearer tokens (issue 13, item 1)."""
from __future__ import annotations

import logging

import pytest

from server.hooks.access_log import REDACTED, RedactingFilter, gunicorn_logger_class, redact

SIG, NONCE, TS = "0f" * 20, "1234567890", "1796000000"


@pytest.mark.parametrize("line,kept", [
    (f'"POST /wechat/callback?signature={SIG}&timestamp={TS}&nonce={NONCE}&openid=o1 HTTP/1.1" 200',
     "/wechat/callback?"),
    (f"signature={SIG}&timestamp={TS}&nonce={NONCE}&encrypt_type=aes&msg_signature={SIG}", "encrypt_type=aes"),
    (f"GET /wechat/callback?echostr=abc&signature={SIG}&nonce={NONCE}&timestamp={TS}", "GET /wechat/callback"),
    (f"Authorization: Bearer eyJhbGciOi.{SIG}.x", "Authorization: Bearer"),
    (f"SIGNATURE={SIG}&Nonce={NONCE}", "SIGNATURE="),
])
def test_secrets_are_redacted_and_the_rest_kept(line, kept):
    out = redact(line)
    assert SIG not in out and NONCE not in out and TS not in out
    assert kept in out and REDACTED in out


def test_other_query_parameters_pass_untouched():
    assert redact("GET /api/v1/entries?page=2&unit=5 HTTP/1.1") == "GET /api/v1/entries?page=2&unit=5 HTTP/1.1"


def test_werkzeug_request_lines_are_filtered():
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - [%s] "%s" %s %s',
                               ("127.0.0.1", "now", f"POST /wechat/callback?nonce={NONCE}&signature={SIG} HTTP/1.1",
                                "200", "-"), None)
    assert RedactingFilter().filter(record)
    assert NONCE not in record.getMessage() and SIG not in record.getMessage()


def test_gunicorn_reads_the_redacting_logger_from_its_config_file():
    from pathlib import Path
    from gunicorn.config import Config
    root = Path(__file__).resolve().parents[2]
    namespace: dict = {}
    exec(compile((root / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
    cfg = Config()
    cfg.set("logger_class", namespace["logger_class"])
    assert cfg.logger_class.__name__ == gunicorn_logger_class().__name__

    class Resp:
        status, sent, headers = "200 OK", 7, []
    logger = cfg.logger_class(cfg)
    environ = {"REQUEST_METHOD": "POST", "RAW_URI": f"/wechat/callback?signature={SIG}&nonce={NONCE}",
               "SERVER_PROTOCOL": "HTTP/1.1", "QUERY_STRING": f"signature={SIG}&nonce={NONCE}",
               "PATH_INFO": "/wechat/callback"}
    from datetime import timedelta
    atoms = logger.atoms(Resp(), [("Authorization", f"Bearer {SIG}")], environ, timedelta(seconds=0))
    assert SIG not in str(atoms) and NONCE not in str(atoms) and atoms["U"] == "/wechat/callback"
