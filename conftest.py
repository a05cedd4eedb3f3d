"""Plugins for the whole suite: every failing test leaves its evidence in test-results/."""

pytest_plugins = ["e2e.evidence"]
