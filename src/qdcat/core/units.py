"""Units as they appear in key names (``band_gap_eV``, ``rate_umol_g_h``, ``power_mW_cm2``).

qdcat keeps units explicit in names. One rule turns unit text into the key suffix, used by the
table reader (column names) and by the result types (standard-error keys), so the two agree.
"""

from __future__ import annotations

import re

__all__ = ["unit_slug"]

_TOKEN = re.compile(r"^([A-Za-z°%]+)\^?([+-]?\d+)?$")
_SPECIAL = {"%": "pct", "a.u.": "au", "a.u": "au", "arb. units": "au", "arb.u.": "au"}


def unit_slug(unit: str) -> str:
    """Unit text as a key suffix: ``'umol g-1 h-1'`` -> ``'umol_g_h'``.

    An exponent ``-1`` after the first factor is dropped (it reads as "per"); other exponents
    keep their digits (``'mW cm-2'`` -> ``'mW_cm2'``, ``'cm-1'`` -> ``'cm1'``); ``'%'`` ->
    ``'pct'``; ``'°C'`` -> ``'degC'``.
    """
    u = unit.strip()
    if u.lower() in _SPECIAL:
        return _SPECIAL[u.lower()]
    u = u.replace("°C", "degC").replace("°", "deg")
    parts: list[str] = []
    for i, tok in enumerate(t for t in re.split(r"[\s/*]+", u) if t):
        m = _TOKEN.match(tok)
        if m is None:
            cleaned = re.sub(r"[^A-Za-z0-9]+", "", tok)
            if cleaned:
                parts.append(cleaned)
            continue
        base, exp = m.group(1).replace("%", "pct"), m.group(2)
        if exp is None or (exp == "-1" and i > 0):
            parts.append(base)
        else:
            parts.append(base + exp.lstrip("+-"))
    return "_".join(parts)
