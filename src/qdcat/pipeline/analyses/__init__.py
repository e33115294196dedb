"""Analyses the pipeline can run: one module each, registered at import (auto-discovered)."""
