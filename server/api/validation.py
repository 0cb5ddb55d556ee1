"""Turn pydantic's errors into one Chinese message naming the field and what to send."""
from __future__ import annotations

from pydantic import ValidationError as PydanticError

from ..errors import ValidationError
from ..forms.catalogue import entry_fields
from ..forms.catalogue import label as entry_label
from ..texts import lookup


def field_label(field: str) -> str:
    """The Chinese name of an API field when there is one (项目名称 for title): an entry's field
    from the one field catalogue (forms/catalogue.py), the API's own fields from catalog.yaml."""
    labels = lookup("catalog.field_labels")
    name = labels.get(field) or (entry_label(field) if field in entry_fields() else None)
    return f"{name}（{field}）" if name else field

_UNION_BRANCHES = {"int", "str", "float", "bool", "none", "decimal"}

_TYPE_KEYS = {
    "missing": "errors.field_missing",
    "string_type": "errors.field_type_string",
    "int_type": "errors.field_type_int",
    "int_parsing": "errors.field_type_int",
    "bool_type": "errors.field_type_bool",
    "bool_parsing": "errors.field_type_bool",
    "list_type": "errors.field_type_list",
    "string_too_short": "errors.field_too_short",
    "too_short": "errors.field_too_short",
    "string_too_long": "errors.field_too_long",
    "too_long": "errors.field_too_long",
    "extra_forbidden": "errors.field_unknown",
}


def translate_pydantic_error(exc: PydanticError) -> ValidationError:
    err = exc.errors()[0]
    # a field typed `int | str` fails in each branch, and pydantic puts the branch in the location
    # ("activities", "int"): name the field, not the branch
    loc = [p for i, p in enumerate(err["loc"]) if not (i and p in _UNION_BRANCHES)]
    field = ".".join(str(p) for p in loc) or "body"
    ctx = err.get("ctx") or {}
    key = _TYPE_KEYS.get(err["type"], "errors.field_invalid")
    params = {"label": field_label(field)}
    if key == "errors.field_too_short":
        params["min"] = ctx.get("min_length", 1)
    if key == "errors.field_too_long":
        params["max"] = ctx.get("max_length", "")
    # A custom validator may raise ValueError with a message key of errors.yaml as its text.
    if err["type"] == "value_error" and str(ctx.get("error", "")).startswith("errors."):
        key = str(ctx["error"])
    return ValidationError(key, field=field, code="invalid_field", **params)
