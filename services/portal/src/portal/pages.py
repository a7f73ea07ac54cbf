"""How the portal renders a page: Jinja2 templates, gettext catalogues, Norwegian formats.

Messages are written in English in the code and templates (`_("Find a free hall")`) and
translated to bokmål by the catalogues under `locales/nb/LC_MESSAGES/`, one `.po` file per
feature (`common.po` for the frame every page shares). Bokmål is the default; English is one
switch away and remembered in a cookie. Dates, times and amounts are formatted with Babel for
the chosen language in Europe/Oslo.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal

from babel import dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from samspill.recurrence import OSLO

Language = Literal["nb", "en"]
LANGUAGES: tuple[Language, ...] = ("nb", "en")
DEFAULT_LANGUAGE: Language = "nb"
LANGUAGE_COOKIE = "samspill_lang"
LOCALES: Mapping[Language, str] = {"nb": "nb_NO", "en": "en_GB"}
PACKAGE = Path(__file__).parent
TEMPLATES = PACKAGE / "templates"
CATALOGUES = PACKAGE / "locales"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Mark a message for the catalogue without translating it here."""
    return message


def language_of(request: Request) -> Language:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return "en" if chosen == "en" else DEFAULT_LANGUAGE


def load_translations(language: Language) -> Translations:
    """Every feature's catalogue for `language`, merged (English is the source: no catalogue)."""
    merged = Translations()
    folder = CATALOGUES / language / "LC_MESSAGES"
    for path in sorted(folder.glob("*.po")) if folder.is_dir() else []:
        with path.open("rb") as po:
            catalog = read_po(po, locale=language)
        compiled = io.BytesIO()
        write_mo(compiled, catalog)
        compiled.seek(0)
        merged.merge(Translations(fp=compiled))
    return merged


Day = date | datetime | str  # a date, or an instant / ISO text read in Oslo time
Moment = datetime | str


@dataclass(frozen=True)
class Formats:
    """Dates, times and money the way the language writes them, in Oslo time."""

    language: Language

    @property
    def locale(self) -> str:
        return LOCALES[self.language]

    def date(self, value: Day, format: str = "long") -> str:
        return dates.format_date(_as_date(value), format=format, locale=self.locale)

    def weekday_date(self, value: Day) -> str:
        """«tirsdag 9. mars 2027» / «Tuesday 9 March 2027»."""
        pattern = "EEEE d. MMMM y" if self.language == "nb" else "EEEE d MMMM y"
        return dates.format_date(_as_date(value), format=pattern, locale=self.locale)

    def time(self, value: Moment) -> str:
        return dates.format_time(_local(value), format="HH:mm", locale=self.locale)

    def datetime(self, value: Moment, format: str = "medium") -> str:
        local = _local(value)
        return f"{self.date(local, format)} {self.time(local)}"

    def money(self, amount: Decimal | float | int | str, currency: str = "NOK") -> str:
        return numbers.format_currency(Decimal(str(amount)), currency, locale=self.locale)


def _local(value: datetime | str) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(OSLO) if moment.tzinfo else moment.replace(tzinfo=OSLO)


def _as_date(value: date | datetime | str) -> date:
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        return _local(value).date()
    return value


class Pages:
    """One Jinja2 environment per language, each with that language's translations."""

    def __init__(self, globals_: Mapping[str, Any] | None = None) -> None:
        self.environments = {language: self._environment(language) for language in LANGUAGES}
        for environment in self.environments.values():
            environment.globals.update(globals_ or {})

    @staticmethod
    def _environment(language: Language) -> Environment:
        environment = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"]),
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        environment.install_gettext_translations(  # type: ignore[attr-defined]
            _translations(language), newstyle=True
        )
        formats = Formats(language)
        environment.filters.update(
            date=formats.date,
            weekday_date=formats.weekday_date,
            time=formats.time,
            datetime=formats.datetime,
            money=formats.money,
        )
        environment.globals.update(language=language, formats=formats)
        return environment

    def render(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any] | None = None,
        *,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        """The page, or only its `fragment` block when htmx asks for a part of it."""
        language = language_of(request)
        page = self.environments[language].get_template(template)
        values = {"request": request, **(context or {})}
        if request.headers.get("hx-request") == "true" and "fragment" in page.blocks:
            body = "".join(page.blocks["fragment"](page.new_context(values)))
        else:
            body = page.render(values)
        return HTMLResponse(body, status_code=status_code, headers=dict(headers or {}))

    def gettext(self, request: Request, message: str) -> str:
        return _translations(language_of(request)).gettext(message)


@cache
def _translations(language: Language) -> Translations:
    return load_translations(language)


# --- the catalogues ---------------------------------------------------------------------------

COMMON = "common"
_EXTRACTORS = [("**.py", "python"), ("**.html", "jinja2")]
_JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}


def catalogue_names() -> list[str]:
    """`common` (the frame, errors, shared modules) and one per feature package."""
    features = sorted(p.parent.name for p in PACKAGE.glob("*/routes.py"))
    return [COMMON, *features]


def _sources(name: str) -> list[Path]:
    if name == COMMON:
        modules = [p for p in PACKAGE.glob("*.py")] + list((PACKAGE / "domain").glob("*.py"))
        templates = list(TEMPLATES.glob("*.html")) + list((TEMPLATES / "partials").glob("*.html"))
        return sorted(modules + templates)
    return sorted([*(PACKAGE / name).glob("*.py"), *(TEMPLATES / name).glob("**/*.html")])


def extract_messages(name: str) -> dict[str, list[str]]:
    """The messages catalogue `name` must translate, each with where it is used."""
    from babel.messages.extract import extract_from_file

    found: dict[str, list[str]] = {}
    for path in _sources(name):
        method = "jinja2" if path.suffix == ".html" else "python"
        options = _JINJA_OPTIONS if method == "jinja2" else {}
        keywords = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
        for line, message, _comments, _context in extract_from_file(
            method, str(path), keywords=keywords, options=options
        ):
            msgid = message if isinstance(message, str) else message[0]
            where = f"{path.relative_to(PACKAGE)}:{line}"
            found.setdefault(msgid, []).append(where)
    return found


def update_catalogue(name: str, language: Language = "nb") -> tuple[int, int]:
    """Add the messages `name` uses to its `.po` (empty translations), drop the unused ones;
    returns (added, dropped). Translations already there are kept."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    path = CATALOGUES / language / "LC_MESSAGES" / f"{name}.po"
    old = Catalog(locale=language)
    if path.exists():
        with path.open("rb") as po:
            old = read_po(po, locale=language)
    used = extract_messages(name)
    if name != COMMON:
        shared = extract_messages(COMMON)
        used = {msgid: places for msgid, places in used.items() if msgid not in shared}
    new = Catalog(locale=language, project="Samspill", charset="utf-8", fuzzy=False)
    for msgid, places in sorted(used.items()):
        kept = old.get(msgid)
        new.add(
            msgid,
            kept.string if kept is not None else "",
            locations=[(place.rsplit(":", 1)[0], int(place.rsplit(":", 1)[1])) for place in places],
        )
    added = len(set(used) - {m.id for m in old if m.id})
    dropped = len({m.id for m in old if m.id} - set(used))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po:
        write_po(po, new, width=100, omit_header=True, sort_output=True, include_lineno=False)
    return added, dropped
