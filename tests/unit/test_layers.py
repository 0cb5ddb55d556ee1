"""Arrows point down only: the import-layer contracts in .importlinter hold (entrypoints >
services > dialogue > forms > models > core; server.wechat never below the services).

A new upward import fails here with the chain that breaks the rule. Runs import-linter in
process (it parses the source files, imports nothing of ours), cache off so nothing is written."""
from __future__ import annotations

from pathlib import Path

from importlinter import configuration
from importlinter.application.use_cases import lint_imports

ROOT = Path(__file__).resolve().parents[2]


def test_import_layers_hold(monkeypatch):
    monkeypatch.chdir(ROOT)           # root packages are found on sys.path, the config by name
    monkeypatch.syspath_prepend(str(ROOT))
    configuration.configure()        # what the lint-imports command does first
    assert lint_imports(config_filename=str(ROOT / ".importlinter"), cache_dir=None, no_logo=True), \
        "an import breaks a layer contract (see the report above; the rule is in .importlinter)"
