"""What a browser reads from a page: its forms (to submit them as they are) and the few
elements the mock's pages name by id. Pure: text in, data out."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin


@dataclass(frozen=True, kw_only=True, slots=True)
class Form:
    action: str  # absolute
    method: str  # "GET" or "POST"
    fields: tuple[tuple[str, str], ...]  # every named input with its value, in page order
    # Submit buttons by id: the (name, value) a click on each adds (None: it adds nothing).
    buttons: tuple[tuple[str, tuple[str, str] | None], ...] = ()

    def get(self, name: str) -> str | None:
        return next((value for key, value in self.fields if key == name), None)

    def clicked(self, button_id: str) -> tuple[tuple[str, str], ...] | None:
        """The fields as a click on that button submits them; None when there is no such one."""
        for found, pair in self.buttons:
            if found == button_id:
                return (*self.fields, *([pair] if pair else []))
        return None

    def filled(self, **values: str) -> tuple[tuple[str, str], ...]:
        """The fields as the browser submits them, with the user's typing put in."""
        known = {key for key, _ in self.fields}
        kept = [(key, values.get(key, value)) for key, value in self.fields]
        return (*kept, *((k, v) for k, v in values.items() if k not in known))


@dataclass(kw_only=True)
class Page:
    forms: list[Form] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # element id -> its text
    links: dict[str, str] = field(default_factory=dict)  # element id -> absolute href


_VOID = frozenset({"input", "br", "img", "meta", "link", "hr", "source"})


class _Reader(HTMLParser):
    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.page = Page()
        self._form: dict[str, object] | None = None
        self._open_ids: list[tuple[str, str]] = []  # (tag, id) whose text is being read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {
                "action": urljoin(self.base_url, a.get("action") or self.base_url),
                "method": (a.get("method") or "GET").upper(),
                "fields": [],
                "buttons": [],
            }
        elif tag in ("input", "textarea", "select") and self._form is not None and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind not in ("submit", "button", "image", "checkbox", "radio", "file"):
                fields = self._form["fields"]
                assert isinstance(fields, list)
                fields.append((a["name"], a.get("value", "")))
        if tag in ("button", "input") and self._form is not None and "id" in a:
            kind = a.get("type", "submit" if tag == "button" else "text").lower()
            if kind == "submit":
                buttons = self._form["buttons"]
                assert isinstance(buttons, list)
                pair = (a["name"], a.get("value", "")) if a.get("name") else None
                buttons.append((a["id"], pair))
        if "id" in a:
            if tag == "a" and "href" in a:
                self.page.links[a["id"]] = urljoin(self.base_url, a["href"])
            if tag not in _VOID:
                self._open_ids.append((tag, a["id"]))
            self.page.texts[a["id"]] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._form is not None:
            fields, buttons = self._form["fields"], self._form["buttons"]
            assert isinstance(fields, list) and isinstance(buttons, list)
            self.page.forms.append(
                Form(
                    action=str(self._form["action"]),
                    method=str(self._form["method"]),
                    fields=tuple(fields),
                    buttons=tuple(buttons),
                )
            )
            self._form = None
        for index in range(len(self._open_ids) - 1, -1, -1):
            if self._open_ids[index][0] == tag:
                del self._open_ids[index:]  # and any element left unclosed inside it
                break

    def handle_data(self, data: str) -> None:
        for _, element_id in self._open_ids:
            self.page.texts[element_id] += data


def read_page(html: str, base_url: str) -> Page:
    reader = _Reader(base_url)
    reader.feed(html)
    reader.close()
    page = reader.page
    page.texts = {k: " ".join(v.split()) for k, v in page.texts.items()}
    return page


def form_with(page: Page, *names: str) -> Form | None:
    """The first form that carries every one of `names` (e.g. SAMLResponse, or passwd)."""
    for form in page.forms:
        if all(form.get(name) is not None for name in names):
            return form
    return None
