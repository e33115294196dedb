"""Pipeline analysis ``product_yields``: cumulative products vs time -> rates and selectivity.

Data (``[samples.data] products = FILE``): a table with ``time_h`` and one ``<P>_umol`` column
per product (``CO_umol``, ``H2_umol``, ``CH4_umol``, ...), optionally a ``run`` column for
replicate runs. The sample's ``catalyst_mass_mg`` gives the mass-normalised rates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from qdcat.catalysis import analyse_yields, plot_sample_yields, plot_yields
from qdcat.core.results import Result
from qdcat.io import read_frame
from qdcat.pipeline.registry import Analysis, AnalysisOptions, register


def load_yields(path: Path) -> pd.DataFrame:
    """Read a table of cumulative product amounts (see the module documentation)."""
    frame = read_frame(path)
    frame.attrs["source_file"] = str(path)
    return frame


class ProductYieldOptions(AnalysisOptions):
    """``[analyses.product_yields]`` options."""

    products: list[str] | None = None
    """Products to analyse (default: every ``<P>_umol`` column)."""
    weighting: Literal["relative", "uniform"] = "relative"
    """Rate-fit weights: constant relative error (GC) or equal weights."""
    product: str = "CO"
    """The product shown in the comparison figure and summary."""


def analyse(data: pd.DataFrame, sample: Mapping[str, Any], options: ProductYieldOptions) -> Result:
    return analyse_yields(
        data,
        catalyst_mass_mg=sample.get("catalyst_mass_mg"),
        products=options.products,
        weighting=options.weighting,
    )


def plot(result: Result, sample: Mapping[str, Any]) -> Any:
    return plot_sample_yields(None, result, title=sample["name"])


def compare(
    results: Mapping[str, Result],
    samples: Sequence[Mapping[str, Any]],
    options: ProductYieldOptions,
) -> Any:
    return plot_yields(results, product=options.product)


ANALYSIS = register(
    Analysis(
        name="product_yields",
        title="Photocatalytic product evolution",
        technique="products",
        technique_description="cumulative product amounts vs time: time_h, CO_umol, H2_umol, ...",
        load=load_yields,
        analyse=analyse,
        plot=plot,
        compare=compare,
        options=ProductYieldOptions,
        summary=("CO_amount_umol", "CO_rate_umol_g_h", "selectivity_product_CO"),
        description=(
            "Final amounts (mean ± standard error over replicate runs), average rate (final "
            "amount / final time) and fitted rate (weighted least squares through the origin), "
            "mass-normalised rate per gram of dots, and selectivity on the product basis "
            "(n_i / Σn) and the electron basis (z_i n_i / Σ z n), as in the seed paper's Fig. "
            "5a-b."
        ),
        references=("Cai et al., ACS Catal. 2023, doi:10.1021/acscatal.3c03884 (Fig. 5a-b)",),
    )
)
