"""The API reference's table of contents: every public module of orbitdc, in one place.

``docs/conf.py`` writes one page per module listed here (``automodule`` of the module, its
members from the docstrings) before Sphinx reads the sources; ``tests/test_docs.py`` checks that
every module of the package is listed here or in :data:`NOT_DOCUMENTED` (with the reason), and that
every listed module exists. When a module moves (``orbitdc/report/`` ...), change its name here:
nothing else in docs/ names modules.

The stage modules are not listed: the chain page documents them (their module and function
docstrings, the same text the report's Methods appendix renders), in the order of
:data:`orbitdc.stages.MODULES`.
"""
from __future__ import annotations

#: (section title, [module, ...]) in reading order.
API_SECTIONS: list[tuple[str, list[str]]] = [
    ("The public API", ["orbitdc"]),
    ("The chain and its vocabulary", ["orbitdc.chain", "orbitdc.frame", "orbitdc.stages", "orbitdc.units",
                                      "orbitdc.errors"]),
    ("Architectures, parameters and data", ["orbitdc.architectures", "orbitdc.parameters", "orbitdc.catalogs",
                                            "orbitdc.scenarios", "orbitdc.datadirs", "orbitdc.paths",
                                            "orbitdc.validation", "orbitdc.arguments"]),
    ("Uncertainty, design and what would have to be true",
     ["orbitdc.uncertainty", "orbitdc.correlation", "orbitdc.design", "orbitdc.parity", "orbitdc.reconciliation",
      "orbitdc.memory"]),
    ("Year by year", ["orbitdc.trajectory", "orbitdc.fleet"]),
    ("Report, app and command line",
     ["orbitdc.study", "orbitdc.verdicts", "orbitdc.report", "orbitdc.report_sections", "orbitdc.workload_table",
      "orbitdc.report_settings",
      "orbitdc.tables", "orbitdc.plots", "orbitdc.formatting", "orbitdc.methods", "orbitdc.export",
      "orbitdc.outputs", "orbitdc.outdir", "orbitdc.runner", "orbitdc.pdf", "orbitdc.interrupts", "orbitdc.app",
      "orbitdc.cli", "orbitdc.extras"]),
]

#: Modules of the package the reference leaves out, and why.
NOT_DOCUMENTED: dict[str, str] = {
    "orbitdc.__main__": "python -m orbitdc: the command line (see the CLI page)",
}


def listed() -> list[str]:
    """Every module of :data:`API_SECTIONS`, in order."""
    return [m for _, mods in API_SECTIONS for m in mods]
