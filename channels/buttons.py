"""Remember the last buttons shown to each person, so a reply can be mapped back to a payload.

Channels without buttons (SMS, WhatsApp) show "Reply 1 for Yes, 2 for No."; when the person then
answers with a bare number, it becomes that button's payload. Telegram uses it for reply
keyboards (the button title comes back as text) and for payloads too long for inline buttons.

The memory is in-process and bounded: at most ``max_senders`` people (least recently used are
forgotten first), each entry expiring after ``ttl_seconds``. An entry is consumed by the next
message from that person, whether or not it matched, so an old question's numbers never apply to
a later one. With several Rasa processes behind a load balancer a number may reach a process that
did not send the question; it then goes through unchanged as ordinary text.
"""
from __future__ import annotations

import re
import time
from collections import OrderedDict
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

# "2", "2.", "#2", and as typed on a Chinese keyboard: "２", "2。", "２、", "（2）".
NUMBER_RE = re.compile(r"^\s*[#＃(（]?\s*(\d{1,2})\s*[.)。、．）]?\s*$")
TOKEN_PREFIX = "ttps-btn:"


def _norm(text: str) -> str:
    return " ".join(text.casefold().split()).rstrip(".!?")


class ButtonMemory:
    def __init__(self, max_senders: int = 10_000, ttl_seconds: float = 24 * 3600,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if max_senders < 1:
            raise ValueError("max_senders must be at least 1")
        self.max_senders = int(max_senders)
        self.ttl_seconds = float(ttl_seconds)
        self._clock = clock
        self._entries: "OrderedDict[str, Tuple[float, List[Tuple[str, str]]]]" = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def remember(self, sender_id: Any, buttons: Sequence[Mapping[str, Any]]) -> None:
        """Store the buttons just sent to ``sender_id`` (replacing any earlier ones)."""
        pairs = [(str(b.get("title") or ""), str(b.get("payload") or b.get("title") or ""))
                 for b in buttons if b.get("payload") or b.get("title")]
        key = str(sender_id)
        if not pairs:
            self._entries.pop(key, None)
            return
        self._entries[key] = (self._clock(), pairs)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_senders:
            self._entries.popitem(last=False)

    def peek(self, sender_id: Any) -> Optional[List[Tuple[str, str]]]:
        entry = self._entries.get(str(sender_id))
        if entry is None or self._clock() - entry[0] > self.ttl_seconds:
            return None
        return list(entry[1])

    def resolve(self, sender_id: Any, text: Optional[str], *, numbers: bool = True,
                titles: bool = True, tokens: bool = True) -> Optional[str]:
        """The payload ``text`` stands for, or ``text`` unchanged. Consumes the entry."""
        pairs = self.peek(sender_id)
        self._entries.pop(str(sender_id), None)
        if text is None or not pairs:
            return text
        if tokens and text.startswith(TOKEN_PREFIX):
            index = text[len(TOKEN_PREFIX):]
            if index.isdigit() and 1 <= int(index) <= len(pairs):
                return pairs[int(index) - 1][1]
            return text
        if numbers:
            m = NUMBER_RE.match(text)
            if m and 1 <= int(m.group(1)) <= len(pairs):
                return pairs[int(m.group(1)) - 1][1]
        if titles:
            wanted = _norm(text)
            for title, payload in pairs:
                if title and _norm(title) == wanted:
                    return payload
        return text


def memory_from_credentials(credentials: Optional[Dict[str, Any]]) -> ButtonMemory:
    credentials = credentials or {}
    return ButtonMemory(max_senders=int(credentials.get("button_memory_size") or 10_000),
                        ttl_seconds=float(credentials.get("button_memory_ttl") or 24 * 3600))


def credential_flag(value: Any, default: bool) -> bool:
    """A yes/no setting from a credentials block: true unless written as 0, false, no or off;
    the default when the setting is absent or empty."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() not in ("0", "false", "no", "off")
