"""Text folding for case- and accent-insensitive matching and sorting."""

import unicodedata

_DIACRITIC_BLOCKS = (
    (0x0300, 0x036F),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
)


def _is_diacritic(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _DIACRITIC_BLOCKS)


def fold(text: str | None) -> str | None:
    """Casefold and strip accents: ``"Ólöf Brandr"`` -> ``"olof brandr"``; None stays None.

    Only Latin-style diacritics are dropped; kana voicing marks and other scripts' combining
    characters are kept (``"ループ"`` stays ``"ループ"``).
    """
    if text is None:
        return None
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not _is_diacritic(char))
    return unicodedata.normalize("NFC", stripped).casefold()
