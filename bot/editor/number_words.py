"""Numbers written as words in German, Romanian, Dutch and Spanish ("dreißig", "treizeci și unu",
"eenendertig", "treinta y un"), so a notice period spelled out in an answer or on a page is a fact like
"30 Tage" is.

The vocabulary is the parser's own (accents folded, one lexicon for the four languages: the words do not
collide in meaning). German and Dutch write a number as one compound word, which is split into known
parts; Romanian and Spanish write several words joined by "și"/"y". A lone "one" ("ein", "een", "un",
"o") is not taken as a number: it is the indefinite article far more often ("ein Monat" is rarely a
notice period). Numbers up to 9999 are enough for periods of days, months and years.
"""

from __future__ import annotations

import functools
import re
import unicodedata

HUNDRED, THOUSAND, JOIN = -100, -1000, -1
_LEXICON: dict[int, tuple[str, ...]] = {
    0: ("null", "nul", "zero", "cero"),
    1: ("eins", "ein", "eine", "einen", "eines", "einem", "een", "unu", "una", "un", "uno", "o", "unul"),
    2: ("zwei", "twee", "doi", "doua", "dos"),
    3: ("drei", "drie", "trei", "tres"),
    4: ("vier", "patru", "cuatro"),
    5: ("funf", "vijf", "cinci", "cinco"),
    6: ("sechs", "zes", "sase", "seis"),
    7: ("sieben", "zeven", "sapte", "siete"),
    8: ("acht", "opt", "ocho"),
    9: ("neun", "negen", "noua", "nueve"),
    10: ("zehn", "tien", "zece", "diez"),
    11: ("elf", "unsprezece", "once"),
    12: ("zwolf", "twaalf", "doisprezece", "douasprezece", "doce"),
    13: ("dreizehn", "dertien", "treisprezece", "trece"),
    14: ("vierzehn", "veertien", "paisprezece", "catorce"),
    15: ("funfzehn", "vijftien", "cincisprezece", "quince"),
    16: ("sechzehn", "zestien", "saisprezece", "dieciseis"),
    17: ("siebzehn", "zeventien", "saptesprezece", "diecisiete"),
    18: ("achtzehn", "achttien", "optsprezece", "dieciocho"),
    19: ("neunzehn", "negentien", "nouasprezece", "diecinueve"),
    20: ("zwanzig", "twintig", "douazeci", "veinte"),
    21: ("veintiun", "veintiuno", "veintiuna"),
    22: ("veintidos",), 23: ("veintitres",), 24: ("veinticuatro",), 25: ("veinticinco",), 26: ("veintiseis",),
    27: ("veintisiete",), 28: ("veintiocho",), 29: ("veintinueve",),
    30: ("dreissig", "dertig", "treizeci", "treinta"),
    40: ("vierzig", "veertig", "patruzeci", "cuarenta"),
    50: ("funfzig", "vijftig", "cincizeci", "cincuenta"),
    60: ("sechzig", "zestig", "saizeci", "sesenta"),
    70: ("siebzig", "zeventig", "saptezeci", "setenta"),
    80: ("achtzig", "tachtig", "optzeci", "ochenta"),
    90: ("neunzig", "negentig", "nouazeci", "noventa"),
    100: ("cien", "ciento"),
    200: ("doscientos", "doscientas"), 300: ("trescientos", "trescientas"),
    400: ("cuatrocientos", "cuatrocientas"), 500: ("quinientos", "quinientas"),
    600: ("seiscientos", "seiscientas"), 700: ("setecientos", "setecientas"),
    800: ("ochocientos", "ochocientas"), 900: ("novecientos", "novecientas"),
    HUNDRED: ("hundert", "honderd", "suta", "sute"),
    THOUSAND: ("tausend", "duizend", "mie", "mii", "mil"),
    JOIN: ("und", "en", "si", "y"),
}
WORDS: dict[str, int] = {word: value for value, words in _LEXICON.items() for word in words}
# Words that are a number only inside a longer one: "en" and "und" join compounds, "o"/"un" are articles.
ARTICLES = frozenset({"ein", "eine", "einen", "eines", "einem", "een", "un", "una", "o"})
SEPARATE_JOINS = frozenset({"si", "y"})  # written as words between the parts (Romanian, Spanish)
LINKING = frozenset({"de"})  # Romanian "treizeci de zile": between the number and the noun


def fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.lower().replace("ß", "ss"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def split_compound(word: str) -> tuple[int, ...] | None:
    """The parts of a (folded) number word: "einunddreissig" -> (1, JOIN, 30); None if it is not one."""
    if word in WORDS:
        return (WORDS[word],)
    parts = _split(word)
    return None if parts is None or JOIN in (parts[0], parts[-1]) else parts


@functools.lru_cache(maxsize=4096)
def _split(word: str) -> tuple[int, ...] | None:
    """Fewest known parts that spell the word exactly."""
    if word in WORDS:
        return (WORDS[word],)
    best: tuple[int, ...] | None = None
    for end in range(len(word) - 1, 1, -1):
        head = word[:end]
        rest = _split(word[end:]) if head in WORDS else None
        if rest is not None and (best is None or len(rest) + 1 < len(best)):
            best = (WORDS[head], *rest)
    return best


def value_of(parts: list[int]) -> int | None:
    """The number the parts make: additive, "hundert"/"sute" multiply what precedes them."""
    total = current = 0
    seen = False
    for part in parts:
        if part == JOIN:
            continue
        if part == HUNDRED:
            current = (current or 1) * 100
        elif part == THOUSAND:
            total += (current or 1) * 1000
            current = 0
        else:
            current += part
        seen = True
    return total + current if seen else None


TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)


def number_before(text: str, end: int) -> tuple[int, int] | None:
    """The spelled-out number that ends right before position `end` (a unit word's start), as
    (value, start), or None. Skips Romanian "de" between the number and the noun."""
    tokens = [(m.start(), m.end(), fold(m.group())) for m in TOKEN.finditer(text, 0, end)]
    if tokens and tokens[-1][2] in LINKING and not text[tokens[-1][1]:end].strip():
        end = tokens.pop()[0]
    found: list[tuple[int, str, tuple[int, ...]]] = []  # (start, word, parts), last word first
    limit = end
    for begin, stop, word in reversed(tokens):
        if text[stop:limit].strip():  # punctuation or a digit between: the number ended
            break
        parts = (JOIN,) if word in SEPARATE_JOINS else split_compound(word)
        if parts is None:
            break
        found.append((begin, word, parts))
        limit = begin
    while found and found[-1][2] == (JOIN,):  # "… și" before the number belongs to the sentence
        found.pop()
    if not found or (len(found) == 1 and found[0][1] in ARTICLES):
        return None
    value = value_of([part for _, _, parts in reversed(found) for part in parts])
    return (value, found[-1][0]) if value is not None else None
