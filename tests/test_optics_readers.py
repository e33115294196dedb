"""Spectrum readers (qdcat.io.spectra): plain tables and instrument exports.

The instrument files are small synthetic files written here in the layouts of real exports:
Agilent Cary WinUV "Save as CSV" as in WrightTools/datasets/Cary/filters.csv (two header rows,
x,y pairs with a trailing comma, empty cells where a sample's scan range ends, a blank line and
a metadata block per sample), PerkinElmer UV WinLab ASCII (``PE UV ... PEDS`` first line,
``#HDR``, ``#GR`` with the x and y units on the next two lines, ``#DATA``), Shimadzu UVProbe
text (quoted ``"name - RawData"`` title and ``"Wavelength nm.","Abs."`` header). Every value
read is compared with the number written.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qdcat.core.constants import HC_eV_nm
from qdcat.core.errors import InputError
from qdcat.io.spectra import (
    read_spectra,
    read_spectrum,
    sniff_spectrum_format,
    to_absorbance,
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------- tables


def test_two_column_wavelength_absorbance(tmp_path: Path) -> None:
    f = write(tmp_path / "a.csv", "# comment\nWavelength (nm),Abs\n500,0.10\n499,0.20\n498,0.30\n")
    da = read_spectrum(f)
    assert da.name == "absorbance" and da.dims == ("wavelength_nm",)
    # sorted ascending: 498 -> 0.30, 499 -> 0.20, 500 -> 0.10
    np.testing.assert_allclose(da["wavelength_nm"].values, [498, 499, 500])
    np.testing.assert_allclose(da.values, [0.30, 0.20, 0.10])
    assert da.attrs["format"] == "table" and da.attrs["quantity_assumed"] == 0
    assert da.attrs["source_file"] == str(f)


@pytest.mark.parametrize(
    ("header", "factor", "dim"),
    [
        ("wavelength_um", 1e3, "wavelength_nm"),  # 0.5 um = 500 nm
        ("Wavelength (A)", 0.1, "wavelength_nm"),  # 5000 A = 500 nm
        ("energy_meV", 1e-3, "energy_eV"),  # 2000 meV = 2 eV
        ("Photon energy (eV)", 1.0, "energy_eV"),
        ("nm", 1.0, "wavelength_nm"),  # a bare unit, as a PerkinElmer CSV writes
    ],
)
def test_axis_units_are_converted(tmp_path: Path, header: str, factor: float, dim: str) -> None:
    x = np.array([1.0, 2.0, 3.0]) * {1e3: 0.5, 0.1: 5000, 1e-3: 2000, 1.0: 2}[factor]
    body = "".join(f"{v:g},{i / 10}\n" for i, v in enumerate(x))
    da = read_spectrum(write(tmp_path / "s.csv", f"{header},absorbance\n{body}"))
    assert da.dims == (dim,)
    np.testing.assert_allclose(da[dim].values, x * factor)


def test_headerless_axis_from_values(tmp_path: Path) -> None:
    nm = read_spectrum(
        write(tmp_path / "n.txt", "400 0.1\n401 0.2\n402 0.3\n"), assume="absorbance"
    )
    assert nm.dims == ("wavelength_nm",) and nm.attrs["axis_assumed"] == 1
    assert nm.attrs["quantity_assumed"] == 1
    ev = read_spectrum(
        write(tmp_path / "e.txt", "2.0 0.1\n2.1 0.2\n2.2 0.3\n"), assume="absorbance"
    )
    assert ev.dims == ("energy_eV",)
    # without assume, a header-less value column is refused, naming the file
    with pytest.raises(InputError, match=r"n\.txt.*cannot tell what the spectrum values are"):
        read_spectrum(tmp_path / "n.txt")


@pytest.mark.parametrize(
    ("header", "values", "expected"),
    [
        ("%T", "50,25,10", [0.5, 0.25, 0.1]),  # percent sign in the header
        ("Transmittance (%)", "50,25,10", [0.5, 0.25, 0.1]),
        ("T", "0.5,0.25,0.1", [0.5, 0.25, 0.1]),  # no % and all <= 1.5: a fraction
        ("T", "50,25,10", [0.5, 0.25, 0.1]),  # no % but > 1.5: percent
    ],
)
def test_transmittance_scale(tmp_path: Path, header: str, values: str, expected: list) -> None:
    rows = "".join(f"{w},{v}\n" for w, v in zip((500, 501, 502), values.split(","), strict=True))
    da = read_spectrum(write(tmp_path / "t.csv", f"wavelength_nm,{header}\n{rows}"))
    assert da.name == "transmittance"
    np.testing.assert_allclose(da.values, expected)
    # A = -log10 T: 0.5 -> 0.30103, 0.25 -> 0.60206, 0.1 -> 1
    np.testing.assert_allclose(to_absorbance(da).values, -np.log10(expected))
    assert to_absorbance(da).name == "absorbance"


def test_transmittance_above_100_percent_is_refused(tmp_path: Path) -> None:
    f = write(tmp_path / "t.csv", "wavelength_nm,%T\n500,99.0\n501,100.4\n502,104.0\n")
    # 100.4 % is within the noise allowance of the 100 % line; 104 % is not (line 4)
    with pytest.raises(InputError, match=r"t\.csv:4: %T: transmittance above 100 %"):
        read_spectrum(f)
    ok = write(tmp_path / "ok.csv", "wavelength_nm,%T\n500,99.0\n501,100.4\n502,100.9\n")
    assert read_spectrum(ok).values.max() == pytest.approx(1.009)


def test_zero_transmittance_has_no_absorbance(tmp_path: Path) -> None:
    da = read_spectrum(write(tmp_path / "t.csv", "wavelength_nm,%T\n500,0\n501,5\n502,10\n"))
    with pytest.raises(InputError, match=r"t\.csv.*transmittance <= 0 at wavelength_nm 500"):
        to_absorbance(da)


def test_reflectance_and_emission(tmp_path: Path) -> None:
    r = read_spectrum(write(tmp_path / "r.csv", "Wavelength (nm),%R\n400,20\n401,30\n402,40\n"))
    assert r.name == "reflectance" and r.attrs["scale_in_file"] == "percent"
    np.testing.assert_allclose(r.values, [0.2, 0.3, 0.4])
    with pytest.raises(InputError, match="Kubelka-Munk"):
        to_absorbance(r)
    pl = read_spectrum(write(tmp_path / "p.csv", "wavelength_nm,counts\n600,10\n601,12\n602,9\n"))
    assert pl.name == "intensity" and pl.attrs["units"] == "counts"


def test_series_in_columns(tmp_path: Path) -> None:
    f = write(
        tmp_path / "series.csv",
        "wavelength_nm,8/12ZCIS,4/12ZCIS,2/12ZCIS\n500,0.1,0.2,0.3\n501,0.4,0.5,0.6\n",
    )
    da = read_spectra(f, assume="absorbance")
    assert da.dims == ("sample", "wavelength_nm")
    assert list(da["sample"].values) == ["8/12ZCIS", "4/12ZCIS", "2/12ZCIS"]
    np.testing.assert_allclose(da.sel(sample="4/12ZCIS").values, [0.2, 0.5])
    one = read_spectrum(f, assume="absorbance", sample="2/12ZCIS")
    np.testing.assert_allclose(one.values, [0.3, 0.6])
    np.testing.assert_allclose(read_spectrum(f, assume="absorbance", sample=0).values, [0.1, 0.4])
    with pytest.raises(InputError, match=r"holds 3 spectra.*sample="):
        read_spectrum(f, assume="absorbance")
    with pytest.raises(InputError, match=r"no spectrum named 'x'.*8/12ZCIS"):
        read_spectrum(f, assume="absorbance", sample="x")


def test_absorbance_column_among_others_is_found(tmp_path: Path) -> None:
    f = write(tmp_path / "a.csv", "wavelength_nm,absorbance,baseline\n500,0.5,0.01\n501,0.6,0.01\n")
    np.testing.assert_allclose(read_spectrum(f, assume="absorbance").values, [0.5, 0.6])


# ------------------------------------------------------------------------------- bad axes


def test_duplicated_wavelength(tmp_path: Path) -> None:
    f = write(tmp_path / "d.csv", "wavelength_nm,absorbance\n500,0.1\n501,0.2\n501,0.3\n502,0.4\n")
    with pytest.raises(InputError, match=r"d\.csv:4: wavelength_nm: duplicated wavelength_nm"):
        read_spectrum(f)


def test_energy_axis_that_turns_back(tmp_path: Path) -> None:
    # energies 1.5, 1.6, then 1.55: a descending step inside an ascending axis
    f = write(tmp_path / "e.csv", "energy_eV,absorbance\n1.5,0.1\n1.6,0.2\n1.55,0.3\n1.7,0.4\n")
    with pytest.raises(InputError, match=r"e\.csv:4: energy_eV: the energy_eV axis changes dir"):
        read_spectrum(f)


def test_descending_axis_is_sorted(tmp_path: Path) -> None:
    f = write(tmp_path / "e.csv", "energy_eV,absorbance\n2.2,0.3\n2.1,0.2\n2.0,0.1\n")
    da = read_spectrum(f)
    np.testing.assert_allclose(da["energy_eV"].values, [2.0, 2.1, 2.2])
    np.testing.assert_allclose(da.values, [0.1, 0.2, 0.3])


def test_not_a_spectral_axis(tmp_path: Path) -> None:
    f = write(tmp_path / "t.csv", "time_ns,absorbance\n1,0.1\n2,0.2\n")
    with pytest.raises(InputError, match=r"t\.csv: time_ns: the first column is not a spectral"):
        read_spectrum(f)


def test_missing_value(tmp_path: Path) -> None:
    f = write(tmp_path / "m.csv", "wavelength_nm,absorbance\n500,0.1\n501,nan\n502,0.3\n")
    with pytest.raises(InputError, match=r"m\.csv:3: absorbance: spectrum 'absorbance' has a mis"):
        read_spectrum(f)


# ------------------------------------------------------------------------------- instruments


CARY = (
    "Quartz blank,,ZCIS-2 %T,,\n"
    "Wavelength (nm),Abs,Wavelength (nm),%T,\n"
    "800.0541382,0.02885507233,800.0541382,93.92353058,\n"
    "799.0315552,0.031092586,799.0315552,94.08599091,\n"
    "798.0090332,0.02485692687,798.0090332,94.07646942,\n"
    ",,797.0537109,80.50000000,\n"
    "\n"
    "Quartz blank,\n"
    "Collection Time: 5/10/2018 5:14:12 PM\n"
    "Instrument                        Cary 50\n"
    "Y Mode                            Abs\n"
    "\n"
    "ZCIS-2 %T,\n"
    "Collection Time: 5/10/2018 5:17:29 PM\n"
    "Y Mode                            %T\n"
)


def test_cary_export(tmp_path: Path) -> None:
    f = write(tmp_path / "cary.csv", CARY)
    assert sniff_spectrum_format(f) == "cary"
    blank = read_spectrum(f, sample="Quartz blank")
    assert blank.name == "absorbance" and blank.attrs["format"] == "cary"
    # 3 rows (the 4th row is empty for this sample), sorted ascending
    np.testing.assert_allclose(
        blank["wavelength_nm"].values, [798.0090332, 799.0315552, 800.0541382]
    )
    np.testing.assert_allclose(blank.values, [0.02485692687, 0.031092586, 0.02885507233])
    assert "Collection Time: 5/10/2018 5:14:12 PM" in blank.attrs["metadata"]
    t = read_spectrum(f, sample=1)
    assert t.name == "transmittance" and t.attrs["sample"] == "ZCIS-2 %T"
    np.testing.assert_allclose(t.values, [0.805, 0.9407646942, 0.9408599091, 0.9392353058])
    # a series of both: different axes and quantities; converted to absorbance and
    # interpolated onto the first sample's axis it stacks
    with pytest.raises(InputError, match="different quantities"):
        read_spectra(f)
    series = read_spectra(f, absorbance=True, align="interpolate")
    assert series.sizes == {"sample": 2, "wavelength_nm": 3}
    np.testing.assert_allclose(
        series.sel(sample="ZCIS-2 %T").values, -np.log10([0.9407646942, 0.9408599091, 0.9392353058])
    )


def test_cary_bad_cell_names_line(tmp_path: Path) -> None:
    bad = CARY.replace("799.0315552,0.031092586,", "799.0315552,0.03x,", 1)
    f = write(tmp_path / "cary.csv", bad)
    with pytest.raises(InputError, match=r"cary\.csv:4: Quartz blank:Abs"):
        read_spectrum(f, sample=0)


PE = (
    "PE UV       SUBTECH     SPECTRUM    ASCII       PEDS        4.00        -1\n"
    "ZCIS_film.sp\n"
    "24/03/15\n"
    "14:02:11.00\n"
    "24/03/15\n"
    "14:05:40.00\n"
    "\n"
    "operator\n"
    "ZCIS film\n"
    "#HDR\n"
    "-1\n"
    "#GR\n"
    "nm\n"
    "%R\n"
    "1.0\n"
    "0.0\n"
    "800.000000\n"
    "-1.000000\n"
    "4\n"
    "#DATA\n"
    "800.000000\t45.123400\n"
    "799.000000\t44.987600\n"
    "798.000000\t44.701200\n"
    "797.000000\t44.400000\n"
)


def test_perkinelmer_ascii(tmp_path: Path) -> None:
    f = write(tmp_path / "film.asc", PE)
    assert sniff_spectrum_format(f) == "perkinelmer"
    da = read_spectrum(f)
    assert da.name == "reflectance" and da.attrs["scale_in_file"] == "percent"
    np.testing.assert_allclose(da["wavelength_nm"].values, [797, 798, 799, 800])
    np.testing.assert_allclose(da.values, [0.444, 0.447012, 0.449876, 0.451234])
    assert "#GR" in da.attrs["header"] and da.attrs["sample"] == "film"


def test_perkinelmer_bad_row(tmp_path: Path) -> None:
    f = write(tmp_path / "film.asc", PE.replace("799.000000\t44.987600", "799.000000\t44.98\t1"))
    with pytest.raises(InputError, match=r"film\.asc:22: PerkinElmer #DATA: row has 3 fields"):
        read_spectrum(f)


def test_shimadzu_text(tmp_path: Path) -> None:
    text = (
        '"ZCIS 2-12 - RawData"\n"Wavelength nm.","Abs."\n400.00,0.812\n401.00,0.805\n402.00,0.799\n'
    )
    f = write(tmp_path / "zcis.txt", text)
    assert sniff_spectrum_format(f) == "shimadzu"
    da = read_spectrum(f)
    assert da.name == "absorbance" and da.attrs["sample"] == "ZCIS 2-12"
    np.testing.assert_allclose(da.values, [0.812, 0.805, 0.799])
    t = write(
        tmp_path / "t.txt", '"film - RawData"\n"Wavelength nm.","%T"\n400,50\n401,60\n402,70\n'
    )
    np.testing.assert_allclose(read_spectrum(t).values, [0.5, 0.6, 0.7])


def test_format_override_and_unknown(tmp_path: Path) -> None:
    f = write(tmp_path / "a.csv", "wavelength_nm,absorbance\n500,0.1\n501,0.2\n")
    assert read_spectrum(f, format="table").attrs["format"] == "table"
    with pytest.raises(InputError, match="unknown spectrum format"):
        read_spectrum(f, format="jcamp")
    with pytest.raises(InputError, match=r"missing\.csv.*file not found"):
        read_spectrum(tmp_path / "missing.csv")


def test_round_trip_of_a_simulated_spectrum(tmp_path: Path) -> None:
    from qdcat.optics import AbsorptionParams, simulate_absorbance

    da = simulate_absorbance(AbsorptionParams(2.3, 0.09, 0.35), rng=1)
    lines = "".join(
        f"{w:.1f}\t{a:.6f}\n" for w, a in zip(da.wavelength_nm.values, da.values, strict=True)
    )
    back = read_spectrum(write(tmp_path / "s.tsv", "Wavelength (nm)\tAbsorbance\n" + lines))
    np.testing.assert_allclose(back.values, da.values, atol=5e-7)
    # energy file of the same points reads to the same values in energy order
    E = HC_eV_nm / da.wavelength_nm.values
    rows = "".join(f"{e:.9f},{a:.6f}\n" for e, a in zip(E, da.values, strict=True))
    back_e = read_spectrum(write(tmp_path / "e.csv", "energy_eV,absorbance\n" + rows))
    np.testing.assert_allclose(back_e.values, da.values[::-1], atol=5e-7)
