"""Results jobs: seasons whose publicity period (公示) has ended become final."""
from __future__ import annotations

from .app_context import with_app
from .periodic import repeats


@with_app
@repeats("publicity_finalise")
def finalise_due() -> list[int]:
    from server.services.publicity import finalise_due as finalise
    return finalise()
