"""A refusal naming several form fields says how many more there are — and says nothing about
"others" when only one field is wrong (it used to, every time)."""
import pytest

from server.errors import FieldErrors


@pytest.mark.parametrize("errors, message", [
    ({"name": "请填写名称。"}, "请填写名称。"),
    ({"name": "请填写名称。", "year": "年份不对。"}, "请填写名称。（表单中还有 1 处需要改正，请一并查看）"),
    ({"a": "甲不对。", "b": "乙不对。", "c": "丙不对。"}, "甲不对。（表单中还有 2 处需要改正，请一并查看）"),
], ids=["one", "two", "three"])
def test_the_envelope_names_the_first_and_counts_the_rest(errors, message):
    exc = FieldErrors(errors)
    assert exc.message == message and exc.field == next(iter(errors)) and exc.errors == errors
