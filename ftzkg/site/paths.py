"""Where each page of the site goes, and relative links between pages."""

from __future__ import annotations

import hashlib
import posixpath
import re

from ..namespaces import FTZ, ID

INDEX = "index.html"
ONTOLOGY = "ontology.html"
STYLE = "style.css"

_SAFE = re.compile(r"[A-Za-z0-9._-]+")

#: Longest file or folder name written (file systems allow 255 bytes; ".jsonld" is added to pages).
MAX_NAME = 120
#: Longest path of an entity page below ``id/`` (deep IRIs are folded into one name).
MAX_PATH = 400


def _bounded(name: str, original: str) -> str:
    """``name`` if short enough, else its start and a digest of ``original``: stable and distinct."""
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha256(original.encode("utf-8")).hexdigest()[:16]
    return f"{name[: MAX_NAME - 17]}-{digest}"


def _safe_segment(segment: str) -> str:
    """A file-name-safe form of one IRI path segment (unsafe characters become ``_xx`` hex), at most
    :data:`MAX_NAME` characters."""
    if _SAFE.fullmatch(segment) and segment not in {".", ".."}:
        return _bounded(segment, segment)
    safe = "".join(c if _SAFE.fullmatch(c) and c != "." else f"_{ord(c):02x}" for c in segment) or "_"
    return _bounded(safe, segment)


def entity_path(iri: str) -> str:
    """The page of an instance IRI: ``https://w3id.org/ftzkg/id/firm/x`` -> ``id/firm/x.html``.

    Every name is at most :data:`MAX_NAME` characters and the whole path at most about
    :data:`MAX_PATH` (long segments or deep paths keep their start and gain a digest of
    the IRI), so any IRI gets a page the file system can hold, the same one every time.
    """
    if not iri.startswith(ID):
        raise ValueError(f"not an instance IRI: {iri}")
    local = iri[len(ID) :]
    segments = [_safe_segment(s) for s in local.split("/")]
    path = "/".join(segments)
    if len(path) > MAX_PATH:  # too deep: the first segment (the kind of entity) and one folded name
        path = segments[0] + "/" + _bounded("_2f".join(segments[1:]), local)
    return "id/" + path + ".html"


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
