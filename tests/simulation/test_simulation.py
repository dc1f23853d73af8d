"""Issue 14: the stateful simulation of the province (tests/simulation/machine.py).

The short profile runs in the normal suite (``SIMULATION_PROFILE`` unset: 30 sequences of 40
steps, derandomised so every run of ``make test`` takes the same sequences); ``make simulate``
runs the long one and prints the summary (docs/simulation.md).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.simulation import machine, world

PROFILES = {
    "short": {
        "max_examples": int(os.environ.get("SIMULATION_SEQUENCES", 30)),
        "stateful_step_count": 40,
        "derandomize": True,
        "database": None,
    },
    "long": {"max_examples": int(os.environ.get("SIMULATION_SEQUENCES", 100)), "stateful_step_count": 200},
}


@pytest.mark.django_db
def test_province():
    profile = os.environ.get("SIMULATION_PROFILE", "short")
    machine.Province.world = world.build()
    machine.STATS.restart()  # the summary's time is the sequences', not the province's building
    try:
        run_state_machine_as_test(
            machine.Province,
            settings=settings(
                deadline=None,
                suppress_health_check=list(HealthCheck),
                **PROFILES[profile],
                # SIMULATION_NOSHRINK=1: report the first failure as found (faster while working)
                **({"phases": [Phase.generate]} if os.environ.get("SIMULATION_NOSHRINK") else {}),
            ),
        )
    finally:
        if profile != "short" or os.environ.get("SIMULATION_SUMMARY"):
            print("\n" + machine.STATS.summary())
