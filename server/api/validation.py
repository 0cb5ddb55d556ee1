"""Turn pydantic's errors into one Chinese message naming the field and what to send."""
from __future__ import annotations

from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from ..errors import ValidationError
from ..forms.catalogue import entry_fields
from ..forms.catalogue import label as entry_label
from ..texts import lookup, t


def field_label(field: str) -> str:
    """The Chinese name of an API field when there is one (项目名称 for title): an entry's field
    from the one field catalogue (forms/catalogue.py), the API's own fields from catalog.yaml."""
    labels = lookup("catalog.field_labels")

    def name_of(part: str) -> str | None:
        return labels.get(part) or (entry_label(part) if part in entry_fields() else None)

    # a nested field (criteria.innovation.band, entries.0.title) goes by its innermost named part
    name = name_of(field) or next(filter(None, map(name_of, reversed(field.split(".")))), None)
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
    "greater_than_equal": "errors.field_too_small",
    "greater_than": "errors.field_too_small",
    "less_than_equal": "errors.field_too_large",
    "less_than": "errors.field_too_large",
}
_LIMITS = {"greater_than_equal": "ge", "greater_than": "gt", "less_than_equal": "le", "less_than": "lt"}
_SHOWN_TYPES = (str, int, float, bool)


def _described(model: type[BaseModel] | None, loc: list) -> str:
    """The field's own description (what the OpenAPI document says to send), for a top-level
    field of `model` named as sent (its alias) or as declared; "" when there is none."""
    if model is None or len(loc) != 1:
        return ""
    for name, info in model.model_fields.items():
        if loc[0] in (name, info.alias):
            return info.description or ""
    return ""


def translate_pydantic_error(exc: PydanticError, model: type[BaseModel] | None = None) -> ValidationError:
    """The first of pydantic's errors as one Chinese message (errors.yaml): the field by its
    Chinese name, what was sent, and what to send — the model's description of the field when
    `model` (the body or query model validated) is given."""
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
    if err["type"] in _LIMITS:
        params["limit"] = ctx.get(_LIMITS[err["type"]], "")
    sent = err.get("input")
    params["shown"] = (t("errors.value_shown", value=str(sent)[:30])
                       if isinstance(sent, _SHOWN_TYPES) and err["type"] != "missing" else "")
    if key == "errors.field_invalid" and (expected := _described(model, loc)):
        key, params["expected"] = "errors.field_invalid_expected", expected
    # A custom validator may raise ValueError with a message key of errors.yaml as its text.
    if err["type"] == "value_error" and str(ctx.get("error", "")).startswith("errors."):
        key = str(ctx["error"])
    return ValidationError(key, field=field, code="invalid_field", **params)
