"""gunicorn wsgi:app"""
import gc

from server import create_app

app = create_app()
# Everything made at start-up lives as long as the process: keep it out of the collector's
# scans, so a full collection during a request is short (measured in bench/dialogue.py).
gc.freeze()
