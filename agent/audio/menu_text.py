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
_LABEL_AFTER = re.compile(r"^[\s,]*(?:for|to)\b", re.I)


_OPENER = re.compile(r"\b(for|to|if)\b", re.I)
_VERB_TO = re.compile(r"\b(?:return|go|back|transfer|speak|talk|listen|get|connect|due)\s+$",
                      re.I)


def _split_option(piece: str) -> str:
    """"Welcome, main menu for deposit accounts, press 1" -> "Welcome, main menu. For
    deposit accounts, press 1": the option's clause opens at the last "for", "to" or "if"
    after the last break (comma, sentence end, figure) that is not part of a verb phrase
    ("return to the main menu")."""
    press = _PRESS.search(piece)
    head = piece[:press.start()] if press else piece
    breaks = [m.end() for m in re.finditer(r"[,.;!?](?=\s)|\d(?=\s)", head.rstrip(" ,"))]
    region = breaks[-1] if breaks else 0
    openers = [m for m in _OPENER.finditer(head, region)
               if not _VERB_TO.search(head[:m.start()])]
    before = head[:openers[-1].start()].rstrip(" ,") if openers else ""
    if not before or before[-1] in ".!?":
        return piece  # the clause already opens the piece (or its sentence)
    at = openers[-1].start()
    return piece[:at].rstrip(" ,") + ". " + piece[at].upper() + piece[at + 1:]


_TERMS = [
    (re.compile(r"\b(?:[a-z]?ip|zipp?)[\s-]?codes?\b", re.I), "ZIP code"),
    (re.compile(r"\bp[\s.]+i[\s.]+n\b\.?", re.I), "PIN"),
    (re.compile(r"\b(?:read|ree|re)[\s-]?enter\b", re.I), "re-enter"),
]
"""Phone-menu words Whisper mishears the same way again and again ("the IP code", "p i n",
"to read enter"); no phone menu means the misheard form."""


def repair_terms(text: str) -> str:
    """``text`` with misheard phone-menu words put right (see :data:`_TERMS`)."""
    for pattern, term in _TERMS:
        text = pattern.sub(term, text)
    return text


def repunctuate_menu(text: str) -> str:
    """``text`` with a label-first menu's sentence breaks after each key; any other text
    unchanged."""
    text = repair_terms(re.sub(r"\.(?:\s*\.)+", ".", text))  # pieces stopped twice
    presses = list(_PRESS.finditer(text))
    if len(presses) < 2 or _LABEL_AFTER.match(text[presses[-1].end():]):
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
        piece = _split_option(piece)
        piece = piece[0].upper() + piece[1:]
        out.append(piece if piece[-1] in ".!?" else piece + ".")
    return " ".join(out)
