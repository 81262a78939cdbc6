"""Message templates (locales/<lang>.yaml) and the Reason factory that pairs text with a clause."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

from pydantic import BaseModel

from .models import Reason, SourceRef
from .params import ClauseVersion, clause

LOCALES = Path(__file__).parent / "locales"


@lru_cache(maxsize=8)
def templates(lang: str = "en") -> dict[str, dict[str, str]]:
    with open(LOCALES / f"{lang}.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def render(section: str, code: str, values: dict[str, Any], lang: str = "en") -> str:
    return templates(lang)[section][code].format(**values)


@lru_cache(maxsize=256)
def _citation(cv: ClauseVersion) -> tuple[str, str, str, SourceRef]:
    src = cv.source
    return cv.clause_id, cv.label, cv.quote, SourceRef(key=src.key, title=src.title, url=src.url,
                                                       date=src.date)


def fast_construct(cls: type[BaseModel], **fields: Any) -> BaseModel:
    """Build an output model from trusted, complete fields without validation.

    Equivalent to ``cls.model_construct(**fields)`` when every field is given; it skips the
    default-filling loop, which dominates on the assessment hot path. Output models are
    validated in tests (round trip through JSON)."""
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", fields)
    object.__setattr__(obj, "__pydantic_fields_set__", set(fields))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


def reason(code: str, clause_id: str, day: dt.date, met: Optional[bool], *,
           kind: str = "condition", **values: Any) -> Reason:
    """A checked condition (or a piece of information) citing the clause in force on ``day``."""
    cid, label, quote, source = _citation(clause(clause_id, day))
    return fast_construct(Reason,
        code=code, kind=kind, met=met, clause_id=cid, clause_label=label, clause_text=quote,
        source=source, values=values, message=render("reason", code, values),
    )
