"""The comparison for bench/wechat_push.py: WeRoBot echoing text messages (runs in the
benchmark's own virtualenv, see wechat_push.py)."""
import werobot

robot = werobot.WeRoBot(token="sandboxtoken")


@robot.text
def echo(message):
    return message.content


app = robot.wsgi
