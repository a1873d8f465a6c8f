"""Validation lives in ftzkg/validation/, one job per module; rdflib is patched in one marked place."""

from __future__ import annotations

from pathlib import Path

from rdflib.plugins.sparql import processor

import ftzkg.validation
from ftzkg.validation import rdflib_patch

PACKAGE = Path(ftzkg.validation.__file__).parent


def test_rdflib_is_patched_only_inside_the_block_and_undo_puts_it_back():
    own = processor.parseQuery
    assert not rdflib_patch.is_patched()
    with rdflib_patch.translated_sparql_cache():
        assert rdflib_patch.is_patched()
    assert processor.parseQuery is own
    processor.parseQuery = rdflib_patch._QueryText  # as an interrupted run could leave it
    assert rdflib_patch.is_patched()
    rdflib_patch.undo()
    assert processor.parseQuery is own and not rdflib_patch.is_patched()


def test_only_the_marked_module_touches_rdflibs_sparql_processor():
    touching = [
        p.name for p in sorted(PACKAGE.parent.rglob("*.py")) if "processor.parseQuery =" in p.read_text()
    ]
    assert touching == ["rdflib_patch.py"]
    assert "PATCH" in (PACKAGE / "rdflib_patch.py").read_text()


def test_each_module_does_one_job_in_a_few_hundred_lines():
    sizes = {p.name: len(p.read_text().splitlines()) for p in PACKAGE.glob("*.py")}
    assert {"report.py", "graph_walks.py", "source_locator.py", "text_format.py", "contribution.py"} <= set(
        sizes
    )
    assert all(lines < 500 for lines in sizes.values()), sizes


def test_the_package_names_resolve_lazily_to_their_modules():
    assert ftzkg.validation.Finding.__module__ == "ftzkg.validation.report"
    assert ftzkg.validation.validate_contribution.__module__ == "ftzkg.validation.contribution"
