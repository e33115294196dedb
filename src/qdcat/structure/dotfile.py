"""Dot files: TOML build parameters of :func:`qdcat.structure.model.build_dot`.

A dot file (``examples/zcis/data/*_dot.toml``) names the shape, size and composition of a
dot model; the pipeline's ``structure`` analysis and run files (``[sample] qd_model``) read it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from qdcat.core.errors import ConfigError, InputError

__all__ = ["build_dot_from_parameters", "load_dot_parameters"]

#: Keys a dot file may hold -> (type(s), description).
DOT_FILE_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "shape": ((str,), "pyramid, tetrahedron, sphere or cuboctahedron"),
    "layers": ((int,), "number of cation layers"),
    "size_nm": ((int, float), "size in nm instead of layers"),
    "cu_in": ((int, float), "target atomic Cu/In"),
    "zn_fraction": ((int, float), "target Zn/(Zn+Cu+In)"),
    "termination": ((str,), "neutral, S-rich or metal-rich"),
    "polarity": ((str,), "A or B"),
    "orientation": ((str, list), "crystal, apex_up or [u, v, w]"),
    "seed": ((int,), "random seed"),
    "a_A": ((int, float), "lattice parameter a, Angstrom"),
    "c_A": ((int, float), "lattice parameter c, Angstrom"),
    "hole_fraction": ((int, float), "share of V_Cu' charge compensated by Cu2+"),
    "antisite_pair_fraction": ((int, float), "fraction of Cu in antisite pairs"),
}


def load_dot_parameters(path: Path) -> dict[str, Any]:
    """Read a dot file (TOML). Unknown keys and wrong types raise :class:`ConfigError`."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=path) from exc
    except OSError as exc:
        raise InputError(f"cannot read the dot file: {exc}", file=path) from exc
    for key, value in data.items():
        if key not in DOT_FILE_KEYS:
            raise ConfigError(
                "unknown key in dot file",
                file=path,
                key_path=key,
                expected=", ".join(DOT_FILE_KEYS),
                found=key,
            )
        types, description = DOT_FILE_KEYS[key]
        if isinstance(value, bool) or not isinstance(value, types):
            raise ConfigError(
                "wrong type", file=path, key_path=key, expected=description, found=value
            )
    data["source_file"] = str(path)
    return data


def build_dot_from_parameters(params: Mapping[str, Any]) -> Any:
    """Build the dot of a parameter mapping from :func:`load_dot_parameters` (errors name its
    file)."""
    from qdcat.structure.model import build_dot

    kwargs = {k: v for k, v in params.items() if k in DOT_FILE_KEYS}
    if isinstance(kwargs.get("orientation"), list):
        kwargs["orientation"] = tuple(kwargs["orientation"])
    try:
        return build_dot(**kwargs)
    except InputError as exc:
        raise InputError(str(exc), file=params.get("source_file")) from exc
