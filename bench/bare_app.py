"""The baseline: a bare Flask endpoint returning a small JSON body, run under the same gunicorn
settings as the service so the ratio measures our work, not the machine."""
from flask import Flask, jsonify

app = Flask(__name__)


@app.post("/bare")
@app.get("/bare")
def bare():
    return jsonify({"ok": True})
