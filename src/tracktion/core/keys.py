"""Musical keys: names with sharps, Camelot and Open Key notation, harmonic neighbours.

Camelot: 8B = C major, 8A = A minor; +1 on the wheel is a fifth up. Open Key: 1d = C major,
1m = A minor. Harmonic neighbours of a key: itself, one step either way on the wheel (same mode)
and its relative (same number, other mode).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

Mode = Literal["major", "minor"]

PITCH_CLASSES: Final = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_FLATS: Final = {
    "Db": "C#",
    "Eb": "D#",
    "Gb": "F#",
    "Ab": "G#",
    "Bb": "A#",
    "Cb": "B",
    "Fb": "E",
    "E#": "F",
    "B#": "C",
}
# Camelot number of each major key (by pitch class); a minor key shares its relative major's number.
_MAJOR_CAMELOT: Final = {
    0: 8,
    7: 9,
    2: 10,
    9: 11,
    4: 12,
    11: 1,
    6: 2,
    1: 3,
    8: 4,
    3: 5,
    10: 6,
    5: 7,
}
_KEY_TEXT = re.compile(r"^\s*([A-Ga-g])\s*([#♯b♭]?)\s*(maj(?:or)?|min(?:or)?|m|M)?\s*$")
_CAMELOT_TEXT = re.compile(r"^\s*(1[0-2]|[1-9])\s*([ABab])\s*$")
_OPEN_KEY_TEXT = re.compile(r"^\s*(1[0-2]|[1-9])\s*([dmDM])\s*$")


@dataclass(frozen=True, slots=True)
class Key:
    """A key: tonic pitch class (0 = C) and mode."""

    pitch_class: int
    mode: Mode

    @property
    def name(self) -> str:
        """``"A minor"``, ``"C# major"`` (sharps only)."""
        return f"{PITCH_CLASSES[self.pitch_class]} {self.mode}"

    @property
    def camelot(self) -> str:
        """Camelot code, e.g. ``"8A"``."""
        relative_major = self.pitch_class if self.mode == "major" else (self.pitch_class + 3) % 12
        return f"{_MAJOR_CAMELOT[relative_major]}{'B' if self.mode == 'major' else 'A'}"

    @property
    def open_key(self) -> str:
        """Open Key code, e.g. ``"1m"`` (Camelot number + 7, wrapped; d = major, m = minor)."""
        number = (int(self.camelot[:-1]) + 4) % 12 + 1
        return f"{number}{'d' if self.mode == 'major' else 'm'}"

    def compatible(self) -> tuple[Key, ...]:
        """Itself, its wheel neighbours (a fifth up and down, same mode) and its relative."""
        relative = Key(
            (self.pitch_class + (9 if self.mode == "major" else 3)) % 12,
            "minor" if self.mode == "major" else "major",
        )
        return (
            self,
            Key((self.pitch_class + 7) % 12, self.mode),
            Key((self.pitch_class + 5) % 12, self.mode),
            relative,
        )


def parse_key(text: str | None) -> Key | None:
    """Read a key written as ``A minor``, ``Am``, ``Bbm``, ``F# major``, ``8A`` or ``1m``."""
    if not text:
        return None
    camelot = _CAMELOT_TEXT.match(text)
    if camelot:
        return _from_camelot(int(camelot.group(1)), camelot.group(2).upper() == "B")
    open_key = _OPEN_KEY_TEXT.match(text)
    if open_key:
        number = (int(open_key.group(1)) + 6) % 12 + 1
        return _from_camelot(number, open_key.group(2).lower() == "d")
    match = _KEY_TEXT.match(text)
    if not match:
        return None
    letter, accidental, mode_text = match.groups()
    name = letter.upper() + {"♯": "#", "♭": "b"}.get(accidental, accidental)
    name = _FLATS.get(name, name)
    if name not in PITCH_CLASSES:
        return None
    minor = mode_text is not None and (mode_text == "m" or mode_text.lower().startswith("min"))
    return Key(PITCH_CLASSES.index(name), "minor" if minor else "major")


def camelot_codes(text: str, *, compatible: bool = False) -> tuple[str, ...]:
    """The Camelot codes a key filter matches: the key's own, and with ``compatible`` its
    harmonic neighbours too. Raises ValueError (naming ``text``) when it is no key."""
    parsed = parse_key(text)
    if parsed is None:
        raise ValueError(f"{text!r} is not a key (8A, A minor, Am, 1m)")
    keys = parsed.compatible() if compatible else (parsed,)
    return tuple(key.camelot for key in keys)


def _from_camelot(number: int, major: bool) -> Key:
    relative_major = next(pc for pc, n in _MAJOR_CAMELOT.items() if n == number)
    if major:
        return Key(relative_major, "major")
    return Key((relative_major + 9) % 12, "minor")
