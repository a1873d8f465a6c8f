"""ftzkg: a knowledge graph of the entities of free trade zones."""

from .knowledge_graph import KnowledgeGraph, Stats
from .parsing import RdfInputError, parse_file

__version__ = "0.1.0"

__all__ = ["KnowledgeGraph", "RdfInputError", "Stats", "__version__", "parse_file"]
