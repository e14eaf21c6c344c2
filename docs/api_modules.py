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
     ["orbitdc.report", "orbitdc.report.study", "orbitdc.report.record", "orbitdc.report.wording",
      "orbitdc.report.sections", "orbitdc.report.tables", "orbitdc.report.figures", "orbitdc.report.beliefs",
      "orbitdc.report.published", "orbitdc.report.methods", "orbitdc.report.settings", "orbitdc.report.builder",
      "orbitdc.report.workers", "orbitdc.report.page", "orbitdc.report.pdf", "orbitdc.report.folder",
      "orbitdc.workload_table", "orbitdc.formatting", "orbitdc.outputs", "orbitdc.interrupts", "orbitdc.app",
      "orbitdc.cli", "orbitdc.extras"]),
]

#: Modules of the package the reference leaves out, and why.
NOT_DOCUMENTED: dict[str, str] = {
    "orbitdc.__main__": "python -m orbitdc: the command line (see the CLI page)",
    **{f"orbitdc.{old}": f"deprecated alias of orbitdc.report (moved there; removed in the next release)"
       for old in ("study", "verdicts", "report_sections", "report_settings", "tables", "plots", "methods", "export",
                   "outdir", "runner", "pdf")},
}


def listed() -> list[str]:
    """Every module of :data:`API_SECTIONS`, in order."""
    return [m for _, mods in API_SECTIONS for m in mods]
