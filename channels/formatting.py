"""Turn the assistant's Markdown-ish replies into text each channel shows well.

The actions write **bold**, _italic_ (whole phrases) and [links](https://...), with "•" bullets and
line breaks. Each channel gets its own rendering:

* ``plain``     SMS and Messenger: no markup; a link becomes "text (url)".
* ``whatsapp``  WhatsApp: *bold* and _italic_; links as "text (url)".
* ``telegram``  Telegram HTML parse mode: <b>, <i>, <a href>, with &, <, > escaped.
* ``slack``     Slack mrkdwn: *bold*, _italic_, <url|text>, with &, <, > escaped.

``split_text`` cuts a long reply into pieces under a channel's limit at the best boundary it can
find: a blank line, then a line break, then the end of a sentence, then a space; never inside a
link. Splitting is done on the source text, before rendering, so markup is never cut in half.

No Rasa import here: this module is unit-tested on its own. (The channels' own words, e.g. in\n``numbered_options``, come from ``channels/locales`` through ``channels.i18n``.)
"""
from __future__ import annotations

import html
import re
from typing import Any, Callable, Iterable, List, Mapping, Optional, Sequence

from .i18n import text as say

STYLES = ("plain", "whatsapp", "telegram", "slack")

LINK_RE = re.compile(r"\[([^\]\n]+)\]\(((?:https?://|mailto:|tel:)[^)\s]+)\)")
# **bold** on one line, the inner text starting and ending with a non-space.
BOLD_RE = re.compile(r"\*\*(?=\S)([^\n]*?\S)\*\*")
# _italic_ as the actions use it: opened after start/space/punctuation, closed before a non-word
# character, so snake_case words and URLs are left alone.
ITALIC_RE = re.compile(r"(?<![\w\\])_(?=\S)([^\n]*?[^\s\\])_(?!\w)")
_PLACEHOLDER = "\x00{}\x00"
_PLACEHOLDER_RE = re.compile("\x00(\\d+)\x00")


GENERIC_LABELS = {"source", "link", "here", "more", "details", "this page", "click here"}


def _link_plain(label: str, url: str, in_parens: bool = False) -> str:
    """'text (url)'; just the url when the text adds nothing; 'text: url' when the link is
    already in parentheses, so "([source](u))" reads "(u)" and "([FAQ](u))" reads "(FAQ: u)"."""
    target = url[len("mailto:"):] if url.startswith("mailto:") else url
    target = target[len("tel:"):] if target.startswith("tel:") else target
    bare = re.sub(r"^https?://(www\.)?", "", target).rstrip("/")
    shown = label.strip()
    if shown in (url, target, bare) or shown.rstrip("/") == bare or shown.lower() in GENERIC_LABELS:
        return target
    return f"{shown}: {target}" if in_parens else f"{shown} ({target})"


