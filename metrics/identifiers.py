"""Column names that look like direct identifiers or free text, and names safe to print.

A hub's export may carry a column the contract does not ask for. Most are harmless and
ignored (``case_ref``, ``shoe_size``); one that holds a name, an address, a phone number, an
NHS number or free text stops the build, because the extract should never have left the
case management system with it. Names are compared in a folded form, so that spelling,
case, look-alike letters and separators do not hide an identifier:

1. Unicode NFKC (fullwidth ``ｎａｍｅ`` becomes ``name``), accents and other combining marks
   dropped (``nâme``);
2. look-alike Cyrillic and Greek letters folded to the Latin letter they look like
   (``CONFUSABLES``: Cyrillic ``nаme``, ``еmail``, ``posтcode``; Greek ``phοne``);
3. split into words at separators, case changes and digits (``addrLine1`` →
   ``addr line 1``), lower-cased; anything that is not a Latin letter or digit
   (separators, zero-width and control characters) is dropped.

A name is an identifier when its squashed form (the words joined) contains one of
``SUBSTRINGS`` (``name``, ``address``, ``nhsno``, ``narrative``, ...) or one of its words is
one of ``WORDS`` (short abbreviations such as ``tel`` and ``mob`` that would match too much
inside other words: ``hotel``, ``automobile``). Nested Parquet columns are checked by every
part of their path (``full_name.first``, ``contact.email.element``).
"""

from __future__ import annotations

import re
import unicodedata

# Cyrillic and Greek letters that look like a Latin letter in common fonts, lower and upper
# case. Deliberately small and explicit: the letters an exported header could use to pass
# for an English column name.
CONFUSABLES = {
    # Cyrillic
    "а": "a", "А": "A", "в": "b", "В": "B", "с": "c", "С": "C", "ԁ": "d", "е": "e",
    "Е": "E", "ё": "e", "Ё": "E", "һ": "h", "Н": "H", "н": "h", "і": "i", "І": "I",
    "ї": "i", "Ї": "I", "ј": "j", "Ј": "J", "к": "k", "К": "K", "ӏ": "l", "Ӏ": "I",
    "м": "m", "М": "M", "о": "o", "О": "O", "р": "p", "Р": "P", "ԛ": "q", "Ԛ": "Q",
    "ѕ": "s", "Ѕ": "S", "т": "t", "Т": "T", "у": "y", "У": "Y", "ԝ": "w", "Ԝ": "W",
    "х": "x", "Х": "X", "г": "r", "п": "n", "ь": "b", "Ь": "b",
    # Greek
    "α": "a", "Α": "A", "β": "b", "Β": "B", "ε": "e", "Ε": "E", "ζ": "z", "Ζ": "Z",
    "η": "n", "Η": "H", "ι": "i", "Ι": "I", "κ": "k", "Κ": "K", "μ": "u", "Μ": "M",
    "ν": "v", "Ν": "N", "ο": "o", "Ο": "O", "ρ": "p", "Ρ": "P", "τ": "t", "Τ": "T",
    "υ": "u", "Υ": "Y", "χ": "x", "Χ": "X", "ω": "w", "ς": "s",
}  # fmt: skip
_FOLD = str.maketrans(CONFUSABLES)

# Found anywhere in the squashed name (all words joined).
SUBSTRINGS = (
    # names
    "name", "initials",
    # addresses
    "address", "addr", "street", "postcode", "postalcode", "zipcode",
    # dates of birth
    "dateofbirth", "dob", "birth",
    # official numbers
    "nhsnumber", "nhsno", "nhsnum", "ninumber", "nino", "ninum", "nationalinsurance",
    # contact details
    "phone", "telno", "telnum", "mobno", "mobnum", "mobile", "email",
    # free text
    "notes", "note", "comment", "freetext", "description", "narrative", "remark", "memo",
    "detail",
)  # fmt: skip
# Whole words only: short abbreviations that are common inside harmless words.
WORDS = frozenset({"tel", "tele", "mob", "fax", "mail", "zip", "ni", "txt", "text"})

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def words(name: str) -> list[str]:
    """The lower-case Latin words of a column name, after NFKC and the look-alike fold."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = unicodedata.normalize("NFKC", text.translate(_FOLD)).translate(_FOLD)
    return [w.lower() for w in _WORD.findall(text)]


def squashed(name: str) -> str:
    """The folded name with every separator removed: ``Post Code`` → ``postcode``."""
    return "".join(words(name))


def is_direct_identifier(name: str) -> bool:
    """True when a column name (or one part of a nested column's path) looks like a direct
    identifier or free text, whatever its case, separators or look-alike letters."""
    found = words(name)
    joined = "".join(found)
    return any(s in joined for s in SUBSTRINGS) or any(w in WORDS for w in found)


def printable(name: str) -> str:
    """A column or file name safe to print on a terminal, in a log or a page: printable ASCII
    as it is, a backslash doubled, and every other character escaped (``\\x1b``, ``\\u202e``,
    ``\\u0430`` for a Cyrillic look-alike), so control and bidi characters never reach a
    terminal raw and a look-alike letter is visible as what it is."""
    out = []
    for char in name:
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif 0x20 <= code < 0x7F:
            out.append(char)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return "".join(out)


UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def without_controls(text: str) -> str:
    """``text`` with control, format (bidi, zero-width), unassigned and line/paragraph
    separator characters escaped; other characters (``é``, ``£``) kept. For messages, whose
    own text is fixed but may quote a file or folder name."""
    return "".join(
        printable(c) if unicodedata.category(c) in UNSAFE_CATEGORIES else c for c in text
    )
