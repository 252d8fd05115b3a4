"""Hypothesis settings of the solver tests: pinned examples, reproducible failures.

``derandomize`` draws each test's examples from a seed derived from the test itself, so every run
(CI's included) checks the same cases and a failure seen once is seen again; ``print_blob`` prints
the ``@reproduce_failure`` line with the failing example. No deadline: the examples run CP-SAT,
whose speed depends on the machine's load, which a test of rules must not.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings


def pinned(max_examples: int) -> settings:
    """Settings for a property test of ``max_examples`` pinned examples."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
