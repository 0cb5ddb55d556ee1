"""The generic dialogue engine (engine.py and the modules it is put together from), the flow
registry (flows.py), the target protocol (targets.py), the global commands' words (commands.py)."""
