"""Reading and writing data files: tolerant text tables and NetCDF (HDF5) archives."""

from qdcat.io.netcdf import load_netcdf, save_netcdf
from qdcat.io.tables import parse_header, read_frame, read_table

__all__ = ["load_netcdf", "parse_header", "read_frame", "read_table", "save_netcdf"]
