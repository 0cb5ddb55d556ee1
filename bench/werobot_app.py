"""The comparison for bench/wechat_push.py: WeRoBot echoing text messages (runs in the
benchmark's own virtualenv, see wechat_push.py).

By default a plain echo, with WeRoBot's session storage off: the target compares our durable
work against an echo that does none. WEROBOT_SESSION=1 keeps WeRoBot's default (a SQLite session
read and write per message, under instance/) for comparison."""
import os

import werobot
from werobot.session.sqlitestorage import SQLiteStorage

if os.environ.get("WEROBOT_SESSION") == "1":
    robot = werobot.WeRoBot(token="sandboxtoken", session_storage=SQLiteStorage(
        os.path.join(os.environ.get("WEROBOT_SESSION_DIR", "."), "werobot_session.sqlite3")))
else:
    robot = werobot.WeRoBot(token="sandboxtoken", enable_session=False)


@robot.text
def echo(message):
    return message.content


app = robot.wsgi
