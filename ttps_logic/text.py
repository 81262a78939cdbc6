"""Message templates (locales/<lang>.yaml) and the Reason factory that pairs text with a clause."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

from .models import Reason, SourceRef
from .params import clause

LOCALES = Path(__file__).parent / "locales"


@lru_cache(maxsize=8)
def templates(lang: str = "en") -> dict[str, dict[str, str]]:
    with open(LOCALES / f"{lang}.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def render(section: str, code: str, values: dict[str, Any], lang: str = "en") -> str:
    return templates(lang)[section][code].format(**values)


@lru_cache(maxsize=4096)
def _source_ref(clause_id: str, day: dt.date) -> tuple[str, str, str, SourceRef]:
    cv = clause(clause_id, day)
    src = cv.source
    return cv.clause_id, cv.label, cv.quote, SourceRef(key=src.key, title=src.title, url=src.url,
                                                       date=src.date)


def reason(code: str, clause_id: str, day: dt.date, met: Optional[bool], *,
           kind: str = "condition", **values: Any) -> Reason:
    """A checked condition (or a piece of information) citing the clause in force on ``day``."""
    cid, label, quote, source = _source_ref(clause_id, day)
    return Reason.model_construct(
        code=code, kind=kind, met=met, clause_id=cid, clause_label=label, clause_text=quote,
        source=source, values=values, message=render("reason", code, values),
    )
