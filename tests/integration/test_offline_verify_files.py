"""The offline verifiers (the script and `flask certificates verify`): the exit code says what
they found (0 valid, 1 revoked, 2 invalid); a keys or revocation file they cannot read is none of
these: exit 3 with a message, not a traceback with exit 1 (which a calling script reads as
"revoked")."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
URL = "https://example.cn/verify/WX2026-1-00012?d=e30&k=abcd&sig=AAAA"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "verify_certificate.py"), URL, *args],
                          capture_output=True, text=True, timeout=60)


def _files(tmp_path, which: str, content) -> tuple:
    """A readable keys file, and the arguments naming bad.json (missing when content is None)
    as the keys or as the revocation list."""
    keys = tmp_path / "keys.json"
    keys.write_text('{"keys": []}', encoding="utf-8")
    bad = tmp_path / "bad.json"
    if isinstance(content, bytes):
        bad.write_bytes(content)
    elif content is not None:
        bad.write_text(content, encoding="utf-8")
    return keys, (["--keys", str(bad)] if which == "--keys" else ["--keys", str(keys), "--revocations", str(bad)])


@pytest.mark.parametrize("which", ["--keys", "--revocations"])
@pytest.mark.parametrize("content", [None, "not json", b"\xff\xfe"])
def test_an_unreadable_file_is_exit_3_with_a_message(tmp_path, which, content):
    keys, args = _files(tmp_path, which, content)
    out = _run(*args)
    assert out.returncode == 3, (out.returncode, out.stderr)
    assert "Traceback" not in out.stderr and "bad.json" in out.stderr


def test_a_readable_file_still_answers_invalid(tmp_path):
    keys = tmp_path / "keys.json"
    keys.write_text('{"keys": []}', encoding="utf-8")
    assert _run("--keys", str(keys)).returncode == 2


@pytest.mark.parametrize("which", ["--keys", "--revocations"])
@pytest.mark.parametrize("content", [None, "not json", b"\xff\xfe"])
def test_the_flask_command_answers_the_same_codes(app, tmp_path, which, content):
    keys, args = _files(tmp_path, which, content)
    runner = app.test_cli_runner()
    out = runner.invoke(args=["certificates", "verify", URL, *args])
    assert out.exit_code == 3, (out.exit_code, out.output)
    assert "bad.json" in out.stderr and "Traceback" not in out.output
    assert runner.invoke(args=["certificates", "verify", URL, "--keys", str(keys)]).exit_code == 2
