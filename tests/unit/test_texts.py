"""Every message key the code names exists in message_templates/ and formats cleanly."""
from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from server.texts import catalogue, lookup, t

ROOT = Path(__file__).resolve().parents[2]
KEY = re.compile(r"""["']((?:errors|pages|catalog|demo_seed|answers|dialogue|flow_entry|scoring|subscribe|rubric|publicity|console_results)\.[a-z0-9_.]+)["']""")
ANSWER_KEY = re.compile(r"""AnswerError\(["'](\w+)["']""")
SAY_KEY = re.compile(r"""\bsay\(["'](\w+)["']""")


def _keys_used() -> set[str]:
    keys = set()
    for path in list((ROOT / "server").rglob("*.py")) + list((ROOT / "server").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        keys.update(KEY.findall(text))
        keys.update(f"answers.{k}" for k in ANSWER_KEY.findall(text))
        keys.update(f"dialogue.{k}" for k in SAY_KEY.findall(text))
    return keys


def test_every_step_has_prompt_help_example_and_label():
    from server.forms.catalogue import entry_steps, farmer_steps
    labels = lookup("flow_entry.labels")
    for step in farmer_steps() + entry_steps():
        assert step.prompt and step.help and step.example, step.field
        assert step.field in labels, step.field


def test_code_uses_many_keys():
    assert len(_keys_used()) > 20


@pytest.mark.parametrize("key", sorted(_keys_used()))
def test_every_key_exists(key):
    lookup(key)


def test_every_error_message_formats_with_its_placeholders():
    for key, text in catalogue()["errors"].items():
        fields = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        rendered = t(f"errors.{key}", **{f: "X" for f in fields})
        assert "{" not in rendered.replace('{"', "").replace("{{", "") or '"' in rendered
        assert any("\u4e00" <= ch <= "\u9fff" for ch in rendered), key


def test_error_codes_of_the_error_classes_have_messages():
    from server import errors
    for cls in vars(errors).values():
        if isinstance(cls, type) and issubclass(cls, errors.AppError):
            lookup(f"errors.{cls.code}")


def test_duplicate_keys_are_refused(tmp_path, monkeypatch):
    import yaml

    from server import texts
    (tmp_path / "zh_CN").mkdir()
    (tmp_path / "zh_CN" / "x.yaml").write_text("a: 1\nb: 2\na: 3\n", encoding="utf-8")
    monkeypatch.setattr(texts, "TEMPLATES_DIR", tmp_path)
    texts.catalogue.cache_clear()
    try:
        with pytest.raises(yaml.constructor.ConstructorError, match="duplicate"):
            texts.catalogue()
    finally:
        monkeypatch.undo()
        texts.catalogue.cache_clear()


def test_every_flow_has_its_texts_and_known_steps():
    from server.dialogue import flows
    from server.forms.types import TYPES
    for key in flows.keys():
        flow = flows.get(key)
        assert flow.text("started", total=1), key
        if flow.requires:
            assert flow.text("not_allowed"), key
        for step in flow.steps:
            assert step.type in TYPES and step.prompt and step.help, (key, step.field)


def test_the_gender_question_offers_buttons_like_every_choice():
    from server.forms.catalogue import entry_steps
    from server.forms.types import answer_type
    gender = next(s for s in entry_steps() if s.field == "leader.gender")
    assert [o.label for o in answer_type(gender).options(gender, None)] == ["男", "女"]


def test_the_catalogue_is_read_once_when_many_threads_ask_at_once(monkeypatch):
    """A reminder batch's work horse starts 64 send threads that all look up texts at once;
    the files must be parsed once, not once per thread (bench/fanout.py ran at 40 sends/s)."""
    import threading
    import time

    from server import texts
    real, reads = texts._read, []

    def counted(locale):
        reads.append(locale)
        time.sleep(0.05)                  # keep the window open while the others arrive
        return real(locale)

    monkeypatch.setattr(texts, "_read", counted)
    texts.catalogue.cache_clear()
    start = threading.Barrier(16)
    got = []

    def ask():
        start.wait()
        got.append(texts.catalogue())

    threads = [threading.Thread(target=ask) for _ in range(16)]
    try:
        [th.start() for th in threads]
        [th.join() for th in threads]
    finally:
        monkeypatch.undo()
    assert reads == ["zh_CN"]
    assert len(got) == 16 and all(g is got[0] for g in got)
    assert got[0]["errors"]["invalid_json"]


def test_a_worker_reads_the_texts_before_it_forks_its_work_horses():
    from server import texts
    from workers.worker import warm_before_forks
    texts.catalogue.cache_clear()
    warm_before_forks(["high", "default"])
    assert "zh_CN" in texts._loaded and texts._loaded["zh_CN"]["errors"]
