"""An entry's (and any form's) fields and the rules on single values, below every service and
channel: the field catalogue (catalogue.py, read from the flow data in message_templates/),
the answer-type registry (types.py: parse, options, display for each type), the parsers,
the pure rules (rules.py), applicability of a field (applicability.py), reading and writing
canonical fields on an entry (values.py). The dialogue, the form API, exports and the console
all use it; it imports models and the core only (tests/unit/test_layers.py)."""

from . import rubric  # noqa: E402,F401  (registers the scoring flow's answer types in types.TYPES)
