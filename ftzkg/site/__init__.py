"""A static website of the knowledge graph: ontology reference, entity pages, trade-network picture.

``build_site(kg, out_dir)`` writes it; ``ftzkg site --out DIR`` is the command.
Every page is generated from the graph through the SPARQL queries in ``queries/``.
"""

from .build import SiteSummary, build_site, site_files
from .output import SiteError

__all__ = ["SiteError", "SiteSummary", "build_site", "site_files"]
