"""The SHACL engines' names, apart from the engines (so the command line starts without loading them)."""

ENGINES = ("pyshacl", "turbo", "hybrid", "sparql")
DEFAULT_ENGINE = "hybrid"
#: Whole-graph validation's default: the shapes compiled to SPARQL, run on the graph's own store.
WHOLE_GRAPH_ENGINE = "sparql"
