"""Paired timing: subject and baseline interleaved, so machine drift cancels in the ratio."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    name: str
    baseline_name: str
    subject_ms: float
    baseline_ms: float
    ratio: float  # median of per-round subject/baseline
    rounds: int

    def row(self) -> str:
        return (
            f"| {self.name} | {self.subject_ms:.2f} | {self.baseline_name} | "
            f"{self.baseline_ms:.2f} | {self.ratio:.2f}× | {self.rounds} |"
        )


def _mean_ms(fn: Callable[[], object], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) * 1000 / repeat


def paired(
    name: str,
    subject: Callable[[], object],
    baseline_name: str,
    baseline: Callable[[], object],
    *,
    rounds: int = 7,
    repeat: int = 20,
    budget_s: float = 60.0,
) -> Result:
    """Median of per-round means, and the median of per-round ratios; bounded by a time budget."""
    subject()
    baseline()  # warm-up, and a check that both run
    subjects: list[float] = []
    baselines: list[float] = []
    deadline = time.monotonic() + budget_s
    for _ in range(rounds):
        baselines.append(_mean_ms(baseline, repeat))
        subjects.append(_mean_ms(subject, repeat))
        if time.monotonic() > deadline:
            break
    ratios = [s / b for s, b in zip(subjects, baselines, strict=True)]
    return Result(
        name,
        baseline_name,
        statistics.median(subjects),
        statistics.median(baselines),
        statistics.median(ratios),
        len(subjects),
    )


HEADER = (
    "| measured | ms | baseline (same run) | ms | ratio | rounds |\n"
    "| --- | ---: | --- | ---: | ---: | ---: |"
)
