"""Drive Django admin forms the way a browser does: post back exactly what the page shows.

`form_data()` reads a rendered admin page with BeautifulSoup and collects the values a
browser would submit for its main form (the change form, or the change list's action
form): every enabled input, select and textarea, including the inline formsets'
management forms. Tests then change a few values and post the whole thing back.
"""

from bs4 import BeautifulSoup, Tag

Data = dict[str, str | list[str]]

# Inputs a browser never sends unless they are the button clicked, or sends as files.
_NOT_SENT = {"submit", "button", "image", "reset", "file"}


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def main_form(response) -> Tag:
    """The admin page's main form: the change form `<form id="<model>_form">`, else the
    change list's `<form id="changelist-form">`."""
    soup = page(response)
    form = soup.find("form", id=lambda value: bool(value) and value.endswith("_form"))
    form = form or soup.find("form", id="changelist-form")
    assert form is not None, "no admin form on the page"
    return form


def form_data(response, *, submit: str | None = "_save") -> Data:
    """The values a browser would post for the page's main form.

    `submit` is the name of the clicked button ("_save", "_continue", …), or None.
    """
    data: Data = {}

    def add(name: str, value: str) -> None:
        if name in data:
            previous = data[name]
            data[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            data[name] = value

    for field in main_form(response).find_all(["input", "select", "textarea"]):
        name = field.get("name")
        if not name or field.has_attr("disabled"):
            continue
        if field.name == "input":
            kind = (field.get("type") or "text").lower()
            if kind in _NOT_SENT:
                continue
            if kind in ("checkbox", "radio"):
                if field.has_attr("checked"):
                    add(name, field.get("value", "on"))
                continue
            add(name, field.get("value", ""))
        elif field.name == "textarea":
            text = field.string or ""
            # HTML drops one newline right after <textarea>; Django's widget writes one.
            add(name, text[1:] if text.startswith("\n") else text)
        else:
            options = field.find_all("option")
            chosen = [option for option in options if option.has_attr("selected")]
            if field.has_attr("multiple"):
                data[name] = [_option_value(option) for option in chosen]
            elif chosen or options:
                # A single select with nothing marked sends its first option.
                add(name, _option_value((chosen or options)[-1 if chosen else 0]))
    if submit:
        data[submit] = "保存"
    return data


def _option_value(option: Tag) -> str:
    value = option.get("value")
    return option.get_text() if value is None else value


def inline_index(data: Data, prefix: str, pk) -> int:
    """The form number of the inline row showing object `pk` (`<prefix>-<n>-id`)."""
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    for n in range(total):
        if data.get(f"{prefix}-{n}-id") == str(pk):
            return n
    raise AssertionError(f"no {prefix} row for pk {pk}")


def extra_index(data: Data, prefix: str) -> int:
    """The form number of the first blank (extra) inline row."""
    initial, total = int(data[f"{prefix}-INITIAL_FORMS"]), int(data[f"{prefix}-TOTAL_FORMS"])
    assert total > initial, f"the {prefix} inline shows no extra row"
    return initial


def errors(response) -> list[str]:
    """Every error message the page shows: field, form and formset errors."""
    return [item.get_text(strip=True) for item in page(response).select("ul.errorlist li")]
