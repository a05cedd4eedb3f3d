"""`python -m bench [SECTION…]`: the issue's table, each figure next to a peer measured in the
same run (metric, ours, peer, ratio, goal, met?). `python -m bench load`: the load test."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from bench import inprocess, live
from bench.stats import TABLE_HEADER, Row

SECTIONS: dict[str, Callable[[], Row]] = {
    "verify": inprocess.sp_verification,
    "idp": live.idp_throughput,
    "http": live.http_sign_in,
    "browser": live.browser_sign_in,
    "start": live.cold_start,
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["load"]:
        from bench import load

        return load.main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "sections", nargs="*", metavar="SECTION",
        help=f"any of {', '.join(SECTIONS)} (default: all); or `load`",
    )  # fmt: skip
    args = parser.parse_args(argv)
    unknown = [s for s in args.sections if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {unknown}; choose from {list(SECTIONS)} or `load`")
    rows: list[str] = [TABLE_HEADER]
    for name in args.sections or list(SECTIONS):
        row = SECTIONS[name]()
        rows.append(row.line())
        print(row.line(), file=sys.stderr, flush=True)
    table = "\n".join(rows)
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.md").write_text(table + "\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
