"""An e-station agent is greeted once: the engine shows welcome + "\n" + welcome_agent (issue 12, 16b)."""
from server.texts import lookup


def test_agent_welcome_says_hello_once():
    text = lookup("dialogue.welcome") + "\n" + lookup("dialogue.welcome_agent")
    assert text.count("您好") == 1
    assert "为农户申报" in text