def render(text: str, style: str = "plain") -> str:
    """Render the assistant's Markdown for one channel style (see the module docstring)."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; expected one of {STYLES}")
    if not text:
        return ""
    links: List[str] = []

    def keep_link(m: re.Match) -> str:
        label, url = m.group(1), m.group(2)
        if style == "telegram":
            out = f'<a href="{html.escape(url, quote=True)}">{html.escape(label, quote=False)}</a>'
        elif style == "slack":
            out = f"<{_slack_escape(url)}|{_slack_escape(label).replace('|', '/')}>"
        else:
            whole = m.string
            in_parens = (m.start() > 0 and whole[m.start() - 1] == "("
                         and whole[m.end():m.end() + 1] == ")")
            out = _link_plain(label, url, in_parens)
        links.append(out)
        return _PLACEHOLDER.format(len(links) - 1)

    text = LINK_RE.sub(keep_link, text.replace("\x00", ""))
    if style == "telegram":
        text = html.escape(text, quote=False)
    elif style == "slack":
        text = _slack_escape(text)

    bold, italic = {
        "plain": ("{}", "{}"),
        "whatsapp": ("*{}*", "_{}_"),
        "telegram": ("<b>{}</b>", "<i>{}</i>"),
        "slack": ("*{}*", "_{}_"),
    }[style]
    text = BOLD_RE.sub(lambda m: bold.format(m.group(1)), text)
    text = ITALIC_RE.sub(lambda m: italic.format(m.group(1)), text)
    return _PLACEHOLDER_RE.sub(lambda m: links[int(m.group(1))], text)


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ---------------------------------------------------------------------------------------------
# Splitting

_SENTENCE_END = re.compile(r"[.!?…][\"”’)\]]*\s+|[。！？]")


def _protected(text: str) -> List[range]:
    return [range(m.start() + 1, m.end()) for m in LINK_RE.finditer(text)]


def _fitting(text: str, limit: int, measure: Callable[[str], int]) -> int:
    """How many leading characters of ``text`` fit in ``limit`` by ``measure`` (which grows
    with the text: characters, UTF-16 units, UTF-8 bytes)."""
    if measure is len:
        return min(len(text), limit)
    lo, hi = 0, min(len(text), limit)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if measure(text[:mid]) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _best_cut(text: str, limit: int) -> int:
    """Index to cut ``text`` at so that ``text[:index]`` fits in ``limit`` characters."""
    window = text[: limit + 1]
    spans = _protected(text)

    def ok(i: int) -> bool:
        return 0 < i <= limit and not any(i in s for s in spans)

    floor = max(1, limit // 3)  # a boundary too near the start wastes a message
    candidates = [
        [m.start() for m in re.finditer(r"\n\s*\n", window)],
        [m.start() for m in re.finditer(r"\n", window)],
        [m.end() for m in _SENTENCE_END.finditer(window)],
        [m.start() for m in re.finditer(r"\s", window)],
    ]
    for positions in candidates:
        good = [i for i in positions if ok(i) and i >= floor]
        if good:
            return max(good)
    for positions in candidates:  # accept an early boundary rather than cut a word
        good = [i for i in positions if ok(i)]
        if good:
            return max(good)
    return limit


def split_text(text: str, limit: int, measure: Callable[[str], int] = len) -> List[str]:
    """Split ``text`` into stripped pieces of at most ``limit`` characters, or of ``limit`` by
    ``measure`` (e.g. UTF-8 bytes), see the module doc."""
    if limit < 1:
        raise ValueError("limit must be positive")
    text = (text or "").strip()
    pieces: List[str] = []
    while measure(text) > limit:
        cut = _best_cut(text, max(1, _fitting(text, limit, measure)))
        piece = text[:cut].rstrip()
        if piece:
            pieces.append(piece)
        text = text[cut:].strip()
    if text:
        pieces.append(text)
    return pieces


def split_rendered(text: str, limit: int, style: str,
                   measure: Callable[[str], int] = len) -> List[str]:
    """Split the source text, then render each piece; re-split any piece whose rendering (which
    can be longer, e.g. HTML tags and entities) exceeds ``limit`` by ``measure`` (characters,
    UTF-16 units, UTF-8 bytes for WeChat); the limit stays the same however often a piece is
    re-split."""
    out: List[str] = []
    for piece in split_text(text, limit, measure):
        out.extend(_fit(piece, limit, style, measure))
    return out


def _fit(piece: str, limit: int, style: str, measure: Callable[[str], int]) -> List[str]:
    rendered = render(piece, style)
    size = measure(rendered)
    if size <= limit or len(piece) <= 1:
        return [rendered]
    chars = min(len(piece) - 1, max(1, limit * len(piece) // size))
    out: List[str] = []
    for sub in split_text(piece, chars):
        out.extend(_fit(sub, limit, style, measure))
    return out


# ---------------------------------------------------------------------------------------------
# Buttons and payloads


def _title(button: Mapping[str, Any]) -> str:
    return " ".join(str(button.get("title") or button.get("payload") or "").split())


def numbered_options(buttons: Sequence[Mapping[str, Any]], lang: Optional[str] = None) -> str:
    """'Reply 1 for Yes, 2 for No, 3 for I don't know.' for channels without buttons, in
    ``lang`` ("请回复编号：1 是；2 否。"); the words are in channels/locales."""
    titles = [_title(b).rstrip(".?!:;。？！：；") for b in buttons]
    if not titles:
        return ""
    comma = any("," in t or "，" in t for t in titles)
    sep = say("options.separator_commas" if comma else "options.separator", lang)
    item = say("options.item", lang)
    items = sep.join(item.format(number=i, title=t) for i, t in enumerate(titles, 1))
    return say("options.line", lang).format(items=items)


def keyboard_rows(buttons: Sequence[Mapping[str, Any]], per_row: int = 3,
                  row_chars: int = 28) -> List[List[Mapping[str, Any]]]:
    """Group buttons into keyboard rows: short titles share a row, long ones get their own."""
    rows: List[List[Mapping[str, Any]]] = []
    row: List[Mapping[str, Any]] = []
    width = 0
    for b in buttons:
        w = len(_title(b))
        if row and (len(row) >= per_row or width + w > row_chars):
            rows.append(row)
            row, width = [], 0
        row.append(b)
        width += w
    if row:
        rows.append(row)
    return rows


def truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def is_card_payload(json_message: Any) -> bool:
    """The verdict's result-card payload {"data": {"ttps_assessment": ...}}, which only the web
    widget draws. Text channels drop it: the verdict text already says the same."""
    return (isinstance(json_message, Mapping)
            and isinstance(json_message.get("data"), Mapping)
            and "ttps_assessment" in json_message["data"])


def only_keys(json_message: Any, allowed: Iterable[str]) -> bool:
    return isinstance(json_message, Mapping) and set(json_message) <= set(allowed)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def strip_html_len(text: str) -> int:
    """Telegram's limit applies to the text after entity parsing: count without tags."""
    return utf16_len(html.unescape(re.sub(r"<[^>]+>", "", text)))
