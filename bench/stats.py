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


@dataclass(frozen=True)
class Goal:
    """What the ratio must be: at most (`<=`) or at least (`>=`) `value`, and an optional floor
    on our absolute figure (e.g. responses per second)."""

    op: str
    value: float
    text: str

    def met(self, ratio: float) -> bool:
        return ratio <= self.value if self.op == "<=" else ratio >= self.value


@dataclass(frozen=True)
class Row:
    """One line of the issue's table: ours and the peer, measured in the same run."""

    metric: str
    ours: str
    peer: str
    ratio: float
    goal: Goal
    extra_ok: bool = True  # an absolute goal besides the ratio (e.g. ≥ 1,000/s)

    @property
    def met(self) -> bool:
        return self.goal.met(self.ratio) and self.extra_ok

    def line(self) -> str:
        return (
            f"| {self.metric} | {self.ours} | {self.peer} | {self.ratio:.2f}× | {self.goal.text} "
            f"| {'yes' if self.met else 'NO'} |"
        )


TABLE_HEADER = (
    "| metric | ours | peer, same run | ratio | goal | met? |\n"
    "| --- | ---: | ---: | ---: | --- | --- |"
)


def ratio_row(result: Result, metric: str, goal: Goal) -> Row:
    """A timed pair (ours / peer, in ms) as a table row."""
    return Row(
        metric,
        f"{result.subject_ms:.1f} ms",
        f"{result.baseline_ms:.1f} ms ({result.baseline_name})",
        result.ratio,
        goal,
    )
