"""Workspace-wide pytest configuration: hypothesis profiles.

``ci`` (selected when ``CI=true``) is derandomized so that CI runs are reproducible
and bounded; each test chooses its own ``max_examples`` with ``@settings`` where the
default does not fit.  ``dev`` is the default for local runs.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=50,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=50)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") == "true" else "dev")
)
