# Read by gunicorn from the working directory (scripts/run.sh, the launcher, `gunicorn wsgi:app`
# in production): access log lines never show WeChat's signature/timestamp/nonce/msg_signature
# nor bearer tokens (server/hooks/access_log.py).
from server.hooks.access_log import gunicorn_logger_class

logger_class = gunicorn_logger_class()
