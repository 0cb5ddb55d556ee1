"""The OpenAPI 3.1 document, assembled from the routes and the pydantic schemas they use."""
from __future__ import annotations

import re

from pydantic.json_schema import models_json_schema

from .endpoint import ROUTES
from .schemas import ErrorOut

_ERROR_TEXT = {400: "请求内容不正确", 401: "未登录或凭证无效", 403: "无权限", 404: "不存在",
               409: "状态冲突（如已提交、不在申报期）", 413: "请求内容过大", 422: "还不能提交（见 problems）",
               429: "请求过于频繁", 503: "微信或依赖服务暂不可用"}


def _path(flask_path: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", flask_path)


def _without_null(schema: dict) -> dict:
    """A query parameter is absent or a value: `int | None` documents as the int alone."""
    branches = [b for b in schema.get("anyOf", []) if b.get("type") != "null"]
    if len(branches) == 1:
        schema = {**{k: v for k, v in schema.items() if k != "anyOf"}, **branches[0]}
    return {k: v for k, v in schema.items() if k != "title" and not (k == "default" and v is None)}


def _query_parameters(model) -> list[dict]:
    """Each field of a query model as an OpenAPI parameter, under the name sent (its alias)."""
    schema = model.model_json_schema(mode="validation", by_alias=True)
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        prop = _without_null(prop)
        parameter = {"name": name, "in": "query", "required": name in required}
        if "description" in prop:
            parameter["description"] = prop.pop("description")
        parameter["schema"] = prop
        parameters.append(parameter)
    return parameters


def build_openapi() -> dict:
    models = {ErrorOut}
    for r in ROUTES:
        models.update(m for m in (r.body, r.response) if m is not None)
    # pydantic names each component and hands back each model's own $ref: two models of one class
    # name in different modules get different components, and a path must point at its own one
    refs, schema = models_json_schema([(m, "validation") for m in sorted(models, key=lambda m: m.__name__)],
                                      ref_template="#/components/schemas/{model}")

    def ref(model) -> dict:
        return dict(refs[(model, "validation")])
    paths: dict = {}
    for r in ROUTES:
        op: dict = {"summary": r.summary, "tags": [r.tag], "responses": {}}
        params = re.findall(r"<(?:(\w+):)?(\w+)>", r.path)
        parameters = [{"name": name, "in": "path", "required": True,
                       "schema": {"type": "integer" if conv == "int" else "string"}} for conv, name in params]
        if r.query is not None:
            parameters += _query_parameters(r.query)
        if parameters:
            op["parameters"] = parameters
        content = {}
        if r.body is not None:
            content["application/json"] = {"schema": ref(r.body)}
        if r.multipart:
            content["multipart/form-data"] = {"schema": {"type": "object", "properties": {
                name: ({"type": "string", "format": "binary", "description": desc} if name in ("file", "image")
                       else {"type": "string", "description": desc}) for name, desc in r.multipart.items()}}}
        if content:
            op["requestBody"] = {"required": True, "content": content}
        ok = {"description": "成功"}
        if r.response is not None:
            ok["content"] = {"application/json": {"schema": ref(r.response)}}
        op["responses"][str(r.success)] = ok
        for status in sorted(set(r.errors) | ({401} if r.auth else set())):
            op["responses"][str(status)] = {"description": _ERROR_TEXT.get(status, "错误"), "content": {
                "application/json": {"schema": ref(ErrorOut)}}}
        if r.auth:
            op["security"] = [{"bearer": []}]
        paths.setdefault(_path(r.path), {})[r.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "晋城市“五小”竞赛服务 API", "version": "1.0.0",
                 "description": "小程序接口。错误统一为 {\"error\": {\"code\", \"message\", \"field\"}}。"},
        "paths": paths,
        "components": {"schemas": schema.get("$defs", {}),
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }
