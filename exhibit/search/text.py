"""Search text processing for a Russian catalogue — pure: the standard library and PyStemmer.

What the index stores
---------------------
Both sides of a match go through the same functions, so ё/е, case, accents and word forms
meet: the index stores :func:`to_index_text` of a text — for every word its Snowball stem
and, when it differs, the normalised word itself (``«Благоустроили скверы»`` →
``"благоустро благоустроили сквер скверы"``). A query is turned by :func:`query_terms` into a
:class:`QueryPlan`; :func:`fts5_match` and :func:`tsquery` turn a plan into a MATCH / tsquery
expression of *prefix* terms (``"сквер"*``, ``'сквер':*``), ANDed between words and ORed
between the spellings of one word. PostgreSQL indexes ``to_tsvector('simple',
to_index_text(…))`` and queries ``to_tsquery('simple', tsquery(plan))``: the stemming is done
here, never by the database's own dictionaries, so both engines see the same terms.

Why prefixes, and why cut them (:func:`match_prefix`)
-----------------------------------------------------
Snowball stems adjectives, nouns and verbs of one root differently: транспорт → «транспорт»,
транспортная → «транспортн»; благоустройство → «благоустройств», благоустроили →
«благоустро». Neither stem is a prefix of the other in every pair, so a stem alone misses and
a prefix of the full stem works one way only. :func:`match_prefix` therefore also strips one
derivational tail from a Cyrillic stem of 7+ letters, from a short fixed list (-ств, -йств,
-ен, -ан, -ск, -н after a consonant, -ическ, -тельн, -альн, -изац, …), keeping at least 5
letters: благоустройств → «благоустро», транспортн → «транспорт», городск → «город»,
управлен → «управл»; «благоустро»* then finds благоустройство and благоустроили alike.
Cutting every long stem to a fixed length would do it too, but would also lump
«электромобили» with «электроснабжение» (both «электро…»); stripping known tails keeps them
apart. The price: words that share a root but not a meaning meet (каменск → «камен» finds
«каменный»), and a tail missing from the list leaves a pair unmatched (школьный ↛ школа).
Ranking (exact before stemmed before fuzzy) is the index's job and pushes such hits down.

Storing the normalised word besides the stem catches Snowball's over-stemming of proper
names and short words: «Тагил» stems to «таг» but «Тагиле» to «тагил», and «объём» to «объ»
but «объёма» to «объем»; the query prefix then still meets the stored word.

Typos, layout and transliteration
---------------------------------
* Typos: one edit (Damerau: insert, delete, substitute, swap neighbours) for words of
  5 letters or more, none for shorter ones, as the issue asks; a :class:`TypoIndex` built with
  ``max_distance=2`` allows two edits for words of 9 letters or more. Candidates come from the
  index's own vocabulary (its stored terms), so a correction always finds something.
* Wrong keyboard layout (:func:`fix_layout`, ЙЦУКЕН ↔ QWERTY, PC layout).
* Latin transliteration (:func:`transliterate_to_cyrillic`) reads BGN/PCGN, the passport
  (ICAO) style, the letters of GOST 7.79-B (j, x, cz, shh; its apostrophes are dropped) and the
  loose spellings people type (``Nizhny``, ``Nizhniy``); it returns a handful of candidates,
  likeliest first, because Latin spellings lose ь, й and the difference of е/э, ы/ий.

Without a vocabulary :func:`query_terms` cannot check a guess, so it adds layout and
transliteration guesses only for Latin words that are not common English words (and a layout
guess only if it looks Russian), and no typo guesses. With a vocabulary every guess must
occur in the index.

Booth numbers
-------------
Booths are numbered by row letters (Latin, no I/O) and a number: ``B12``, ``AA3``.
:func:`tokenise` keeps ``B-12`` together as ``b12``; :func:`booth_number_candidates` maps
``b12``, ``B-12`` and a Cyrillic look-alike ``В12`` to ``B12`` (and ``И12``, the same keys
typed in the Russian layout, too). Tokens that look like booth numbers go to
``QueryPlan.booths`` and not into the text match: a booth number is looked up, not searched.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import Stemmer

__all__ = [
    "MAX_QUERY_CHARS",
    "MAX_TERMS",
    "STOP_WORDS",
    "QueryPlan",
    "Term",
    "TypoIndex",
    "Variant",
    "VariantKind",
    "booth_number_candidates",
    "compound_parts",
    "edit_distance",
    "fix_layout",
    "fts5_match",
    "match_prefix",
    "max_edits",
    "normalise",
    "query_terms",
    "stem",
    "stems",
    "to_index_text",
    "tokenise",
    "transliterate_to_cyrillic",
    "transliterate_to_latin",
    "tsquery",
    "typo_candidates",
]

#: A longer query is cut here (at a space) before any work is done on it.
MAX_QUERY_CHARS = 1000
#: At most this many words of a query are searched for (ANDed).
MAX_TERMS = 20
#: Spellings searched for one word (the typed one included).
MAX_VARIANTS = 8
#: Longer tokens are cut to this length (nobody types a 200-letter word).
MAX_WORD_CHARS = 40

# ---------------------------------------------------------------------------------------------
# Normalising and tokenising

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d"
_DOUBLE_QUOTES = "«»„“”‟″〝〞＂ʺ"
_SINGLE_QUOTES = "‘’‚‛′ʹʼ`´"
_PUNCT_MAP = str.maketrans(
    {
        **dict.fromkeys(_DASHES, "-"),
        **dict.fromkeys(_DOUBLE_QUOTES, '"'),
        **dict.fromkeys(_SINGLE_QUOTES, "'"),
    }
)
_BREVE = "\u0306"


def normalise(text: str) -> str:
    """Text as the index compares it: casefolded, ё → е, accents off, one kind of dash and quote.

    Accents and stress marks are dropped (``café`` → ``cafe``, ``тра́нспорт`` → ``транспорт``)
    but й stays й. Compatibility forms are unfolded (``ﬁ`` → ``fi``, full-width and
    superscript digits → ASCII digits), invisible format characters (soft hyphen, zero-width
    space) removed, and whitespace collapsed to single spaces.
    """
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    kept: list[str] = []
    for ch in decomposed:
        category = unicodedata.category(ch)
        if category == "Mn":
            # The breve makes и into й (a letter of its own); every other mark is an accent,
            # and dropping the diaeresis is what turns ё into е.
            if ch == _BREVE and kept and kept[-1] == "и":
                kept.append(ch)
            continue
        if category == "Cf":
            continue
        kept.append(ch)
    composed = unicodedata.normalize("NFC", "".join(kept)).translate(_PUNCT_MAP)
    return " ".join(composed.split())


# A booth number written with a dash (B-12, а-5) is one token; otherwise any run of letters
# and digits is a token and everything else separates.
_TOKEN_RE = re.compile(r"(?<![^\W_])([^\W\d_]{1,2})-(\d{1,4})(?![^\W_])|[^\W_]+")


def tokenise(text: str) -> list[str]:
    """The words of ``text``, normalised: runs of letters and digits of any script.

    Hyphens and apostrophes separate (``Каменск-Уральский`` → ``каменск``, ``уральский``),
    except in a booth-number-like token of 1–2 letters, a dash and digits: ``B-12`` → ``b12``,
    ``А-5`` → ``а5``, so that it reaches :func:`booth_number_candidates` whole. Tokens longer
    than :data:`MAX_WORD_CHARS` are cut.
    """
    tokens: list[str] = []
    for m in _TOKEN_RE.finditer(normalise(text)):
        token = m.group(1) + m.group(2) if m.group(1) else m.group(0)
        tokens.append(token[:MAX_WORD_CHARS])
    return tokens


# ---------------------------------------------------------------------------------------------
# Stemming

_RUSSIAN_STEMMER = Stemmer.Stemmer("russian")
_ENGLISH_STEMMER = Stemmer.Stemmer("english")
_CYRILLIC_RE = re.compile(r"[а-яё]")
_LATIN_WORD_RE = re.compile(r"[a-z]+")
_CYRILLIC_WORD_RE = re.compile(r"[а-яё]+")
_WORD_RE = re.compile(r"[^\W_]+")


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball stem of one normalised word (a token of :func:`tokenise`).

    Words with Cyrillic letters go through the Russian stemmer; words of Latin letters only
    through the English one (``apps`` → ``app``, ``cities`` → ``citi``; a transliterated
    Russian name such as ``irbit`` is left alone by it); anything else (numbers, booth
    numbers, other scripts) is returned unchanged. Cached: catalogue words repeat.
    """
    if _CYRILLIC_RE.search(word):
        return _RUSSIAN_STEMMER.stemWord(word)
    if _LATIN_WORD_RE.fullmatch(word):
        return _ENGLISH_STEMMER.stemWord(word)
    return word


def stems(text: str) -> list[str]:
    """The stems of the words of ``text``, in order."""
    return [stem(word) for word in tokenise(text)]


def to_index_text(text: str) -> str:
    """What the index stores for ``text``: each word's stem, then the word when it differs,
    then the parts of a compound word (:func:`compound_parts`).

    Space-separated, so the engine's own tokenizer (FTS5 ``unicode61``, PostgreSQL
    ``simple``) splits it back into exactly these terms.
    """
    out: list[str] = []
    for word in tokenise(text):
        stemmed = stem(word)
        out.append(stemmed)
        if stemmed != word:
            out.append(word)
        out.extend(compound_parts(word))
    return " ".join(out)


# Russian compounds write a word's first part short: велодорожка is a велосипедная дорожка,
# экотропа an экологическая тропа. Each short part maps to the stem of its full word; a word
# that already starts with that stem (экологический, электрический) is no compound.
COMPOUND_PARTS: dict[str, str] = {
    "вело": "велосипед", "электро": "электрич", "эко": "эколог", "авто": "автомобил",
    "энерго": "энерг", "тепло": "тепл", "водо": "вод", "гидро": "вод", "агро": "сельск",
    "медиа": "медиа", "фото": "фот", "видео": "виде", "аэро": "авиац", "нано": "нано",
    "кибер": "кибер", "соц": "социальн", "спорт": "спорт", "жил": "жил", "газо": "газ",
    "нефте": "нефт", "лесо": "лес", "градо": "город",
}  # fmt: skip
_COMPOUND_PREFIXES = sorted(COMPOUND_PARTS, key=len, reverse=True)
#: The rest of a compound must be this long to count (автобус is not авто + бус).
MIN_COMPOUND_REST = 4


@functools.lru_cache(maxsize=65536)
def compound_parts(word: str) -> tuple[str, ...]:
    """The stems a compound word stands for, or nothing: ``велодорожка`` → ``("велосипед",
    "дорожк")``, ``экотропы`` → ``("эколог", "троп")``; ``автобус``, ``экология`` → ``()``.

    The first part comes from :data:`COMPOUND_PARTS`; the rest must be a Cyrillic word of
    :data:`MIN_COMPOUND_REST` letters or more, not starting with ы/ь/ъ/й, nor with a vowel
    after a part that ends in a consonant (спортивный is no спорт + ивный).
    """
    if not _CYRILLIC_WORD_RE.fullmatch(word):
        return ()
    for prefix in _COMPOUND_PREFIXES:
        if not word.startswith(prefix):
            continue
        full = COMPOUND_PARTS[prefix]
        rest = word[len(prefix) :]
        if len(full) > len(prefix) and word.startswith(full):
            return ()  # a form of the full word itself
        if len(rest) < MIN_COMPOUND_REST or rest[0] in "ыьъй":
            return ()
        if prefix[-1] not in _RU_VOWELS and rest[0] in _RU_VOWELS:
            return ()  # спорт-ивный: a suffix, not a second word
        rest_stem = stem(rest)
        if len(rest_stem) < 3:
            return ()
        return (full, rest_stem)
    return ()


# Derivational tails, longest first (see the module docstring); "ион" only after ц
# (информацион → информац), "н" only after a consonant (электрон stays).
_TAILS = ("ическ", "иальн", "тельн", "изац", "йств", "альн", "ств", "ион", "ивн", "ен", "ан")
_TAILS += ("ск", "н")
_RU_VOWELS = frozenset("аеиоуыэюя")


def match_prefix(stemmed: str) -> str:
    """The prefix a query stem is matched with: the stem less one derivational tail.

    Only Cyrillic stems of 7 letters or more are cut, and never below 5 letters
    (благоустройств → ``благоустро``, транспортн → ``транспорт``, электромоб stays).
    """
    if len(stemmed) < 7 or not _CYRILLIC_RE.search(stemmed):
        return stemmed
    for tail in _TAILS:
        if not stemmed.endswith(tail):
            continue
        base = stemmed[: -len(tail)]
        if tail == "ион" and not base.endswith("ц"):
            continue
        if tail == "н" and base[-1] in _RU_VOWELS:
            continue
        if tail == "изац" and len(base) < 6:
            continue  # организац → «орган» would find organs
        if len(base) >= 5:
            return base
    return stemmed


# ---------------------------------------------------------------------------------------------
# Keyboard layout

_QWERTY = "`qwertyuiop[]asdfghjkl;'zxcvbnm,.~QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>"
_JCUKEN = "ёйцукенгшщзхъфывапролджэячсмитьбюЁЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ"
_TO_CYRILLIC = str.maketrans(_QWERTY, _JCUKEN)
_TO_QWERTY = str.maketrans(_JCUKEN, _QWERTY)


def fix_layout(text: str) -> str | None:
    """``text`` as meant when typed in the other keyboard layout (PC ЙЦУКЕН ↔ QWERTY).

    Each whitespace-separated chunk is turned the way its letters point: mostly Latin →
    Cyrillic (``ghbdtn`` → ``привет``, ``,kfujecnhjqcndj`` → ``благоустройство``: the keys
    , . ; ' [ ] and the backtick carry б ю ж э х ъ ё), mostly Cyrillic → Latin (``руддщ`` →
    ``hello``).
    Chunks without letters stay as they are. None when the text has no letter that could
    have been mistyped. A real comma or full stop right after a Latin word becomes б / ю —
    the keys are the same, so that cannot be told apart.
    """
    changed = False
    chunks: list[str] = []
    for chunk in re.split(r"(\s+)", text):
        latin = sum(1 for ch in chunk if "a" <= ch.lower() <= "z")
        cyrillic = sum(1 for ch in chunk if ch in _JCUKEN)
        if latin > cyrillic:
            chunk = chunk.translate(_TO_CYRILLIC)
            changed = True
        elif cyrillic:
            chunk = chunk.translate(_TO_QWERTY)
            changed = True
        chunks.append(chunk)
    return "".join(chunks) if changed else None


def _looks_russian(word: str) -> bool:
    """A cheap plausibility check for a layout guess made without a vocabulary."""
    if not _CYRILLIC_WORD_RE.fullmatch(word) or word[0] in "ьъы":
        return False
    if not _RU_VOWELS.intersection(word) or re.search("[ьъ]{2}", word):
        return False
    run = 0
    for ch in word:
        run = 0 if ch in _RU_VOWELS else run + 1
        if run >= 5:
            return False
    return True


# Two-consonant beginnings of English words and of Russian names in Latin letters; a Latin word
# that starts otherwise (``lfyyst``, ``vfhihen``) was most likely typed in the wrong layout.
_LATIN_ONSETS = frozenset(
    re.findall(
        r"\S+",
        """
bl br ch cl cr dr dw fl fr gh gl gn gr kl kn kr kh ph pl pr ps sc sh sk sl sm sn sp st sw th
tr tw wh wr zh ts tz sv zv vl vs dv tv mn gd kv pt sr
""",
    )
)
_LAYOUT_KEYS = set(",.;'[]`<>:\"{}~")


def _looks_mistyped_latin(chunk: str, word: str) -> bool:
    """Whether the Latin ``word`` (from the raw ``chunk``) reads as a wrong-layout Russian word.

    Typed in QWERTY, Russian words lose most vowels (а → f, о → j, е → t) and start with
    clusters no English word has; the keys of б ю ж э х ъ ё leave punctuation inside the word.
    """
    stripped = chunk.strip(" \t\n.,;:!?\"'()")
    if any(ch in _LAYOUT_KEYS for ch in stripped) or chunk[:1] in _LAYOUT_KEYS:
        return True
    if not _LAT_VOWELS.intersection(word):
        return True
    onset = word[:2]
    if len(onset) == 2 and not _LAT_VOWELS.intersection(onset) and onset not in _LATIN_ONSETS:
        return True
    run = 0
    for ch in word:
        run = 0 if ch in _LAT_VOWELS else run + 1
        if run >= 4:
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Transliteration

_LAT_VOWELS = set("aeiouy")
_SIMPLE = dict(zip("abdfgikmnoprstuvz", "абдфгикмнопрстувз", strict=True))
# After these Cyrillic letters Russian spells и, not ы (уральский, not уральскый).
_HUSHING = set("кгхжшчщ")
_SOFTENABLE = set("нртмсзд")
_DIGRAPHS = {"zh": "ж", "kh": "х", "ch": "ч", "sh": "ш", "ph": "ф", "ck": "к", "tz": "ц", "cz": "ц"}
_SEGMENT_LIMIT = 64  # a guard for absurd words: candidates grow with the number of choices


def _latin_segments(word: str) -> list[tuple[str, ...]]:
    """``word`` (lowercase a–z) in pieces, each with its Cyrillic readings, likeliest first."""
    segments: list[tuple[str, ...]] = []
    i, n = 0, len(word)
    while i < n:
        rest = word[i:]
        prev = word[i - 1] if i else ""
        at_start_or_vowel = i == 0 or prev in _LAT_VOWELS
        prev_out = segments[-1][0][-1:] if segments else ""
        nxt = rest[1:2]
        options: tuple[str, ...]
        if rest.startswith("shch"):
            options, size = ("щ",), 4
        elif rest.startswith("shh"):
            options, size = ("щ",), 3  # GOST 7.79-B
        elif rest.startswith("sch"):
            options, size = ("щ", "сч"), 3
        elif rest[:2] in _DIGRAPHS:
            options, size = (_DIGRAPHS[rest[:2]],), 2
        elif rest.startswith("ts"):
            # Bratsk, Irkutsk, Kamchatsky: -тск; Tsivilsk: ц.
            options = ("тс", "ц") if rest[2:3] == "k" else ("ц", "тс")
            size = 2
        elif rest == "yy" or (rest == "yi" and i):
            options, size = (("ый",) if rest == "yy" else ("ый", "ий")), 2
        elif rest[0] in "yj" and nxt and nxt in "aueo":
            soft = {"a": "я", "u": "ю", "e": "е", "o": "е"}[nxt]
            if at_start_or_vowel:
                options = ("йо", "е") if nxt == "o" else (soft,)
            elif nxt == "e":
                options = ("е", "ые", "ье")  # Naberezhnye, Almetyevsk
            else:
                options = (soft, "ь" + soft)  # Chelyabinsk; Ulyanovsk, Tolyatti
            size = 2
        elif rest.startswith("iy") and (len(rest) == 2 or rest[2] not in _LAT_VOWELS):
            options, size = ("ий",), 2
        elif rest == "ii":
            options, size = ("ий", "ии"), 2
        elif rest[:2] in ("ia", "iu"):
            soft = "я" if nxt == "a" else "ю"
            options = (soft, "и" + ("а" if nxt == "a" else "у")) if i == 0 else ("и" + soft, soft)
            size = 2
        elif rest[0] == "y":
            if len(rest) == 1 and i:
                if prev_out in _HUSHING:
                    options = ("ий", "и")
                elif prev in _LAT_VOWELS:
                    options = ("й",)
                else:
                    options = ("ый", "ий", "ы")  # Nizhny, Cheboksary
            elif at_start_or_vowel:
                options = ("й",) if i else ("ы", "й")
            else:
                options = ("ы",)  # Syktyvkar
            size = 1
        elif rest[0] == "e":
            options, size = (("е", "э") if at_start_or_vowel else ("е",)), 1
        elif rest[0] == "j":
            options, size = ("й", "дж"), 1
        elif rest[0] == "c":
            options, size = (("ц", "с") if nxt in ("e", "i", "y") else ("к", "ц")), 1
        elif rest[0] == "l":
            if len(rest) == 1:
                options = ("л", "ль")  # Tagil; Yaroslavl
            elif rest[1:3] == "sk":
                options = ("ль", "л")  # Pervouralsk, Kamensk-Uralsky, Podolsk
            elif nxt not in _LAT_VOWELS:
                options = ("л", "ль")
            else:
                options = ("л",)
            size = 1
        elif rest[0] == "x":
            options, size = ("кс", "х"), 1  # English x; GOST 7.79-B х
        elif rest[0] in "wqh":
            options, size = ({"w": "в", "q": "к", "h": "х"}[rest[0]],), 1
        else:
            options, size = (_SIMPLE.get(rest[0], rest[0]),), 1
        segments.append(options)
        i += size
    # A final soft sign is lost in Latin spellings: Perm, Tyumen, Kazan, Ust-.
    if segments and len(segments[-1]) == 1 and segments[-1][0][-1] in _SOFTENABLE:
        segments.append(("", "ь"))
    return segments


def _choices(segments: Sequence[tuple[str, ...]], limit: int) -> list[str]:
    """Spellings from ``segments`` with at most two non-first choices, cheapest first."""
    ambiguous = [k for k, opts in enumerate(segments) if len(opts) > 1][:_SEGMENT_LIMIT]
    base = [opts[0] for opts in segments]
    picks: list[tuple[int, int, str]] = [(0, 0, "".join(base))]
    order = itertools.count(1)
    singles = [(k, j) for k in ambiguous for j in range(1, len(segments[k]))]
    for k, j in singles:
        chosen = base.copy()
        chosen[k] = segments[k][j]
        picks.append((j, next(order), "".join(chosen)))
    for (k1, j1), (k2, j2) in itertools.combinations(singles, 2):
        if k1 != k2:
            chosen = base.copy()
            chosen[k1], chosen[k2] = segments[k1][j1], segments[k2][j2]
            picks.append((j1 + j2, next(order), "".join(chosen)))
    picks.sort()
    out: list[str] = []
    for _, _, spelling in picks:
        if spelling not in out:
            out.append(spelling)
            if len(out) == limit:
                break
    return out


@functools.lru_cache(maxsize=4096)
def _transliterate_word(word: str, limit: int = MAX_VARIANTS) -> tuple[str, ...]:
    return tuple(_choices(_latin_segments(word), limit))


def transliterate_to_cyrillic(text: str, limit: int = 12) -> list[str]:
    """Cyrillic spellings ``text`` (typed in Latin letters) may stand for, likeliest first.

    The result is normalised (lowercase, ё as е) and has at most ``limit`` spellings; non-Latin
    parts of the text are kept. ``Ekaterinburg`` and ``Yekaterinburg`` → ``екатеринбург``,
    ``Nizhny Tagil`` / ``Nizhniy Tagil`` → ``нижний тагил`` (among others: ``нижный тагил``
    comes first, Latin does not tell ый from ий), ``Kamensk-Uralsky`` → ``каменск-уральский``.
    Empty when the text has no Latin letters.
    """
    parts = re.split(r"([a-z]+)", normalise(text)[:MAX_QUERY_CHARS])
    if len(parts) == 1:
        return []
    per_part: list[Sequence[str]] = [
        _transliterate_word(part[:MAX_WORD_CHARS]) if k % 2 else (part,)
        for k, part in enumerate(parts)
    ]
    # Combine word by word, keeping only the ``limit`` likeliest at each step (rank = sum of
    # the per-word ranks), so that many words cannot blow up.
    combined: list[tuple[int, str]] = [(0, "")]
    for options in per_part:
        step = [(rank + r, text_ + o) for rank, text_ in combined for r, o in enumerate(options)]
        step.sort(key=lambda item: item[0])
        combined = step[:limit]
    return [spelling for _, spelling in combined]


_TO_LATIN = {
    **dict(zip("абвгдезиклмнопрстуфыэй", "abvgdeziklmnoprstufyey", strict=True)),
    **{"ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ю": "yu", "я": "ya"},
    **{"ъ": "", "ь": "", "ё": "e"},
}
_TO_LATIN_TABLE = str.maketrans(_TO_LATIN)


def transliterate_to_latin(text: str) -> str:
    """``text`` in Latin letters (BGN/PCGN-like, without its apostrophes), normalised.

    ``Нижний Тагил`` → ``nizhniy tagil``, ``Щёлково`` → ``shchelkovo``; ь and ъ are dropped.
    """
    return normalise(text).translate(_TO_LATIN_TABLE)


# ---------------------------------------------------------------------------------------------
# Booth numbers

_BOOTH_RE = re.compile(r"([^\W\d_]{1,2})[-. ]?(\d{1,4})")
# Cyrillic letters that look like Latin ones, and the Latin keys under Cyrillic letters.
_LOOKALIKE = str.maketrans("авекмнорстухі", "abekmhopctyxi")
_ROW_LETTER_RE = re.compile(r"[a-z]{1,2}")


def booth_number_candidates(token: str) -> list[str]:
    """Canonical booth numbers (``B12``) that ``token`` may mean; empty if it is not one.

    A booth number is 1–2 row letters and 1–4 digits, optionally with a dash, dot or space
    between. ``b12``, ``B-12`` → ``["B12"]``. Cyrillic row letters are read first as the
    Latin letters they look like (``В12`` → ``B12``), then as the Latin keys they sit on
    (``И12`` → ``B12``; ``В12`` also gives ``D12``). Only existing booths match, so a wrong
    guess costs nothing.
    """
    m = _BOOTH_RE.fullmatch(normalise(token))
    if not m:
        return []
    letters, digits = m.groups()
    guesses = [letters.translate(_LOOKALIKE), letters.translate(_TO_QWERTY)]
    out: list[str] = []
    for guess in guesses:
        if _ROW_LETTER_RE.fullmatch(guess):
            number = guess.upper() + str(int(digits))
            if number not in out:
                out.append(number)
    return out


# ---------------------------------------------------------------------------------------------
# Typos


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Damerau–Levenshtein distance (optimal string alignment) between ``a`` and ``b``.

    With ``limit``, stops as soon as the distance must exceed it and returns ``limit + 1``.
    """
    if a == b:
        return 0
    if limit is None:
        limit = max(len(a), len(b))
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    # The common beginning and end cost nothing; dropping them shortens the table.
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    # Keep one shared letter before the difference: a swap may need it.
    start = max(0, start - 1)
    end = 0
    while end < len(a) - start and end < len(b) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    end = max(0, end - 1)
    a, b = a[start : len(a) - end], b[start : len(b) - end]
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        ca = a[i - 1]
        best = i
        for j in range(1, len(b) + 1):
            cb = b[j - 1]
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def max_edits(word: str, max_distance: int = 1) -> int:
    """How many edits a typo in ``word`` may have: 0 below 5 letters, 1, and 2 from 9 letters
    when ``max_distance`` allows it."""
    if len(word) < 5:
        return 0
    if len(word) >= 9:
        return min(2, max_distance)
    return min(1, max_distance)


def _deletes(word: str, depth: int) -> set[str]:
    """``word`` and every string made from it by deleting up to ``depth`` letters."""
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:k] + w[k + 1 :] for w in frontier for k in range(len(w))}
        found |= frontier
    return found


class TypoIndex:
    """A vocabulary prepared for typo look-ups (a symmetric-deletion index, as in SymSpell).

    Every vocabulary word is filed under itself and each string made by deleting up to
    ``max_distance`` of its letters; a query word meets its neighbours by looking up its own
    deletions, so a look-up costs a few dozen probes instead of a scan. To stay small the
    deletions are kept as a sorted array of their hashes (a hash collision only adds a
    candidate that the distance check then drops). Build it once from the index's terms
    (FTS5 ``fts5vocab``, PostgreSQL ``ts_stat``) and rebuild when the catalogue changes. It
    also answers "is there a term with this prefix" for :func:`query_terms`.
    """

    def __init__(self, vocabulary: Iterable[str], max_distance: int = 1) -> None:
        if max_distance not in (1, 2):
            raise ValueError("max_distance must be 1 or 2")
        self.max_distance = max_distance
        self._words = sorted({w for w in vocabulary if w})
        self._set = frozenset(self._words)
        pairs = sorted(
            (hash(key), index)
            for index, word in enumerate(self._words)
            if len(word) >= 4 - max_distance  # shorter words are never typo targets
            for key in _deletes(word, max_distance)
        )
        self._hashes = array("q", [h for h, _ in pairs])
        self._ids = array("l", [i for _, i in pairs])

    def __len__(self) -> int:
        return len(self._words)

    def __contains__(self, word: object) -> bool:
        return word in self._set

    def has_prefix(self, prefix: str) -> bool:
        """Whether some vocabulary word starts with ``prefix``."""
        k = bisect.bisect_left(self._words, prefix)
        return k < len(self._words) and self._words[k].startswith(prefix)

    def candidates(self, word: str, limit: int = 5) -> list[str]:
        """Vocabulary words within :func:`max_edits` of ``word`` (``word`` itself excluded),
        nearest first, then alphabetically; at most ``limit``."""
        allowed = max_edits(word, self.max_distance)
        if not allowed:
            return []
        found: dict[str, int] = {}
        checked: set[int] = set()
        hashes, ids = self._hashes, self._ids
        for key in _deletes(word, allowed):
            h = hash(key)
            k = bisect.bisect_left(hashes, h)
            while k < len(hashes) and hashes[k] == h:
                index = ids[k]
                k += 1
                if index in checked:
                    continue
                checked.add(index)
                other = self._words[index]
                if other != word:
                    distance = edit_distance(word, other, allowed)
                    if distance <= allowed:
                        found[other] = distance
        return sorted(found, key=lambda w: (found[w], w))[:limit]


def typo_candidates(word: str, vocabulary: Iterable[str] | TypoIndex, limit: int = 5) -> list[str]:
    """Words of ``vocabulary`` within one edit of ``word`` (see :func:`max_edits`), nearest first.

    Given a :class:`TypoIndex` this is a fast look-up; given a plain iterable, a scan with a
    length filter and an early-exit distance — fine for a few hundred words, slow for 50,000.
    """
    if isinstance(vocabulary, TypoIndex):
        return vocabulary.candidates(word, limit)
    allowed = max_edits(word)
    if not allowed:
        return []
    found: dict[str, int] = {}
    for other in vocabulary:
        if other != word and abs(len(other) - len(word)) <= allowed and other not in found:
            distance = edit_distance(word, other, allowed)
            if distance <= allowed:
                found[other] = distance
    return sorted(found, key=lambda w: (found[w], w))[:limit]


# ---------------------------------------------------------------------------------------------
# Query plans

# Words that carry no meaning in a catalogue query; dropped unless the query is only these.
# FTS operator words (and, or, not, near) are among them: a query is never syntax.
_STOP_WORDS = frozenset(
    re.findall(
        r"\S+",
        """
и в во на по с со к ко о об обо от до из за для при без у над под а но или ли же не ни
что как это то та те так также the a an and or not near of in on for to with by at from
is are
""",
    )
)
#: Words a query drops (unless it has nothing else); the thesaurus drops them too.
STOP_WORDS = _STOP_WORDS
# Latin words that are read as English (no layout or transliteration guesses without a
# vocabulary): words of city IT that appear in Latin in Russian texts, and English glue words.
_ENGLISH_WORDS = frozenset(
    re.findall(
        r"\S+",
        """
smart city cities app apps online digital data big open cloud service services platform
portal web mobile bot chat gov tech govtech it ai iot gis crm erp bim api wifi lab hub
id qr gps led map maps drop table select delete update insert union where from into null
true false hello test news info start
""",
    )
)

VariantKind = Literal["typed", "typo", "layout", "translit"]


@dataclass(frozen=True)
class Variant:
    """One spelling of a query word and the index term it is looked up by.

    ``match`` is letters and digits only (checked again before an expression is built);
    ``prefix`` says whether it matches as a prefix (words of 3+ letters) or whole (numbers,
    1–2-letter words). ``kind`` lets the index rank: typed before typo/layout/transliteration.
    """

    word: str
    stem: str
    match: str
    prefix: bool
    kind: VariantKind


@dataclass(frozen=True)
class Term:
    """One word of the query: ``variants[0]`` is the word as typed (normalised)."""

    word: str
    variants: tuple[Variant, ...]


@dataclass(frozen=True)
class QueryPlan:
    """What the index needs from a raw query; safe by construction.

    ``text`` is the cleaned query (normalised words joined by spaces) — fine to show and log;
    it never contains FTS or SQL syntax. Terms are ANDed, the variants of one term ORed.
    ``booths`` are canonical booth numbers to look up. ``truncated`` tells that a long query
    was cut (to :data:`MAX_QUERY_CHARS` characters and :data:`MAX_TERMS` words).
    """

    text: str = ""
    terms: tuple[Term, ...] = ()
    booths: tuple[str, ...] = ()
    truncated: bool = False
    words: tuple[str, ...] = field(init=False)
    stems: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", tuple(t.word for t in self.terms))
        object.__setattr__(self, "stems", tuple(t.variants[0].stem for t in self.terms))

    @property
    def is_empty(self) -> bool:
        """Nothing to search for: no words and no booth numbers."""
        return not self.terms and not self.booths


def _variant(word: str, kind: VariantKind) -> Variant:
    stemmed = stem(word)
    if word.isdigit() or len(word) <= 2:
        return Variant(word, stemmed, word, False, kind)
    if len(stemmed) < 3:
        # бус → «бу»: a two-letter prefix finds everything; the index holds the word too.
        return Variant(word, stemmed, word, True, kind)
    return Variant(word, stemmed, match_prefix(stemmed), True, kind)


def _known(variant: Variant, vocabulary: TypoIndex) -> bool:
    if variant.prefix:
        return vocabulary.has_prefix(variant.match)
    return variant.match in vocabulary


def _build_term(
    word: str, chunk: str, layout_word: str | None, vocabulary: TypoIndex | None
) -> Term:
    typed = _variant(word, "typed")
    guesses: list[Variant] = []
    is_latin = bool(_LATIN_WORD_RE.fullmatch(word))
    # Without a vocabulary to check guesses against, a Latin word is read either as mistyped
    # Russian or as a transliteration, never both, and English words as neither.
    mistyped = is_latin and _looks_mistyped_latin(chunk, word)
    guess_freely = is_latin and word not in _ENGLISH_WORDS
    if layout_word and layout_word != word and _WORD_RE.fullmatch(layout_word):
        guess = _variant(layout_word, "layout")
        if vocabulary is not None:
            if _known(guess, vocabulary):
                guesses.append(guess)
        elif guess_freely and mistyped and _looks_russian(layout_word):
            guesses.append(guess)
    if is_latin and len(word) >= 3:
        spellings = _transliterate_word(word)
        if vocabulary is not None:
            guesses += [g for s in spellings if _known(g := _variant(s, "translit"), vocabulary)]
        elif guess_freely and not mistyped:
            guesses += [_variant(s, "translit") for s in spellings[:4]]
    elif vocabulary is not None and _CYRILLIC_WORD_RE.fullmatch(word):
        latin = _variant(transliterate_to_latin(word), "translit")
        if _known(latin, vocabulary):
            guesses.append(latin)
    if vocabulary is not None and not _known(typed, vocabulary):
        # Look up the word and its stem: the vocabulary holds both kinds of terms.
        for candidate in vocabulary.candidates(word) + vocabulary.candidates(typed.stem):
            guesses.append(_variant(candidate, "typo"))
    variants = [typed]
    seen = {(typed.match, typed.prefix)}
    for guess in guesses:
        key = (guess.match, guess.prefix)
        if key not in seen and len(variants) < MAX_VARIANTS:
            seen.add(key)
            variants.append(guess)
    return Term(word, tuple(variants))


def query_terms(query: str, vocabulary: TypoIndex | None = None) -> QueryPlan:
    """Turn a raw user query into a :class:`QueryPlan` (never raises on any string).

    Steps: cut to :data:`MAX_QUERY_CHARS`; per whitespace chunk, tokenise it and its
    wrong-layout reading (:func:`fix_layout` works on the raw chunk, whose ``,;[`` are
    letters); booth-number-like tokens go to ``booths``; stop words are dropped (unless the
    query has nothing else); repeated words are searched once; the first :data:`MAX_TERMS`
    words become terms, each with its guessed spellings (typo, layout, transliteration; see the
    module docstring for when). An empty or blank query gives an empty plan.
    """
    truncated = len(query) > MAX_QUERY_CHARS
    if truncated:
        cut = query[:MAX_QUERY_CHARS]
        # Drop a word cut in half, unless it is the only one.
        if not query[MAX_QUERY_CHARS].isspace() and len(cut.split()) > 1:
            cut = cut.rsplit(None, 1)[0]
        query = cut
    words: list[tuple[str, str, str | None]] = []
    booths: list[str] = []
    booth_tokens: list[str] = []
    for chunk in query.split():
        tokens = tokenise(chunk)
        if not tokens:
            continue
        fixed = fix_layout(chunk)
        fixed_tokens = tokenise(fixed) if fixed else []
        if len(fixed_tokens) == 1 < len(tokens) and _looks_russian(fixed_tokens[0]):
            # ,.l;tn (бюджет): the keys of б, ю and ж cut the Latin word; its reading is one.
            tokens = ["".join(tokens)[:MAX_WORD_CHARS]]
        paired = fixed_tokens if len(fixed_tokens) == len(tokens) else [None] * len(tokens)
        for token, layout_token in zip(tokens, paired, strict=True):
            numbers = booth_number_candidates(token)
            if numbers:
                booths += [n for n in numbers if n not in booths]
                booth_tokens.append(token)
            else:
                words.append((token, chunk, layout_token))
    meaningful = [item for item in words if item[0] not in _STOP_WORDS]
    words = meaningful or words
    unique: dict[str, tuple[str, str | None]] = {}
    for token, chunk, layout_token in words:
        unique.setdefault(token, (chunk, layout_token))
    if len(unique) > MAX_TERMS:
        truncated = True
    kept = list(unique.items())[:MAX_TERMS]
    terms = tuple(_build_term(token, *rest, vocabulary) for token, rest in kept)
    text = " ".join([t.word for t in terms] + booth_tokens)
    return QueryPlan(text=text, terms=terms, booths=tuple(booths), truncated=truncated)


# ---------------------------------------------------------------------------------------------
# Engine expressions


def _checked(match: str) -> str:
    # Defence in depth: a plan built by hand must not smuggle syntax into an expression.
    if not _WORD_RE.fullmatch(match):
        raise ValueError(f"not a search term: {match!r}")
    return match


def _chosen(term: Term, kinds: Iterable[str] | None) -> list[Variant]:
    allowed = None if kinds is None else set(kinds)
    return [v for v in term.variants if allowed is None or v.kind in allowed]


def fts5_match(plan: QueryPlan, kinds: Iterable[VariantKind] | None = None) -> str | None:
    """An SQLite FTS5 MATCH expression for ``plan``, or None when there is nothing to match.

    Every term is a double-quoted string (``"благоустро"*`` for a prefix, ``"2025"`` whole),
    the variants of a word are ORed in parentheses, the words ANDed:
    ``("транспо"* OR "ntcn"*) AND "сквер"*``. Only letters and digits are ever put between the
    quotes, so no user text is read as FTS syntax. ``kinds`` keeps only some variants (e.g.
    ``{"typed"}`` for a strict first pass); a word with none of them is left out.
    """
    parts: list[str] = []
    for term in plan.terms:
        exprs = list(
            dict.fromkeys(
                '"' + _checked(v.match) + '"' + ("*" if v.prefix else "")
                for v in _chosen(term, kinds)
            )
        )
        if exprs:
            parts.append(exprs[0] if len(exprs) == 1 else "(" + " OR ".join(exprs) + ")")
    return " AND ".join(parts) or None


def tsquery(plan: QueryPlan, kinds: Iterable[VariantKind] | None = None) -> str | None:
    """A PostgreSQL tsquery for ``to_tsquery('simple', …)``, or None when there is nothing.

    Same shape as :func:`fts5_match`: ``('транспо':* | 'ntcn':*) & 'сквер':*``. Lexemes are
    single-quoted and hold only letters and digits; pass the result as a bound parameter.
    """
    parts: list[str] = []
    for term in plan.terms:
        exprs = list(
            dict.fromkeys(
                "'" + _checked(v.match) + "'" + (":*" if v.prefix else "")
                for v in _chosen(term, kinds)
            )
        )
        if exprs:
            parts.append(exprs[0] if len(exprs) == 1 else "(" + " | ".join(exprs) + ")")
    return " & ".join(parts) or None
