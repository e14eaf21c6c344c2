"""The optional parts of orbitdc and what each needs installed (``pip install 'orbitdc[EXTRA]'``).

``pip install orbitdc`` installs the modelling core: the chain (``evaluate``, sweeps, ``optimize``),
the Monte Carlo (in memory or in dask chunks on local threads), the trajectory, their command
lines and file outputs. The rest is optional, by extra (``pyproject.toml`` declares the same
lists; ``tests/test_extras.py`` checks they agree):

* ``report``: ``orbitdc report`` (papermill runs the notebooks, nbconvert exports them, HoloViews
  and Bokeh draw the figures, docutils typesets the Methods, selenium drives Chromium for ``--pdf``);
* ``app``: ``orbitdc app`` (Panel, served by tornado);
* ``notebooks``: the notebooks in JupyterLab (the report's and the app's libraries too);
* ``dask``: ``dask.distributed`` (a scheduler address or a ``Client`` as the Monte Carlo's
  ``scheduler=``);
* ``parquet``: pyarrow, for ``-o results.parquet`` (:func:`orbitdc.outputs.check_output_path`
  refuses the file type in one line without it);
* ``all``: everything above. ``make install``, ``environment.yml`` and ``constraints.txt``
  install everything.

A command that needs an extra that is not installed stops before doing anything, with one line
naming the ``pip install`` to run (:func:`require`; exit status 2 from the command line).
Whether a package is installed is asked of the import system without importing it, so the check
costs the command's start-up nothing measurable.
"""
from __future__ import annotations

import importlib.util

from .errors import OrbitdcError

#: The modules each extra provides, as imported (not the distribution names of pyproject.toml:
#: ``IPython`` is ``ipython``, ``bs4`` is ``beautifulsoup4``). Only what orbitdc imports is
#: listed; ``tests/test_extras.py`` maps them to pyproject's lists.
EXTRA_MODULES: dict[str, tuple[str, ...]] = {
    "report": ("papermill", "nbconvert", "nbformat", "ipykernel", "IPython", "holoviews", "bokeh", "tqdm",
               "docutils", "bs4", "markupsafe", "selenium"),
    "app": ("panel", "tornado", "holoviews", "bokeh"),
    "notebooks": ("jupyterlab", "panel", "holoviews", "bokeh", "IPython", "ipykernel"),
    "dask": ("distributed",),
    "parquet": ("pyarrow",),
}


class MissingExtraError(OrbitdcError):
    """A feature needs an optional extra that is not installed."""


def missing(extra: str) -> list[str]:
    """The modules of ``extra`` (a key of :data:`EXTRA_MODULES`) that cannot be imported here."""
    out = []
    for name in EXTRA_MODULES[extra]:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):  # a broken or half-removed installation
            found = False
        if not found:
            out.append(name)
    return out


def require(extra: str, what: str) -> None:
    """Stop with one line if ``extra`` is not installed: ``what`` (e.g. ``orbitdc report``) needs
    it, these modules are missing, and the ``pip install`` that adds them."""
    absent = missing(extra)
    if absent:
        raise MissingExtraError(
            f"{what} needs the '{extra}' extra ({', '.join(absent)} not installed): "
            f"pip install 'orbitdc[{extra}]'"
        )


__all__ = ["EXTRA_MODULES", "MissingExtraError", "missing", "require"]
