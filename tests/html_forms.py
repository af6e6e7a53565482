"""Read a page's form the way a browser submits it, so a test can post "what the page shows".

``form_data(html)`` returns the successful controls of the first ``<form method="post">`` that
contains a submit button (or of the form with ``form_id``): text-like inputs with their value,
checked checkboxes and radios, the selected option of each select (the first option when none is
marked selected), every selected option of a multiple select, and textareas. Submit buttons and
disabled controls are left out, as a browser leaves them out.
"""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"id": a.get("id"), "method": (a.get("method") or "get").lower()}
            self._form["fields"] = []
            return
        if self._form is None or "disabled" in a:
            return
        fields = self._form["fields"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"} or not a.get("name"):
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            default = "on" if kind in {"checkbox", "radio"} else ""
            fields.append((a["name"], a.get("value", default)))
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "multiple": "multiple" in a, "options": []}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
            self._select["options"].append(self._option)
        elif tag == "textarea" and a.get("name"):
            self._textarea = {"name": a["name"], "text": ""}

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            options = self._select["options"]
            chosen = [o for o in options if o["selected"]]
            if not chosen and options and not self._select["multiple"]:
                chosen = options[:1]
            for option in chosen:
                value = option["value"] if option["value"] is not None else option["text"].strip()
                self._form["fields"].append((self._select["name"], value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            text = self._textarea["text"]
            self._form["fields"].append((self._textarea["name"], text.removeprefix("\n")))
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def form_fields(html: str, form_id: str | None = None) -> list[tuple[str, str]]:
    """The (name, value) pairs a browser would post for the page's main post form."""
    reader = _FormReader(form_id)
    reader.feed(html)
    for form in reader.forms:
        if form_id is not None and form["id"] != form_id:
            continue
        if form_id is None and form["method"] != "post":
            continue
        if form_id is None and not any(name != "csrfmiddlewaretoken" for name, _ in form["fields"]):
            continue
        return form["fields"]
    raise AssertionError(f"no form {form_id or 'with method=post'} on the page")


def form_data(html: str, form_id: str | None = None) -> dict[str, str | list[str]]:
    """``form_fields`` as a dict for Django's test client (repeated names become lists)."""
    data: dict[str, str | list[str]] = {}
    for name, value in form_fields(html, form_id):
        if name in data:
            previous = data[name]
            data[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            data[name] = value
    return data
