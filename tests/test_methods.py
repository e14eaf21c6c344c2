"""The report's Methods (orbitdc.methods): the stage modules' docstrings render as HTML with
equations typeset (MathML), Sphinx roles as code, no reST left raw, developer notes dropped."""
from __future__ import annotations

import importlib
import inspect
import io
import re

import pytest

from orbitdc.report import methods
from orbitdc.chain import STAGE_MODULES


@pytest.mark.parametrize("module", STAGE_MODULES)
def test_stage_docstring_renders_cleanly(module):
    """No docutils warning or error (an unknown LaTeX command, a broken list, a bad role) in a
    stage's module docstring: what the report shows is what the docstring says."""
    from docutils.core import publish_parts

    methods._register_roles()
    doc = inspect.cleandoc(methods.report_part(importlib.import_module(module).__doc__ or ""))
    stream = io.StringIO()
    publish_parts(source=doc, writer="html5", settings_overrides={
        "math_output": "MathML", "report_level": 2, "halt_level": 5, "warning_stream": stream,
        "doctitle_xform": False})
    assert stream.getvalue() == ""
    html = methods.docstring_html(importlib.import_module(module).__doc__ or "")
    assert "``" not in html and not re.search(r":(func|mod|class|data|math):`", html)


def test_equations_are_mathml_and_roles_are_code():
    html = methods.rst_html("See :func:`~orbitdc.power.array_area` and :math:`A = P / (S \\eta)`.\n\n"
                            ".. math::\n\n   q = \\varepsilon \\sigma T^4\n")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML">' in html and 'display="block"' in html
    assert "<span class=\"docutils literal\">array_area</span>" in html
    assert ":func:" not in html


def test_code_names_in_prose_are_set_as_code():
    html = methods.rst_html("The it_power and ``bus_power`` of P_sa.")
    assert "<code>it_power</code>" in html and "<code>P_sa</code>" in html
    assert html.count("bus_power") == 1  # the literal is not wrapped twice


def test_developer_notes_are_dropped():
    doc = "For readers.\n\n.. developer notes\n\nThe kernels take plain floats.\n"
    html = methods.docstring_html(doc)
    assert "For readers" in html and "kernels" not in html
    for module in ("orbitdc.orbit", "orbitdc.economics"):  # the stages that have such notes
        text = methods.docstring_html(importlib.import_module(module).__doc__)
        assert "_kernel" not in text and "Missing upstream stages" not in text


def _public_functions(module):
    mod = importlib.import_module(module)
    for name, fn in inspect.getmembers(mod, inspect.isfunction):
        if not name.startswith("_") and fn.__module__ == mod.__name__ and name != "run" and fn.__doc__:
            yield name, fn


@pytest.mark.parametrize("module", STAGE_MODULES)
def test_stage_function_docstrings_render_cleanly(module):
    """The public functions' docstrings (folded under "Functions of this stage" in the report)
    render without a docutils warning, and no reST (``literal`` or a raw role) reaches the page
    as text."""
    from docutils.core import publish_parts

    methods._register_roles()
    for name, fn in _public_functions(module):
        doc = inspect.cleandoc(methods.report_part(fn.__doc__))
        stream = io.StringIO()
        publish_parts(source=doc, writer="html5", settings_overrides={
            "math_output": "MathML", "report_level": 2, "halt_level": 5, "warning_stream": stream,
            "doctitle_xform": False})
        assert stream.getvalue() == "", f"{module}.{name}: {stream.getvalue()}"
        html = methods.docstring_html(fn.__doc__)
        assert "``" not in html and not re.search(r":(func|mod|class|data|math):`", html), f"{module}.{name}"


@pytest.mark.parametrize("module, function", [
    ("orbitdc.compute", "accelerator_count"), ("orbitdc.power", "solar_array_area"),
    ("orbitdc.thermal", "radiator_flux"), ("orbitdc.mass", "propellant_mass"),
    ("orbitdc.launch", "satellites_per_launch"), ("orbitdc.economics", "capital_recovery_factor")])
def test_function_equations_are_typeset(module, function):
    """A function's equation reaches the report as MathML, not as an ASCII literal."""
    html = methods.docstring_html(getattr(importlib.import_module(module), function).__doc__)
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML"' in html
