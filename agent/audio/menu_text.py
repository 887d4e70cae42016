"""Menu punctuation after STT: Whisper hears the words of "For billing, press 1. For
claims, press 2." but often puts the sentence breaks after the labels instead ("For
billing press 1 for claims. Press 2."), which reads as key-first options with the wrong
labels ("press 1 for claims").

The two forms of a menu differ at their end: a key-first menu ("Press 1 for billing.")
ends with a label, a label-first menu ends with a bare key ("..., press 2."). When the
last "press K" of a transcript is bare, the menu is label-first, and each "press K" closes
its option: the breaks are put back after the keys.
"""

from __future__ import annotations

import re

_KEY = r"(?:\d|star|pound|zero|one|two|three|four|five|six|seven|eight|nine|\*|#)"
_PRESS = re.compile(rf"\b(?:press|dial|select|enter)\s+{_KEY}\b", re.I)
_BARE_END = re.compile(r"^\s*(?:[.,;!?]|$|or\b(?!\s+(?:for|to)\b))", re.I)


def repunctuate_menu(text: str) -> str:
    """``text`` with a label-first menu's sentence breaks after each key; any other text
    unchanged."""
    presses = list(_PRESS.finditer(text))
    if len(presses) < 2 or not _BARE_END.match(text[presses[-1].end():]):
        return text
    pieces, start = [], 0
    for m in presses:
        tail = re.match(r"[^.!?]*?(?=\s+(?:for|to|if)\b|[.!?]|$)", text[m.end():], re.I)
        end = m.end() + (tail.end() if tail else 0)
        pieces.append(text[start:end])
        start = end
    pieces.append(text[start:])
    out = []
    for piece in pieces:
        piece = piece.strip().lstrip(".,;").strip()
        if not piece:
            continue
        piece = re.sub(rf"\.\s+(?=(?:press|dial|select|enter)\s+{_KEY}\b)", ", ", piece,
                       flags=re.I)  # "billing. Press 1" -> "billing, press 1"
        piece = re.sub(r"\b(Press|Dial|Select|Enter)\b", lambda m: m.group(1).lower(), piece)
        if not re.match(r"(?:for|to|if)\b", piece, re.I):
            # "Welcome, main menu for deposit accounts, press 1": the greeting ends
            # before the option's own "for"
            piece = re.sub(r"[,;]?\s+(for|to|if)\b(?!.*\b(?:for|to|if)\b)(?=.*\bpress)",
                           lambda m: ". " + m.group(1).capitalize(), piece, count=1, flags=re.I)
        piece = piece[0].upper() + piece[1:]
        out.append(piece if piece[-1] in ".!?" else piece + ".")
    return " ".join(out)
