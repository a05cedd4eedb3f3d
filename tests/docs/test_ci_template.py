"""The CI templates (GitHub's workflow, the docs' GitLab job) run `.ci/run`, keep the evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
BOOTSTRAP = {"ca-certificates", "git", "make", "python3", "python3-venv"}


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _installed(commands: str) -> set[str]:
    line = next(cmd for cmd in commands.splitlines() if "apt-get install" in cmd)
    return {word for word in line.split() if not word.startswith("-")} - {"apt-get", "install"}


def test_the_github_workflow_runs_ci_run_in_debian_and_uploads_results_on_failure() -> None:
    job = _load(ROOT / ".github" / "workflows" / "ci.yml")["jobs"]["test"]
    steps = job["steps"]
    runs = [step.get("run", "") for step in steps]

    assert job["runs-on"].startswith("ubuntu")
    assert job["container"]["image"].startswith("debian:")
    assert _installed(runs[0]) >= BOOTSTRAP
    checkout = next(i for i, step in enumerate(steps) if step.get("uses", "").startswith(
        "actions/checkout@"))  # fmt: skip
    ci_run = runs.index(".ci/run")
    assert checkout < ci_run
    upload = steps[ci_run + 1]
    assert upload["uses"].startswith("actions/upload-artifact@")
    assert upload["if"] == "failure()"
    assert upload["with"]["path"] == "test-results/"


def test_the_gitlab_job_in_the_docs_does_the_same() -> None:
    job = _load(ROOT / "docs" / "snippets" / "gitlab-ci.yml")["test"]

    assert job["image"].startswith("debian:")
    assert _installed("\n".join(job["before_script"])) >= BOOTSTRAP
    assert job["script"] == [".ci/run"]
    assert job["artifacts"] == {"when": "on_failure", "paths": ["test-results/"]}


def test_ci_run_is_what_a_developer_runs() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    assert script.rstrip().endswith("make test")
