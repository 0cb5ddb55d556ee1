"""Request hooks installed by create_app(): the Server-Timing header (timing.py) and the
cookie-session policy (sessions.py: cookie sessions for the office console only)."""
