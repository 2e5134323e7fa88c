"""Chart labels: approximate widths in em and wrapping (English at spaces, Chinese between characters);
every SVG drawing of the app (charts, the radar, the scenario graph) wraps its labels here."""

from __future__ import annotations

import unicodedata

#: no line starts with these (they stay with the character before) ...
_CLOSING = set("，。、；：！？）》」』】”’,.;:!?)")
#: ... and no line ends with these (they go with the character after)
_OPENING = set("（《「『【“‘(")
_NARROW = set("fijlrtI!'()*,-./:;[]|` ")
_BROAD = set("mwMW@%")


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def text_width(text: str) -> float:
    """Approximate width in em of a proportional sans-serif: CJK and other wide characters 1,
    narrow Latin letters and punctuation 0.3, m and w 0.85, capitals 0.65, the rest 0.55."""
    return sum(1.0 if _wide(ch) else 0.3 if ch in _NARROW else 0.85 if ch in _BROAD
               else 0.65 if ch.isupper() else 0.55 for ch in text)


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Unbreakable pieces with "a space before?": English words, single Chinese characters (with
    their punctuation attached) and bracketed asides such as ``（账龄与指标）`` or ``(aging and KPIs)``."""
    tokens: list[tuple[str, bool]] = []
    space, i, text = False, 0, " ".join(text.split())
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            space, i = True, i + 1
            continue
        end = i + 1
        if ch in "（(" and (close := text.find("）" if ch == "（" else ")", i)) > 0:
            end = close + 1  # an aside stays together on a line of its own if it fits (see _fit)
        elif not _wide(ch):
            while end < len(text) and not text[end].isspace() and not _wide(text[end]):
                end += 1
        piece = text[i:end]
        if tokens and not space and (piece[0] in _CLOSING or tokens[-1][0][-1] in _OPENING):
            tokens[-1] = (tokens[-1][0] + piece, tokens[-1][1])
        else:
            tokens.append((piece, space))
        space, i = False, end
    return tokens


def _fit(tokens: list[tuple[str, bool]], width_em: float) -> list[tuple[str, bool]]:
    """Tokens wider than a line, cut into pieces that fit (a long word, a long aside)."""
    out: list[tuple[str, bool]] = []
    for token, space in tokens:
        if " " in token and text_width(token) > width_em:  # an aside too wide: its words, then
            out += _fit([(word, space or k > 0) for k, word in enumerate(token.split())], width_em)
            continue
        piece = ""
        for ch in token:
            if piece and text_width(piece + ch) > width_em:
                out.append((piece, space))
                piece, space = "", False
            piece += ch
        out.append((piece, space))
    return out


def wrap_label(text: str, width_em: float, lines: int = 3) -> tuple[str, ...]:
    """Break ``text`` into at most ``lines`` lines of ``width_em`` em: English at spaces, Chinese
    between characters (punctuation never starts a line); the last line ends with … if cut."""
    rows: list[list[tuple[str, bool]]] = []
    for token, space in _fit(_tokens(text), width_em):
        row = rows[-1] if rows else None
        if row is not None and text_width(_join([*row, (token, space)])) <= width_em:
            row.append((token, space))
        else:
            rows.append([(token, space)])
    if len(rows) <= lines:
        return tuple(_join(row) for row in rows)
    last = _join([t for row in rows[lines - 1:] for t in row])
    while last and text_width(last + "…") > width_em:
        last = last[:-1]
    return (*(_join(row) for row in rows[: lines - 1]), last.rstrip() + "…")


def _join(row: list[tuple[str, bool]]) -> str:
    return "".join((" " if space and i else "") + token for i, (token, space) in enumerate(row))

