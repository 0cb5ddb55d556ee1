"""A loopback stand-in for api.weixin.qq.com, faithful to WECHAT.md: same paths, JSON shapes
and error codes, with per-endpoint fault switches for tests.

Run: python -m server.wechat.sandbox --port 8701
Control (tests, trainers): /__sandbox__/faults, /calls, /reset, /expire_tokens, /media.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import io
import re
import secrets
import threading
import time

from flask import Flask, Response, g, jsonify, request
from waitress.server import create_server

DEFAULT_APPID = "wxsandbox0000000001"
DEFAULT_SECRET = "sandbox-secret"
TOKEN_TTL = 7200
OVERLAP = 300               # a replaced /cgi-bin/token stays valid this long
SCENE_CHARS = re.compile(r"^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$")
RISKY_WORDS = ("赌博", "色情", "违禁")   # what the sandbox's content check calls risky
ENDPOINTS = ("jscode2session", "token", "stable_token", "getuserphonenumber", "subscribe_send",
             "custom_send", "custom_typing", "media_get", "media_upload", "msg_sec_check",
             "getwxacodeunlimit")


def openid_for_code(code: str) -> str:
    """The sandbox maps a js_code to a stable openid (the same code, the same openid)."""
    digest = hashlib.sha256(f"sandbox-openid:{code}".encode()).digest()
    return "o" + base64.urlsafe_b64encode(digest).decode()[:27]


def phone_for_code(code: str) -> str:
    m = re.fullmatch(r"phone-(1\d{10})", code)
    if m:
        return m.group(1)
    n = int(hashlib.sha256(code.encode()).hexdigest(), 16) % 10**8
    return f"139{n:08d}"


class SandboxState:
    def __init__(self, appid: str, secret: str):
        self.appid, self.secret = appid, secret
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.tokens: dict[str, float] = {}     # token -> expiry (epoch seconds)
        self.stable_token: str | None = None
        self.faults: dict[str, list[dict]] = {}
        self.calls: list[dict] = []
        self.media: dict[str, tuple[str, bytes]] = {}

    def issue_token(self) -> str:
        token = "sbx_" + secrets.token_urlsafe(32)
        self.tokens[token] = time.time() + TOKEN_TTL
        return token


def _err(errcode: int, errmsg: str, status: int = 200):
    return jsonify({"errcode": errcode, "errmsg": errmsg}), status


def create_sandbox_app(appid: str = DEFAULT_APPID, secret: str = DEFAULT_SECRET) -> Flask:
    app = Flask("wechat_sandbox")
    app.json.ensure_ascii = False
    state = SandboxState(appid, secret)
    app.extensions["sandbox_state"] = state

    def body() -> dict:
        data = request.get_json(silent=True, force=True)
        return data if isinstance(data, dict) else {}

    def record(endpoint: str, data) -> dict | None:
        """Record the call; return the fault to apply, if one is switched on."""
        with state.lock:
            fault = None
            queue = state.faults.get(endpoint, [])
            if queue:
                fault = dict(queue[0])
                if queue[0].get("times") is not None:
                    queue[0]["times"] -= 1
                    if queue[0]["times"] <= 0:
                        queue.pop(0)
            call = {"endpoint": endpoint, "at": time.time(), "data": data, "fault": fault, "errcode": None}
            state.calls.append(call)
            g.sandbox_call = call
        if fault and fault.get("delay"):
            time.sleep(float(fault["delay"]))
        if fault and fault.get("http_status"):
            return Response("upstream error", status=int(fault["http_status"]))
        if fault and fault.get("errcode") is not None:
            return _err(int(fault["errcode"]), fault.get("errmsg") or "sandbox fault")
        return None

    @app.after_request
    def remember_outcome(response):
        """Keep each call's answer (errcode 0 = WeChat took it), so tests can tell a message
        WeChat accepted from one it refused (an expired token, a fault)."""
        call = g.pop("sandbox_call", None)
        if call is not None:
            if response.mimetype == "application/json":
                try:
                    call["errcode"] = int((response.get_json(silent=True) or {}).get("errcode", 0))
                except (TypeError, ValueError):
                    call["errcode"] = -2
            else:
                call["errcode"] = 0 if response.status_code == 200 else response.status_code
        return response

    def check_token():
        token = request.args.get("access_token")
        if not token:
            return _err(41001, "access_token missing")
        with state.lock:
            expiry = state.tokens.get(token)
        if expiry is None:
            return _err(40001, "invalid credential, access_token is invalid or not latest")
        if expiry < time.time():
            return _err(42001, "access_token expired")
        return None

    def guarded(endpoint: str, data, needs_token: bool = True):
        return record(endpoint, data) or (check_token() if needs_token else None)

    # -- login and tokens ---------------------------------------------------------------
    @app.get("/sns/jscode2session")
    def jscode2session():
        args = request.args.to_dict()
        if (resp := guarded("jscode2session", args, needs_token=False)):
            return resp
        if args.get("appid") != state.appid:
            return _err(40013, "invalid appid")
        if args.get("secret") != state.secret:
            return _err(40125, "invalid appsecret")
        code = args.get("js_code", "")
        if not code:
            return _err(41008, "missing code")
        if code.startswith("bad"):
            return _err(40029, "invalid code")
        out = {"openid": openid_for_code(code),
               "session_key": base64.b64encode(hashlib.md5(code.encode()).digest()).decode()}
        if code.startswith("union-"):
            out["unionid"] = "u" + openid_for_code(code)[1:]
        return jsonify(out)

    def credentials_ok(appid, secret):
        if appid != state.appid:
            return _err(40013, "invalid appid")
        if secret != state.secret:
            return _err(40125, "invalid appsecret")
        return None

    @app.get("/cgi-bin/token")
    def token():
        args = request.args.to_dict()
        if (resp := guarded("token", args, needs_token=False) or credentials_ok(args.get("appid"), args.get("secret"))):
            return resp
        with state.lock:
            now = time.time()
            for t in state.tokens:   # the old token keeps working for a short overlap
                state.tokens[t] = min(state.tokens[t], now + OVERLAP)
            new = state.issue_token()
            state.stable_token = new
        return jsonify({"access_token": new, "expires_in": TOKEN_TTL})

    @app.post("/cgi-bin/stable_token")
    def stable_token():
        data = body()
        if (resp := guarded("stable_token", data, needs_token=False) or credentials_ok(data.get("appid"), data.get("secret"))):
            return resp
        if data.get("grant_type") != "client_credential":
            return _err(40002, "invalid grant_type")
        with state.lock:
            now = time.time()
            current = state.stable_token
            if data.get("force_refresh") or not current or state.tokens.get(current, 0) <= now:
                if current:
                    state.tokens[current] = min(state.tokens.get(current, 0), now + OVERLAP)
                current = state.stable_token = state.issue_token()
            expires_in = int(state.tokens[current] - now)
        return jsonify({"access_token": current, "expires_in": expires_in})

    @app.post("/wxa/business/getuserphonenumber")
    def getuserphonenumber():
        data = body()
        if (resp := guarded("getuserphonenumber", data)):
            return resp
        code = data.get("code") or ""
        if not code or code.startswith("bad"):
            return _err(40029, "invalid code")
        phone = phone_for_code(code)
        return jsonify({"errcode": 0, "errmsg": "ok", "phone_info": {
            "phoneNumber": phone, "purePhoneNumber": phone, "countryCode": "86",
            "watermark": {"timestamp": int(time.time()), "appid": state.appid}}})

    # -- messages -----------------------------------------------------------------------
    @app.post("/cgi-bin/message/subscribe/send")
    def subscribe_send():
        data = body()
        if (resp := guarded("subscribe_send", data)):
            return resp
        if not data.get("touser"):
            return _err(40003, "invalid openid")
        if not data.get("template_id"):
            return _err(40037, "invalid template_id")
        fields = data.get("data")
        if not isinstance(fields, dict) or not all(isinstance(v, dict) and "value" in v for v in fields.values()):
            return _err(47003, "argument invalid! data.value invalid")
        page = data.get("page")
        if page and page.startswith("/"):
            return _err(41030, "invalid page")
        return _err(0, "ok")

    @app.post("/cgi-bin/message/custom/send")
    def custom_send():
        data = body()
        if (resp := guarded("custom_send", data)):
            return resp
        if not data.get("touser"):
            return _err(40003, "invalid openid")
        if data.get("msgtype") not in ("text", "image", "link", "miniprogrampage"):
            return _err(40008, "invalid message type")
        return _err(0, "ok")

    @app.post("/cgi-bin/message/custom/typing")
    def custom_typing():
        data = body()
        if (resp := guarded("custom_typing", data)):
            return resp
        if data.get("command") not in ("Typing", "CancelTyping"):
            return _err(47001, "data format error")
        return _err(0, "ok")

    # -- media and content security -----------------------------------------------------
    @app.post("/cgi-bin/media/upload")
    def media_upload():
        upload = request.files.get("media")
        if (resp := guarded("media_upload", {"type": request.args.get("type")})):
            return resp
        if upload is None:
            return _err(41005, "media data missing")
        media_id = "sbxm_" + secrets.token_urlsafe(24)
        with state.lock:
            state.media[media_id] = (upload.mimetype or "application/octet-stream", upload.read())
        return jsonify({"type": request.args.get("type", "image"), "media_id": media_id,
                        "created_at": int(time.time())})

    @app.get("/cgi-bin/media/get")
    def media_get():
        if (resp := guarded("media_get", request.args.to_dict())):
            return resp
        with state.lock:
            item = state.media.get(request.args.get("media_id", ""))
        if item is None:
            return _err(40007, "invalid media_id")
        return Response(item[1], mimetype=item[0])

    @app.post("/wxa/msg_sec_check")
    def msg_sec_check():
        data = body()
        if (resp := guarded("msg_sec_check", data)):
            return resp
        if data.get("version") != 2 or not data.get("openid") or data.get("scene") not in (1, 2, 3, 4):
            return _err(47001, "data format error")
        content = data.get("content") or ""
        if len(content) > 2500:
            return _err(47001, "content too long")
        risky = any(w in content for w in RISKY_WORDS)
        suggest = "risky" if risky else "pass"
        return jsonify({"errcode": 0, "errmsg": "ok", "trace_id": secrets.token_hex(8),
                        "result": {"suggest": suggest, "label": 20001 if risky else 100},
                        "detail": [{"strategy": "content_model", "errcode": 0,
                                    "suggest": suggest, "label": 20001 if risky else 100}]})

    @app.post("/wxa/getwxacodeunlimit")
    def getwxacodeunlimit():
        data = body()
        if (resp := guarded("getwxacodeunlimit", data)):
            return resp
        scene, page = data.get("scene") or "", data.get("page") or ""
        if not SCENE_CHARS.match(scene):
            return _err(40169, "invalid length for scene, or the data is not json string")
        if page.startswith("/") or "?" in page:
            return _err(41030, "invalid page")
        width = int(data.get("width", 430))
        if not 280 <= width <= 1280:
            return _err(40159, "invalid width")
        import qrcode
        img = qrcode.make(f"sandbox-wxacode:{page}?{scene}").resize((width, width))
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        return Response(buf.getvalue(), mimetype="image/png")

    # -- control surface for tests ------------------------------------------------------
    @app.post("/__sandbox__/faults")
    def add_fault():
        data = body()
        if data.get("endpoint") not in ENDPOINTS:
            return jsonify({"error": f"endpoint must be one of {ENDPOINTS}"}), 400
        fault = {k: data.get(k) for k in ("errcode", "errmsg", "delay", "times", "http_status")}
        with state.lock:
            state.faults.setdefault(data["endpoint"], []).append(fault)
        return jsonify({"ok": True})

    @app.delete("/__sandbox__/faults")
    def clear_faults():
        with state.lock:
            state.faults.clear()
        return jsonify({"ok": True})

    @app.get("/__sandbox__/calls")
    def calls():
        endpoint = request.args.get("endpoint")
        with state.lock:
            items = [c for c in state.calls if not endpoint or c["endpoint"] == endpoint]
        return jsonify({"count": len(items), "calls": items})

    @app.post("/__sandbox__/reset")
    def reset():
        with state.lock:
            state.reset()
        return jsonify({"ok": True})

    @app.post("/__sandbox__/expire_tokens")
    def expire_tokens():
        """Expire (42001) or, with {"revoke": true}, forget (40001) every issued token."""
        with state.lock:
            if body().get("revoke"):
                state.tokens.clear()
            else:
                state.tokens = {t: 0.0 for t in state.tokens}
        return jsonify({"ok": True})

    @app.post("/__sandbox__/media")
    def put_media():
        """Stand in for a user sending a picture: store bytes, get the media_id WeChat would push."""
        media_id = "sbxm_" + secrets.token_urlsafe(24)
        with state.lock:
            state.media[media_id] = (request.mimetype or "image/jpeg", request.get_data())
        return jsonify({"media_id": media_id})

    return app


def serve(host: str, port: int, app: Flask, threads: int = 16):
    """Waitress, not werkzeug's development server: werkzeug answers every request with
    `Connection: close` (and a new thread per connection), while api.weixin.qq.com keeps
    connections alive — clients, benchmarks and timings here should see the same."""
    return create_server(app, host=host, port=port, threads=threads, ident=None,
                         connection_limit=max(100, 4 * threads), channel_timeout=60)


class SandboxServer:
    """The sandbox in a background thread (tests, the dev launcher's fallback)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **kwargs):
        self.app = create_sandbox_app(**kwargs)
        self.server = serve(host, port, self.app)
        self.url = f"http://{host}:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> "SandboxServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        # Request threads first, then every socket closed from the server's own loop thread,
        # between two selects: closed from here, under a running select or a thread still
        # answering, they raise "OSError: Bad file descriptor" (printed at the end of test runs).
        server = self.server
        server.task_dispatcher.shutdown()

        def close_all():
            for channel in list(server._map.values()):    # the listener, the wake-up pipe, connections
                channel.close()

        try:
            server.trigger.pull_trigger(close_all)
        except OSError:
            # The wake-up pipe is already closed: the loop met a bad descriptor and ended, closing
            # its map (seen once in a two-process test run). Nothing runs a select any more, so
            # what is left is closed from here.
            self.thread.join(5)
            close_all()
        self.thread.join(5)


def main() -> None:
    parser = argparse.ArgumentParser(description="WeChat API sandbox on loopback")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8701)
    parser.add_argument("--appid", default=DEFAULT_APPID)
    parser.add_argument("--secret", default=DEFAULT_SECRET)
    parser.add_argument("--threads", type=int, default=16,
                        help="requests answered at once (a delay fault holds one thread per request)")
    args = parser.parse_args()
    server = serve(args.host, args.port, create_sandbox_app(args.appid, args.secret), args.threads)
    print(f"WeChat sandbox on http://{args.host}:{server.effective_port}", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:   # Ctrl-C in the launcher's terminal reaches us too
        pass


if __name__ == "__main__":
    main()
