"""`python -m mock_idp.faults [--markdown | --json | --update FILE]`: the catalogue, printed."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mock_idp.faults.catalogue import CATALOGUE
from mock_idp.faults.describe import case_json, markdown_table, with_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mock_idp.faults", description=__doc__)
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--markdown", action="store_true", help="the table (the default)")
    output.add_argument("--json", action="store_true", help="every case as JSON")
    output.add_argument(
        "--update", type=Path, metavar="FILE", help="rewrite the table between FILE's markers"
    )
    args = parser.parse_args(argv)
    if args.json:
        print(json.dumps([case_json(c) for c in CATALOGUE], indent=2))
        return 0
    table = markdown_table(CATALOGUE)
    if args.update:
        try:
            text = args.update.read_text(encoding="utf-8")
            args.update.write_text(with_table(text, table), encoding="utf-8")
        except (OSError, ValueError) as exc:
            print(f"python -m mock_idp.faults: {args.update}: {exc}", file=sys.stderr)
            return 2
        print(f"{args.update}: {len(CATALOGUE)} cases")
        return 0
    sys.stdout.write(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
