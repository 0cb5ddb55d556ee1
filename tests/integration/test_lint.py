"""Pyflakes-level checks over the whole project: undefined names, unused imports and variables,
redefinitions — mistakes a test might not reach."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_pyflakes_errors():
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run([str(ruff), "check", "--no-cache", "--select", "F", "--output-format", "concise",
                             "server", "workers", "tests", "bench", "migrations", "wsgi.py"],
                            check=False, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
