"""The dialogue engine (engine.py), the answer parsers (parsers.py) and the flow loader."""
