"""The storyboard: tutorial steps with screenshots, captions and the annotated SAML messages.

`Storyboard` collects steps while the walk runs; `write` renders one offline HTML page (no
script, no external resource: images sit next to it) and `storyboard.json`, the manifest the
docs site reads to illustrate the tutorial page.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from playwright.sync_api import Locator, Page

Table = tuple[tuple[str, ...], ...]  # rows of cells; the first row is the header


@dataclass(frozen=True, kw_only=True, slots=True)
class Step:
    number: int
    title: str  # the tutorial's step title
    caption: str  # what the step does, in our words
    image: str  # file name next to the page
    table_title: str = ""
    table: Table = ()


@dataclass(kw_only=True)
class Storyboard:
    folder: Path
    captions: Mapping[str, str]  # step title -> caption
    steps: list[Step] = field(default_factory=list)

    def shot(
        self,
        target: Page | Locator,
        title: str,
        *,
        table_title: str = "",
        table: Table = (),
    ) -> None:
        """Screenshot the page (or one element of it) as the next step."""
        number = len(self.steps) + 1
        image = f"step-{number:02d}.png"
        if isinstance(target, Page):
            target.screenshot(path=self.folder / image, full_page=True)
        else:
            target.screenshot(path=self.folder / image)
        self.steps.append(
            Step(
                number=number,
                title=title,
                caption=self.captions[title],
                image=image,
                table_title=table_title,
                table=table,
            )
        )

    def write(self, *, title: str, summary: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        manifest = {"title": title, "summary": summary, "steps": [asdict(s) for s in self.steps]}
        (self.folder / "storyboard.json").write_text(json.dumps(manifest, indent=2) + "\n")
        page = self.folder / "index.html"
        page.write_text(render(title, summary, self.steps), encoding="utf-8")
        return page


# Read in the page at once: cell by cell cost one browser round trip each (~140 per walk).
_CELLS = """table => Array.from(table.querySelectorAll("tr"), row =>
    Array.from(row.querySelectorAll("th, td"), cell => cell.innerText.trim()))"""


def table_rows(table: Locator) -> Table:
    """A page's table as text cells, header first."""
    rows: list[list[str]] = table.evaluate(_CELLS)
    return tuple(tuple(row) for row in rows)


STYLE = """
body { font-family: "Segoe UI", Arial, sans-serif; margin: 0; background: #f4f4f4; color: #1b1b1b; }
header, main { max-width: 1100px; margin: 0 auto; padding: 16px; }
nav ol { columns: 2; font-size: 14px; }
figure { background: #fff; border: 1px solid #ddd; margin: 24px 0; padding: 14px; }
figure img { max-width: 100%; border: 1px solid #ccc; }
figcaption h2 { font-size: 18px; margin: 0 0 6px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin-top: 10px; }
td, th { border-bottom: 1px solid #e1e1e1; padding: 4px 6px; text-align: left; vertical-align: top;
  word-break: break-all; }
"""


def _table(step: Step) -> str:
    if not step.table:
        return ""
    head, *rows = step.table
    cells = "".join(f"<th>{html.escape(c)}</th>" for c in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    title = html.escape(step.table_title)
    return f'<table aria-label="{title}"><caption>{title}</caption><tr>{cells}</tr>{body}</table>'


def render(title: str, summary: str, steps: list[Step]) -> str:
    toc = "".join(f'<li><a href="#step-{s.number}">{html.escape(s.title)}</a></li>' for s in steps)
    figures = "".join(
        f'<figure id="step-{s.number}"><figcaption><h2>{s.number}. {html.escape(s.title)}</h2>'
        f"<p>{html.escape(s.caption)}</p></figcaption>"
        f'<img src="{html.escape(s.image)}" alt="{html.escape(s.title)}">{_table(s)}</figure>'
        for s in steps
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}'
        f"</title><style>{STYLE}</style></head><body><header><h1>{html.escape(title)}</h1>"
        f"<p>{html.escape(summary)}</p><nav><ol>{toc}</ol></nav></header>"
        f"<main>{figures}</main></body></html>\n"
    )
