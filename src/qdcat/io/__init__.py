"""Reading and writing data files: tolerant text tables, NetCDF (HDF5) archives, transient
absorption matrices (:mod:`qdcat.io.ta`), TCSPC decays (:mod:`qdcat.io.tcspc`) and UV-vis/PL
spectra including instrument exports (:mod:`qdcat.io.spectra`) and XPS VAMAS files
(:mod:`qdcat.io.vamas`)."""

from qdcat.io.netcdf import load_netcdf, save_netcdf
from qdcat.io.spectra import read_spectra, read_spectrum, sniff_spectrum_format, to_absorbance
from qdcat.io.ta import (
    read_glotaran_ascii,
    read_surface_xplorer,
    read_ta,
    read_ta_csv,
    read_ufs,
    write_ta_csv,
)
from qdcat.io.tables import parse_header, read_frame, read_table
from qdcat.io.tcspc import read_decay, read_irf, read_phu, read_ptu, read_sdt, read_tcspc
from qdcat.io.vamas import read_vamas

__all__ = [
    "load_netcdf",
    "parse_header",
    "read_decay",
    "read_frame",
    "read_glotaran_ascii",
    "read_irf",
    "read_phu",
    "read_ptu",
    "read_sdt",
    "read_spectra",
    "read_spectrum",
    "read_surface_xplorer",
    "read_ta",
    "read_ta_csv",
    "read_table",
    "read_tcspc",
    "read_ufs",
    "read_vamas",
    "save_netcdf",
    "sniff_spectrum_format",
    "to_absorbance",
    "write_ta_csv",
]
