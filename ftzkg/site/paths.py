"""Where each page of the site goes, and relative links between pages."""

from __future__ import annotations

import posixpath
import re

from ..namespaces import FTZ, ID

INDEX = "index.html"
ONTOLOGY = "ontology.html"
STYLE = "style.css"

_SAFE = re.compile(r"[A-Za-z0-9._-]+")


def _safe_segment(segment: str) -> str:
    """A file-name-safe form of one IRI path segment (unsafe characters become ``_xx`` hex)."""
    if _SAFE.fullmatch(segment) and segment not in {".", ".."}:
        return segment
    return "".join(c if _SAFE.fullmatch(c) and c != "." else f"_{ord(c):02x}" for c in segment) or "_"


def entity_path(iri: str) -> str:
    """The page of an instance IRI: ``https://w3id.org/ftzkg/id/firm/x`` -> ``id/firm/x.html``."""
    if not iri.startswith(ID):
        raise ValueError(f"not an instance IRI: {iri}")
    segments = [_safe_segment(s) for s in iri[len(ID) :].split("/")]
    return "id/" + "/".join(segments) + ".html"


def term_anchor(iri: str) -> str:
    """The anchor of an ontology term on the ontology reference page."""
    local = iri[len(FTZ) :] if iri.startswith(FTZ) else iri
    return _safe_segment(local)


def href(from_page: str, to_page: str, fragment: str | None = None) -> str:
    """A relative link from one page of the site to another (or to an anchor on it)."""
    if from_page == to_page and fragment:
        return f"#{fragment}"
    target = posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")
    return f"{target}#{fragment}" if fragment else target


def root_prefix(page: str) -> str:
    """The relative path from a page up to the site's root (``""`` at the root)."""
    depth = page.count("/")
    return "../" * depth
