"""How wide a text is drawn, without a font at hand: Helvetica's advance widths (per 1,000
units of the font size; Arial, Liberation Sans and most sans-serif fonts agree to a few per
cent), so that boxes fit their names wherever the SVG is shown."""

from __future__ import annotations

_WIDTHS = {
    **dict.fromkeys("ijlI!|.,:;'", 278), **dict.fromkeys("ft/[]()- ", 333), "r": 333,
    **dict.fromkeys("abcdeghknopqsuvxyz0123456789$_?#", 556), "J": 500, "L": 556,
    **dict.fromkeys("FTZ", 611), **dict.fromkeys("ABEKPSVXY&", 667),
    **dict.fromkeys("CDHNRUw", 722), **dict.fromkeys("GOQ", 778), **dict.fromkeys("mM", 833),
    "W": 944, "%": 889, "@": 1015, '"': 355, "=": 584, "<": 584, ">": 584, "*": 389,
}
#: bold text is about this much wider
BOLD = 1.08


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    units = sum(_WIDTHS.get(ch, 556 if ord(ch) < 0x2E80 else 1000) for ch in text)
    return units * size / 1000 * (BOLD if bold else 1.0)
