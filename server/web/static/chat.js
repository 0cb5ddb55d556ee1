// The H5 chat: the same /api/v1 as the mini-program. Text comes from window.UI (message_templates).
(function () {
  "use strict";
  var UI = window.UI, KEY = "wuxiao_token", API = "/api/v1";
  var $ = function (id) { return document.getElementById(id); };
  var token = localStorage.getItem(KEY);

  function show(loggedIn) {
    $("login").hidden = loggedIn;
    $("chat").hidden = $("composer").hidden = $("logout").hidden = !loggedIn;
    if (!loggedIn) { $("progress").hidden = true; }
  }

  function bubble(cls, text, img) {
    var li = document.createElement("li");
    li.className = cls;
    if (img) { var el = document.createElement("img"); el.src = img; li.appendChild(el); }
    else { li.textContent = text; }
    $("messages").appendChild(li);
    toBottom();
    return li;
  }

  // The composer is fixed at the bottom; the body's padding keeps the last bubble above it.
  function toBottom() { window.scrollTo(0, document.documentElement.scrollHeight); }

  function options(list) {
    var box = $("options");
    box.innerHTML = "";
    (list || []).forEach(function (label) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      b.addEventListener("click", function () { send(label); });
      box.appendChild(b);
    });
  }

  function progress(p) {
    var el = $("progress");
    if (!p) { el.hidden = true; return; }
    el.hidden = false;
    el.querySelector("span").style.width = Math.round(100 * p.current / p.total) + "%";
    el.querySelector("em").textContent = UI.progress.replace("{current}", p.current).replace("{total}", p.total);
  }

  function render(data) {
    var last = [];
    data.replies.forEach(function (r) { bubble("bot", r.text); last = r.options; });
    options(last);
    progress(data.state.progress);
    toBottom();
    document.body.dataset.step = data.state.step || "";
    if (data.state.done) { bubble("system", UI.done); }
  }

  function call(method, path, body, isForm) {
    var headers = { "Authorization": "Bearer " + token };
    if (!isForm && body !== undefined) { headers["Content-Type"] = "application/json"; }
    return fetch(API + path, { method: method, headers: headers,
                               body: isForm ? body : (body === undefined ? undefined : JSON.stringify(body)) })
      .then(function (res) {
        return res.json().then(function (json) {
          if (res.status === 401) { logout(); throw new Error("401"); }
          if (!res.ok) { bubble("bot", json.error ? json.error.message : UI.network_error); return null; }
          return json;
        });
      });
  }

  function busy(on) { $("send").disabled = on; $("text").disabled = on; }

  function send(text) {
    text = (text === undefined ? $("text").value : text);
    if (!text.trim()) { return; }
    bubble("me", text);
    $("text").value = "";
    busy(true);
    call("POST", "/dialogue/messages", { text: text })
      .then(function (data) { if (data) { render(data); } })
      .catch(function (e) { if (e.message !== "401") { bubble("system", UI.network_error); $("text").value = text; } })
      .finally(function () { busy(false); $("text").focus(); });
  }

  function upload(file) {
    var form = new FormData();
    form.append("image", file, file.name || "photo.jpg");
    bubble("me", "", URL.createObjectURL(file));
    var note = bubble("system", UI.uploading);
    busy(true);
    call("POST", "/dialogue/messages", form, true)
      .then(function (data) { note.remove(); if (data) { render(data); } })
      .catch(function () { note.textContent = UI.network_error; })
      .finally(function () { busy(false); $("photo").value = ""; });
  }

  function start() {
    show(true);
    $("messages").innerHTML = "";
    call("GET", "/dialogue").then(function (data) { if (data) { render(data); } }).catch(function () {});
  }

  function login(code) {
    $("login-error").hidden = true;
    fetch(API + "/auth/login", { method: "POST", headers: { "Content-Type": "application/json" },
                                 body: JSON.stringify({ code: code }) })
      .then(function (res) { return res.json().then(function (j) { return [res.ok, j]; }); })
      .then(function (r) {
        if (!r[0]) { $("login-error").textContent = UI.login_failed + r[1].error.message; $("login-error").hidden = false; return; }
        token = r[1].token;
        localStorage.setItem(KEY, token);
        start();
      })
      .catch(function () { $("login-error").textContent = UI.network_error; $("login-error").hidden = false; });
  }

  function logout() {
    if (token) { fetch(API + "/auth/logout", { method: "POST", headers: { "Authorization": "Bearer " + token } }); }
    token = null;
    localStorage.removeItem(KEY);
    show(false);
  }

  document.querySelectorAll(".demo").forEach(function (b) {
    b.addEventListener("click", function () { login(b.dataset.code); });
  });
  $("login-button").addEventListener("click", function () { login($("code").value.trim()); });
  $("composer").addEventListener("submit", function (e) { e.preventDefault(); send(); });
  $("photo").addEventListener("change", function () { if (this.files[0]) { upload(this.files[0]); } });
  $("logout").addEventListener("click", logout);
  if (token) { start(); } else { show(false); }
})();
