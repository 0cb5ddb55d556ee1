"""pydantic's errors in Chinese: a field typed `int | str` (a count written as a number or as
"三次") names the field itself, not pydantic's union branch ("activities.int")."""
from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError as PydanticError

from server.api.validation import translate_pydantic_error


class _Report(BaseModel):
    activities: int | str | None = None
    org_id: int


@pytest.mark.parametrize("value", [1.5, [1], {"a": 1}])
def test_a_union_field_is_named_without_its_branch(value):
    with pytest.raises(PydanticError) as caught:
        _Report(org_id=4, activities=value)
    err = translate_pydantic_error(caught.value)
    assert err.field == "activities"
    assert "activities.int" not in err.message and err.params["label"].startswith(("activities", "开展"))


def test_a_plain_field_keeps_its_name():
    with pytest.raises(PydanticError) as caught:
        _Report(org_id="x")
    assert translate_pydantic_error(caught.value).field == "org_id"
