"""Carrier kinetics: fs-TA global and target analysis, TRPL reconvolution, quenching."""
