"""`python -m bench [section…]`: run the benchmarks and print a Markdown table of ratios."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from bench import inprocess, live
from bench.stats import HEADER, Result

SECTIONS: dict[str, Callable[[], Result | list[Result]]] = {
    "sign": inprocess.idp_signing,
    "verify": inprocess.sp_verification,
    "login": live.browser_login,
    "start": live.cold_start,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "sections",
        nargs="*",
        metavar="SECTION",
        help=f"any of {', '.join(SECTIONS)} (default: all)",
    )
    args = parser.parse_args(argv)
    unknown = [s for s in args.sections if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {unknown}; choose from {list(SECTIONS)}")
    args.sections = args.sections or list(SECTIONS)
    rows: list[str] = [HEADER]
    for name in args.sections:
        results = SECTIONS[name]()
        for result in results if isinstance(results, list) else [results]:
            rows.append(result.row())
            print(result.row(), file=sys.stderr, flush=True)
    table = "\n".join(rows)
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.md").write_text(table + "\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
