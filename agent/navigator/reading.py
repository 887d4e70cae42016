"""Reading what a phone line says: menu options in their many wordings, entry requests,
read-backs and confirmations, hold, a person answering, rejections, closings, and the
informative statements that may answer the goal.

Pure text functions over :class:`~agent.navigator.vocabulary.Vocabulary`; no decisions
(those are :mod:`agent.navigator.policy`'s). Wordings read, each with a test in
``tests/test_reading.py``:

- options: "For billing, press 1" / "Billing, press 1" / "Press 1 for billing" /
  "Press 1 if you'd like to pay" / "To pay, press 1" / "If you are calling about a claim,
  press 2" / several in one sentence ("For billing press 1, for support press 2, or for
  sales press 3") / "press 1 for billing or 2 for support" / "dial", "enter", "select",
  "choose", "push", "hit" / "say billing or press 1" / "para X, oprima/marque N" / say-only
  lists ("you can say billing, or technical support") / "... or stay on the line";
- entries: "enter your 10-digit phone number followed by the pound key", "the last four
  digits of your Social Security number", "your date of birth as two digits for the month,
  two for the day and four for the year", "the amount in dollars and cents", "what is your
  ZIP code?";
- read-backs ("You entered 9 4 1 0 3. If this is correct, press 1");
- hold and queue announcements, a person answering (a named greeting, a question put to
  the caller), rejections ("that doesn't match our records"), closings and closed hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .vocabulary import Vocabulary

_NUMBER_WORDS = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9", "star": "*", "pound": "#",
    "hash": "#", "asterisk": "*", "cero": "0", "uno": "1", "dos": "2", "tres": "3",
    "cuatro": "4", "cinco": "5", "seis": "6", "siete": "7", "ocho": "8", "nueve": "9",
    "estrella": "*", "asterisco": "*", "numeral": "#", "gato": "#",
}
_COUNT_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
    "nueve": 9, "diez": 10, "dieciséis": 16,
}
_KEY = (r"(?:the\s+|el\s+|la\s+|number\s+|option\s+|n[uú]mero\s+|tecla\s+(?:de\s+|del\s+)?)*"
        r"(?P<key>[0-9*#]|" + "|".join(_NUMBER_WORDS) + r")(?:\s+(?:key|button|sign|tecla))?"
        r"(?![a-z0-9])(?![- ]?(?:digit|d[ií]gito|to \d|or more|through|thru))"  # "5-digit ZIP"
        r"(?!\s*,?\s*[0-9](?:\s|,|$))")  # "enter 5 0 0 0": digits of an example, not a key
_VERB = (r"(?:press(?:ing)?(?:\s+or\s+say)?|dial|push|hit|touch|select|enter|choose|"
         r"key(?:\s+in)?|oprima|marque|presione|pulse|seleccione|digite|teclee)")
_MENTION = re.compile(rf"(?<![a-z]){_VERB}\s+{_KEY}")
_OR_KEY = re.compile(rf"(?:(?<![a-z])or\s+|,\s*(?:or\s+)?){_KEY}(?=\s+(?:for|to|if)\b)")
"""A further key of a list after a keyed option ("press 1 for billing, 2 for support, or 3
for sales", "..., option 2 for repairs")."""
_KEY_FIRST = re.compile(r"^\s*,?\s*(?:(?:now|at any time|anytime|today)\s+)?"
                        r"(?:for|to|if|when|para|si)\b")
_LABEL_LEAD = re.compile(
    r"^(?:(?:or|and|otherwise|else|also|now|then|o|y)\b[\s,]*)*"
    r"(?:(?:please|you can|you may|simply|just|also|now|at any time|anytime|por favor)\b[\s,]*)*"
    r"(?:for|to|when|if you(?:'d| would)? like(?: to)?|if you want(?: to)?|if you wish(?: to)?|"
    r"if you need(?: to)?|if you(?:'re| are) calling (?:about|to|regarding|for|from|with)|"
    r"if you(?:'re| are) calling|if you have(?: a question about| questions about)?|"
    r"if you(?:'re| are)|if this is(?: about| regarding| for)?|if your|if|para|si usted|si)?\b\s*")
_LABEL_TAIL = re.compile(
    r"(?:[\s,]+(?:please|now|at any time|anytime|today|por favor|you can|you may|simply))+$"
    r"|^(?:now|at any time|anytime)\s+"
    r"|[\s,]+(?:or|and|o|y)\s*$")
# what an STT runs into the first label when it hears commas for full stops: "thank you,
# dana, main menu, balance and available credit, press 1"
_LABEL_HEADER = re.compile(
    r"^(?:(?:thank you|thanks)(?:,\s*[a-z]+)?|(?:[a-z]+\s+)?menu)\s*[,.:]\s*")
_SAY_IN_LABEL = re.compile(r"^\s*(?:(?:or|and)\s+)?(?:you can\s+|please\s+|simply\s+)?"
                           r"say\s+['\"]?(?P<say>.+?)['\"]?,?\s+or\s*$")
_AFTER_ENTRY = re.compile(r"\b(?:then|followed by|and then|and)\s*(?:press\s*)?$")
_SAY_OR = re.compile(r"^\s*(?:please\s+|you can\s+)?say\s+or\s*$")
_SAY_AFTER = re.compile(r"^\s*,?\s*or\s+(?:you can\s+)?say\s+['\"]?(?P<say>[^,.;'\"]+)")
_STAY = re.compile(r"(?:,\s*)?(?:\bor\b\s+)?(?:(?:please|just|simply)\s+)?"
                   r"(?:stay|remain|hold)\s+on\s+the\s+line"
                   r"|(?:,\s*)?\bor\s+(?:just\s+|simply\s+)?(?:hold|wait)\b"
                   r"|\bpermanezca en la l[ií]nea|\bmant[eé]ngase en la l[ií]nea")
_SAY_LIST = re.compile(
    r"(?:\byou can say\b|\bplease say\b|\bsay\b|\bjust say\b|\bsimply say\b|\bfor example,?\b"
    r"|\bthings like\b|\bsuch as\b)\s*(?:things like\s+|something like\s+)?(?P<items>.+)$")
_SPEECH_MENU = re.compile(
    r"\b(?:in a (?:few|couple of) words|tell me (?:briefly |in a few words )?(?:what|why|the "
    r"reason|how)|briefly (?:tell|describe|say)|the reason for your call|what you(?:'re| are) "
    r"calling about|say the name of|how can i help you|what can i help you with|"
    r"describe (?:your|the) (?:issue|problem|reason))")
_ENTRY = re.compile(  # "enter or save your ...": an STT's "say"
    r"(?<![a-z])(?P<verb>(?:please\s+)?(?:re-?)?(?:enter|key in|type|input|dial|punch in|"
    r"say or enter|enter or sa(?:y|ve)|say|tell me|provide|give me|speak|marque|ingrese|"
    r"introduzca|diga|oprima|i(?:'ll| will)? need))\s+(?:in\s+)?"
    r"(?:your|the|a|an|its|his|her|their|su|el|la)\s+"
    r"(?P<field>[^,.;?!]+)")
_QUESTION = re.compile(r"\bwhat(?:'s| is)\s+(?:your|the)\s+(?P<field>[^,.;?!]+)\?")
_FIELD_STOP = re.compile(
    r"\s+(?:followed by|then|using|as|and then|and press|now|when|so|to continue|starting|"
    r"beginning|one digit|on your|with your|from your|at the tone|after the tone|"
    r"seguido|en su|or press|or say)\b.*$")
_DIGITS = re.compile(r"\b(\d+|" + "|".join(_COUNT_WORDS) + r")[- ]digits?\b"
                     r"|\b(?:de\s+)?(\d+|" + "|".join(_COUNT_WORDS) + r")\s+d[ií]gitos\b")
# an STT's comma inside a field's name: "enter the five digits, ZIP code of ..."
_DIGITS_COMMA = re.compile(r"\b(\d+|" + "|".join(_COUNT_WORDS) + r")[- ]digits?,\s+(?=[a-z])")
_THEN = re.compile(r"\b(?:followed by|then|and then|plus)\b")
_LAST = re.compile(r"\blast\s+(\d+|" + "|".join(_COUNT_WORDS) + r")\b")
_TERMINATOR = re.compile(
    r"(?:followed by|then press|and press|then|and then|end with|ending with|seguido de|"
    r"y luego)\s+(?:the\s+|la\s+tecla\s+(?:de\s+)?|el\s+)?"
    r"(?P<key>pound|hash|number sign|#|star|asterisk|\*|numeral|gato|n[uú]mero|asterisco)")
_DATE_FORMATS = [
    (re.compile(r"\bmm\s*/?\s*dd\s*/?\s*yyyy\b|two digits? for the month,? two (?:digits? )?"
                r"for the day,? and four (?:digits? )?for the year|two digits? each for (?:the )?"
                r"month and (?:the )?day,? and four (?:digits? )?for the year|"
                r"month month,? day day,? year year year year|month,? day,? and "
                r"(?:four[- ]digit )?year|eight[- ]digit date|8[- ]digit date|dos d[ií]gitos "
                r"para el mes,? dos (?:d[ií]gitos )?para el d[ií]a,? y cuatro"), "MMDDYYYY"),
    (re.compile(r"\bmm\s*/?\s*dd\s*/?\s*yy\b|two digits? for the month,? two (?:digits? )?"
                r"for the day,? and two (?:digits? )?for the year|six[- ]digit date"),
     "MMDDYY"),
    (re.compile(r"\bmm\s*/?\s*yy\b|month,? and (?:a |the )?(?:two[- ]digit )?year|"
                r"four[- ]digit expiration"), "MMYY"),
]
_READBACK = re.compile(
    r"\b(?:you entered|you said|i heard|i have|you(?:'ve| have) entered|that was|usted marc[oó]|"
    r"marc[oó])\s*:?\s*(?P<value>(?:[0-9]|\s|,|-|dollars?|cents?|\$|\.)+)")
_WHOLE_DOLLARS = re.compile(r"\bwhole dollars?\b|\bdollars only\b|\bno cents\b|"
                            r"\bwithout (?:the )?cents\b|\bnearest (?:whole )?dollar\b")
"""An amount asked for without cents ("in whole dollars", "rounded to the nearest dollar")."""
_SELECTION = re.compile(r"\b(?:option|selection|choice)\b")
"""An entry of a menu choice ("enter the option number now"), no fact of the caller's."""
_FIGURE = re.compile(
    r"\$\s?\d[\d,]*(?:\.\d+)?"
    r"|\b(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december)\s+\d{1,2}(?:st|nd|rd|th)?\b"
    r"|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b"
    r"|\b\d[\d,]*\s+dollars?(?:\s+and\s+\d+\s+cents?)?"
    r"|\b1?[-. ]?\(?\d{3}\)?[-. ]\d{3}[-. ]\d{4}\b"
    r"|\b\d+\s+(?:to|-|–)\s+\d+\s+(?:business\s+)?(?:days?|weeks?|hours?|minutes?)\b"
    r"|\b\d[\d,]*(?:\.\d+)?\s+(?:reward\s+)?(?:points?|miles?|minutes?|hours?|days?|"
    r"business days|weeks?|gigabytes?|gb)\b"
    r"|\b(?:[0-9]\s){3,}[0-9]\b"
    r"|\b\d{1,2}(?::\d\d)?\s?(?:a\.?m\.?|p\.?m\.?)(?![a-z])|\b\d{1,2}:\d\d\b"
    r"|\b\d[\d,]*(?:\.\d+)?\s?%"
    r"|\b\d{3,}\b",
    re.I,
)
_GREETING = re.compile(r"\b(?:thank you for calling|thanks for calling|welcome to|you(?:'ve| have) "
                       r"reached|gracias por llamar|bienvenido)\b")
_NAME_INTRO = re.compile(
    r"\b(?i:this is|my name is|you(?:'re| are) speaking (?:with|to)|you've reached|le atiende|"
    r"mi nombre es|habla)\s+(?P<name>[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+)"
    r"(?P<after>\s*(?:[,.!?]|\s(?:at|with|from|in|"
    r"and|on|of|here|speaking|de|con)\b|$))")


@dataclass(frozen=True)
class Option:
    """A choice the far end offers: its DTMF ``key`` and/or a phrase to ``say``, or
    ``wait`` (selected by staying on the line), and its ``label`` as the IVR put it.
    ``sentence`` is the sentence it came from."""

    label: str
    key: str | None = None
    say: str | None = None
    wait: bool = False
    sentence: str = ""

    @property
    def action(self) -> str:
        """How to select it: the key, the phrase, or 'wait'."""
        return self.key or (f"say:{self.say}" if self.say else "wait")


@dataclass(frozen=True)
class EntryRequest:
    """A request to enter or say a value: ``field`` as the IVR named it ("date of birth"),
    its digit count, whether it is the last digits of something, a date format
    (``MMDDYYYY``, ``MMDDYY``, ``MMYY``), an amount (in dollars and cents, or in
    ``whole_dollars``), the terminator key, and how it may be given."""

    field: str
    digits: int | None = None
    last_digits: bool = False
    date_format: str | None = None
    amount: bool = False
    whole_dollars: bool = False
    terminator: str | None = None
    keys: bool = True
    speech: bool = False


@dataclass
class Reading:
    """What one turn of the far end contains."""

    text: str
    options: list[Option] = field(default_factory=list)
    entry: EntryRequest | None = None
    readback: str | None = None
    statements: list[str] = field(default_factory=list)
    prose: list[str] = field(default_factory=list)
    greeting: str = ""
    hold: bool = False
    person: bool = False
    rejection: bool = False
    no_input: bool = False
    closing: bool = False
    closed: bool = False
    speech_menu: bool = False

    @property
    def signature(self) -> frozenset[tuple[str, str]]:
        """What identifies the menu: its options (selector, label)."""
        return frozenset((o.action, o.label) for o in self.options)


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` (split after . ! ? ; and before ¿ ¡)."""
    parts = re.split(r"(?<=[.!?;])\s+|\s+(?=[¿¡])", text.strip())
    return [p.strip() for p in parts if p.strip(" .;")]


# An STT puts sentence breaks inside spoken options (a pause is not a full stop): "To pay
# your balance now. From your checking account, press 1.", "Press 4. If you'd like to
# dispute a charge.", "For technical support or to check. For an outage, press 2." The
# pieces of an option are joined again, and keys put back beside their labels, before
# the options are read.
_OPTION_LEAD = re.compile(r"^(?:or\s+)?(?:to|for|if|para|si)\b")
_BARE_KEY = re.compile(rf"^(?:please\s+)?{_VERB}\s+{_KEY}\W*$")
_CONTINUATION = re.compile(r"^(?:from|on|with|in|at|by|of|using|through|about|and|or|"
                           r"that|which|to (?:you|your|the|a|an|my|our|this|that)\b)\b|"
                           + _BARE_KEY.pattern)
_LABEL_THEN_KEY = re.compile(rf"^(?P<label>.*?),?\s+(?P<press>(?:please\s+)?{_VERB}\s+{_KEY})"
                              r"[\s.;]*$")
_PURPOSE = re.compile(r"(?:^|\s)(?<!thank you )(?:to|if|for|para|si)\s+[a-z]")  # a label's
EXAMPLES = re.compile(r",?\s*\b(?:such as|(?<!would )(?<!'d )(?<!you )like|including|"
                      r"for example|for instance|e\.g\.)\s+")
"""Where a label starts listing examples of itself ("roadside assistance, such as a tow,
a jump start, or help with a flat tire")."""
_ENDS_JOINED = re.compile(r"\s(?:or|and|o|y)[\s.,;]*$")
_DESIRE_ONLY = re.compile(r"^if you(?:'d| would)?\s+(?:like|want|wish|need)[\s.,;]*$")
_CONJUNCTION_ONLY = re.compile(r"^(?:or|and|o|y)[\s.,;]*$")
_FOR_OR_KEY = re.compile(rf",\s+for\s+(?={_VERB}\s+{_KEY}\s+(?:to|for)\b)", re.I)
_KEY_ENDS = re.compile(rf"(?<![a-z]){_VERB}\s+{_KEY}[\s.;]*$")
_LABEL_THEN_OR_KEY = re.compile(rf"^(?:to|for)\b[^,]*,\s*or\s+{_VERB}\s+{_KEY}\s+(?:to|for)\b")
_NUMBERED_OPTION = re.compile(
    r"(?:^|(?<=[.!?;] ))option\s+(?:number\s+)?(?P<key>[0-9]|" + "|".join(_NUMBER_WORDS)
    + r")\s*(?::|,|-|–|—|\bis(?:\s+for)?\b|\bfor\b)\s*(?P<label>[^.;!?]+)", re.I)
"""A numbered option ("Option 1: billing and payments.", "Option 2 is for repairs.")."""
_LABEL_KEY = re.compile(r"^(?:for\s+)?(?P<label>[a-z](?:[^,.;:!?]*?|[^.;:!?]*?(?=\s*[-–—]))"
                        r")\s*(?:,|:|-|–|—)\s*(?P<key>[0-9*#])[.;]?$", re.I)
"""A label and its bare key ("Billing, 1.", "Repairs — 2."): read as an option only in a
list of two or more, as a lone "Suite, 4." is no menu."""
_BARE_NUMBER_OPTION = re.compile(
    r"^(?:or\s+)?(?:[0-9]|" + "|".join(_NUMBER_WORDS) + r")\s+(?:for|to)\s+[a-z]", re.I)
"""A key and its label without a verb, after a sentence that pressed one ("Two for
support.")."""
FRAGMENT_WORDS = 6
"""A sentence of at most this many words that opens an option ("For technical support or
to check.") and names no key is a piece of the option the next sentence keys."""


def option_sentences(text: str) -> list[str]:
    """:func:`sentences`, with the pieces of each spoken option an STT split joined again
    and keys heard before their labels put back beside them."""
    parts: list[str] = []
    text = _FOR_OR_KEY.sub(", or ", text)  # "..., for press 2 to ..." is "or press 2"
    text = _NUMBERED_OPTION.sub(lambda m: f"For {m['label'].strip()}, press {m['key']}", text)
    pieces = sentences(text)
    if sum(bool(_LABEL_KEY.match(piece)) for piece in pieces) >= 2:
        pieces = [_LABEL_KEY.sub(r"For \g<label>, press \g<key>.", piece) for piece in pieces]
    for i in range(1, len(pieces)):  # "Press one for billing. Two for support."
        if _BARE_NUMBER_OPTION.match(pieces[i]) and _MENTION.search(pieces[i - 1].lower()):
            pieces[i] = f"Press {pieces[i][:1].lower()}{pieces[i][1:]}"
    for part in pieces:  # "If you'd like." and "Or." belong to what follows them
        if parts and (_DESIRE_ONLY.match(parts[-1].lower())
                      or _CONJUNCTION_ONLY.match(parts[-1].lower())):
            part = f"{parts.pop().rstrip(' .,;')} {part[:1].lower()}{part[1:]}"
        parts.append(part)
    return _joined_pieces(_keys_before_labels(parts))


def _is_fragment(low: str) -> bool:
    return bool(_OPTION_LEAD.match(low) and not _MENTION.search(low) and not _STAY.search(low)
                and len(low.split()) <= FRAGMENT_WORDS)


def _joined_pieces(parts: list[str]) -> list[str]:
    """Join a lead-in without a key to the sentence keying it (one continuing it, or after
    short fragments), and a bare key or a statement's tail and key to the condition after
    it ("Press 4. If you'd like to dispute a charge.")."""
    joined: list[str] = []
    pieces: list[str] = []  # short fragments waiting for their key
    for part in parts:
        low = part.lower()
        if pieces and _MENTION.search(low):
            del joined[-len(pieces):]
            part = low = " ".join([*pieces, low])
            pieces = []
        if joined:
            prev = joined[-1].lower()
            lead_then_key = not _MENTION.search(prev) and not _STAY.search(prev) and (
                (_OPTION_LEAD.match(prev) or _PURPOSE.search(prev))
                and _CONTINUATION.match(low) and _MENTION.search(low)
                or _OPTION_LEAD.match(prev) and _STAY.match(low))  # "For X. Stay on the line."
            key_then_lead = ((_BARE_KEY.match(prev) or _figure_then_key(prev))
                             and _OPTION_LEAD.match(low) and "," not in low
                             and not _MENTION.search(low))
            # "To verify your identity, press 1. To enter the ZIP code, or press 2 to
            # ...": the label after the key is that key's, as "press 2 to" shows
            key_then_label = _KEY_ENDS.search(prev) and _LABEL_THEN_OR_KEY.match(low)
            if lead_then_key or key_then_lead or key_then_label:
                joined[-1] = f"{joined[-1].rstrip(' .;')} {low}"
                continue
        pieces = [*pieces, low.rstrip(" .;")] if _is_fragment(low) else []
        joined.append(part)
    return joined


def _keys_before_labels(parts: list[str]) -> list[str]:
    """An STT's full stops after the keys of "Press 1 if you'd like X. Press 2 if you'd
    like Y." read as "Thank you, press 1. If you'd like X, press 2. If you'd like Y." and
    those of "press 1 to X, or press 2 to Y" (ending the menu) as "To verify your
    identity, press 1. To X, press 2. To Y.": a purpose left without a key, after keys
    that each follow a label, gives each key the label spoken after it."""
    mended = list(parts)
    end = 0
    while (end := end + 1) < len(mended):
        low = mended[end].lower()
        if (not _OPTION_LEAD.match(low) or "," in low or _MENTION.search(low)
                or _ENDS_JOINED.search(low)):  # "If you have new insurance or." goes on
            continue
        start, found = end, []
        while start and (m := _lead_then_key(mended[start - 1].lower())):
            start, found = start - 1, [m, *found]
        last = not any(_MENTION.search(later.lower()) for later in mended[end + 1:])
        header = start and _LABEL_THEN_KEY.match(mended[start - 1].lower())
        before = mended[start - 2].lower() if start >= 2 else ""
        if header and not (_PURPOSE.search(header["label"]) or (
                _CONTINUATION.match(header["label"]) and _PURPOSE.search(before))):
            start, found = start - 1, [header, *found]  # "Thank you, Elena, press 1."
        elif not (found and last):
            continue
        labels = [m["label"] for m in found[1:]] + [low.rstrip(" .;")]
        lead_in = [found[0]["label"] + "."] if found[0]["label"].strip(" ,") else []
        moved = [f"{m['press']} {label}." for m, label in zip(found, labels, strict=True)]
        mended[start:end + 1] = [*lead_in, *moved]
        end = start + len(lead_in) + len(moved) - 1
    return mended


def _lead_then_key(low: str) -> re.Match[str] | None:
    """``low`` as "to/if/for <label>, press <key>", or None."""
    found = _LABEL_THEN_KEY.match(low)
    return found if found and re.match(r"(?:to|if|for)\s", found["label"]) else None


def _figure_then_key(low: str) -> bool:
    """Whether ``low`` is a statement's tail and a key ("on a credit limit of $8,000,
    press 1"): what comes before the key gives a figure, so it is no option's label."""
    mention = _MENTION.search(low)
    return bool(mention and not low[mention.end():].strip(" .;") and figures(low[:mention.start()]))


def figures(text: str) -> list[str]:
    """The figures a statement gives: amounts, dates, times, counts, digit strings."""
    found = (m.group(0).strip() for m in _FIGURE.finditer(text))
    return [re.sub(r"(?<=[ap]m)\.$|(?<=M)\.$", "", figure) for figure in found]


def key_of(word: str) -> str:
    """The DTMF key a menu names ("two" -> "2", "pound" -> "#")."""
    return _NUMBER_WORDS.get(word, word)


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _COUNT_WORDS[word]


class PromptReader:
    """Reads turns of a phone line with ``vocab`` (see the module docstring)."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab

    def read(self, text: str) -> Reading:
        """Parse one turn (one or more prompts) into a :class:`Reading`."""
        vocab = self.vocab
        reading = Reading(text=text)
        lowered = text.lower().replace("’", "'")
        reading.hold = vocab.has_phrase(lowered, vocab.hold_phrases)
        reading.rejection = vocab.has_phrase(lowered, vocab.rejection_phrases)
        reading.no_input = vocab.has_phrase(lowered, vocab.no_input_phrases)
        reading.closing = vocab.has_phrase(lowered, vocab.closing_phrases)
        reading.closed = vocab.has_phrase(lowered, vocab.closed_phrases)
        reading.speech_menu = _SPEECH_MENU.search(lowered) is not None
        reading.person = self.is_person(text)
        for sentence in option_sentences(text):
            low = sentence.lower().replace("’", "'")
            options = self._options(sentence, low)
            if options:
                reading.options += options
                continue
            reading.prose.append(sentence)
            if (readback := _READBACK.search(low)) is not None:
                digits = re.sub(r"\D", "", readback.group("value"))
                if digits:
                    reading.readback = digits
                    continue
            entry = self._entry(low)
            if entry is not None:
                reading.entry = entry
                continue
            said = self._say_list(low)
            if said:
                reading.options += said
                continue
            if _GREETING.search(low):
                reading.greeting += " " + sentence
            if self._is_statement(low):
                reading.statements.append(sentence)
        if reading.hold:  # "please stay on the line" while on hold is no menu default
            reading.options = [o for o in reading.options if not (o.wait and not o.label)]
        return reading

    # --- options -------------------------------------------------------------------------

    def _options(self, sentence: str, low: str) -> list[Option]:
        mentions = [(m.start(), m.end(), key_of(m.group("key"))) for m in _MENTION.finditer(low)]
        if mentions:
            mentions += [(m.start(), m.end(), key_of(m.group("key")))
                         for m in _OR_KEY.finditer(low)]
            mentions.sort()
        options: list[Option] = []
        # Labels come after their keys ("press 1 for X, press 2 for Y") when the text after
        # the last key names something; before them otherwise ("X, press 1. Y, press 2").
        # A lead-in ("To verify your identity, press 1 to enter ...") then is no label.
        tail = low[mentions[-1][1]:] if mentions else ""
        tail = tail[:stay.start()] if (stay := _STAY.search(tail)) else tail
        key_first = bool(_KEY_FIRST.match(tail) and _clean(tail))
        consumed = 0  # text before this position belongs to earlier options
        for i, (start, end, key) in enumerate(mentions):
            before = low[consumed:start]
            if key in "#*" and _AFTER_ENTRY.search(before):
                consumed = end  # "enter your account number, then press pound": a terminator
                continue
            after_end = mentions[i + 1][0] if i + 1 < len(mentions) else len(low)
            after = low[end:after_end]
            say = None
            if (said := _SAY_AFTER.match(after)) is not None:
                say = said.group("say").strip()
                after = after[said.end():]
            stay = _STAY.search(after)
            if stay is not None:
                after = after[:stay.start()]
            say_or = _SAY_OR.match(before) is not None  # "say or press 1 for X"
            if (key_first or say_or or _clean(before) == "") and _KEY_FIRST.match(after) \
                    and _clean(after):
                label = _clean(after)
                consumed = end + len(after)
                say = say or (label if say_or else None)
            elif (said := _SAY_IN_LABEL.match(before)) is not None:
                label = say = _clean(said.group("say"))
                consumed = end
            else:
                label = _clean(before)
                consumed = end
            if label or say:
                options.append(Option(label=label or say or "", key=key, say=say,
                                       sentence=sentence))
            if stay is not None:
                options.append(self._stay_option(low[end + len(after):after_end], sentence))
                consumed = after_end
        if not mentions and (stay := _STAY.search(low)) is not None:
            label = _clean(low[:stay.start()]) or _clean(low[stay.end():])
            if not self.vocab.has_phrase(low, self.vocab.hold_phrases) or label:
                options.append(Option(label=label, wait=True, sentence=sentence))
        return options

    def _stay_option(self, text: str, sentence: str) -> Option:
        """'... or stay on the line [for X]' after other options in the sentence."""
        stay = _STAY.search(text)
        rest = text[stay.end():] if stay is not None else ""
        return Option(label=_clean(rest), wait=True, sentence=sentence)

    def _say_list(self, low: str) -> list[Option]:
        """Options a speech menu lists without keys ("you can say billing, or support")."""
        found = _SAY_LIST.search(low)
        if found is None or re.search(r"\b(?:enter|press|dial|key in|type)\b|\d", low):
            return []  # "for example, for fifty dollars, enter 5 0 0 0": an entry's example
        listed = found.group("items")
        example = re.search(r"\b(?:like|such as|for example|including|for instance)\b,?\s*", listed)
        if example is not None:
            listed = listed[example.end():]
        options = []
        for item in re.split(r",\s*(?:or\s+|and\s+)?|\s+or\s+", listed):
            item = re.sub(r"^(?:you can say|please say|just say|say|things like|something "
                          r"like)\s+", "", item.strip(" '\".?!"))
            item = _clean(item)
            if item and len(item.split()) <= 6:
                options.append(Option(label=item, say=item, sentence=low))
        return options

    # --- entries -------------------------------------------------------------------------

    def _entry(self, low: str) -> EntryRequest | None:
        low = _DIGITS_COMMA.sub(r"\1-digit ", low)
        match = _ENTRY.search(low)
        if match and re.fullmatch(r"(?:or\s+)?to\s+", low[:match.start()]):
            return None  # "To enter your date of birth.": what an option is for, no request
        question = None if match else _QUESTION.search(low)
        if match is None and question is None:
            return None
        raw_field = (match or question).group("field")
        field_text = _FIELD_STOP.sub("", raw_field).strip()
        if not self._is_field(field_text) or _SELECTION.search(field_text):
            return None
        verb = (match.group("verb") if match else "say or enter").removeprefix("please ")
        digits = _DIGITS.search(low)
        last = _LAST.search(low)
        date_format = next((fmt for pattern, fmt in _DATE_FORMATS if pattern.search(low)), None)
        terminator = _TERMINATOR.search(low)
        count = _count(digits.group(1) or digits.group(2)) if digits else None
        parts = list(_DIGITS.finditer(low))
        if len(parts) > 1 and all(_THEN.search(low[a.end():b.start()])
                                  for a, b in zip(parts, parts[1:], strict=False)):
            # "the four-digit year, followed by the six-digit case number": ten digits
            count = sum(_count(p.group(1) or p.group(2)) for p in parts)
        if last is not None:
            count = _count(last.group(1))
        if date_format is not None:
            count = len(date_format)
        field_text = _DIGITS.sub("", field_text).replace("  ", " ").strip() or field_text
        field_text = re.sub(r"^last\s+(?:of\s+)?(?:the\s+|your\s+)?", "", field_text)
        return EntryRequest(
            field=field_text,
            digits=count,
            last_digits=last is not None,
            date_format=date_format,
            amount=bool(re.search(r"\bdollars?\b|\bamount\b|\bcents\b", low)),
            whole_dollars=bool(_WHOLE_DOLLARS.search(low)),
            terminator=(None if terminator is None else
                        "*" if terminator.group("key") in ("star", "asterisk", "*", "asterisco")
                        else "#"),
            keys=verb not in ("say", "tell me", "speak", "diga"),
            speech=any(v in verb for v in ("say", "tell", "speak", "diga")),
        )

    def _is_field(self, text: str) -> bool:
        words = set(self.vocab.normalize(text).split())
        nouns = {"id", "number", "pin", "code", "date", "date_of_birth", "birth", "zip", "password",
                 "passcode", "digits", "digit", "amount", "account", "card", "ssn", "extension",
                 "year", "month", "customer_id", "member_id", "phone", "policy", "confirmation",
                 "locator", "license", "mrn", "medical_record", "social", "security", "expiration"}
        return bool(words & nouns)

    # --- the rest ------------------------------------------------------------------------

    def is_person(self, text: str) -> bool:
        """Whether a person is speaking: a named greeting ("this is Renee", "my name is
        Sam") or a question put to the caller, with nothing of a recording about it."""
        vocab = self.vocab
        lowered = text.lower()
        if _MENTION.search(lowered) or vocab.has_phrase(lowered, vocab.automated_words):
            return False
        named = any(m.group("name").lower() not in ("an", "the", "a", "our", "your")
                    for m in _NAME_INTRO.finditer(text))
        asks = vocab.has_phrase(lowered, vocab.person_questions)
        return named and (asks or "?" in text) or (asks and "?" in text and len(text) < 80)

    def _is_statement(self, low: str) -> bool:
        """Whether a sentence says something (not a greeting, notice or hold message)."""
        vocab = self.vocab
        if vocab.has_phrase(low, vocab.boilerplate):
            return bool(figures(low)) and not vocab.has_phrase(low, ["911", "988"])
        if vocab.has_phrase(low, vocab.hold_phrases) and not figures(low):
            return False
        return len(vocab.terms(low)) >= 2 or bool(figures(low))  # "March 24 at 8:15 AM."


_LABEL_EDGE = " ,;:-–—.!?"
"""What a label does not start or end with: spaces, punctuation, dashes ("Lost and found
— press 4")."""


def _clean(label: str) -> str:
    """An option label without its connectors ("or for billing questions," -> "billing
    questions") and leading articles."""
    label = label.strip(_LABEL_EDGE)
    while (header := _LABEL_HEADER.match(label)) and label[header.end():]:
        label = label[header.end():]
    label = _LABEL_LEAD.sub("", label).strip(_LABEL_EDGE)
    label = _LABEL_TAIL.sub("", label).strip(_LABEL_EDGE)
    label = re.sub(r"^(?:your|the|a|an|our|su|sus|el|la|los|las)\s+", "", label)
    return label.strip(_LABEL_EDGE + "'\"")

