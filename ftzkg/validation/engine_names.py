"""The SHACL engines' names, apart from the engines (so the command line starts without loading them)."""

ENGINES = ("pyshacl", "turbo", "hybrid", "sparql")
DEFAULT_ENGINE = "hybrid"
#: Whole-graph validation's default: the shapes compiled to SPARQL, run on the graph's own store.
WHOLE_GRAPH_ENGINE = "sparql"
#: A contribution's default: the shapes compiled once into a check plan (:mod:`.check_plan`),
#: run on the contribution's neighbourhood.
CONTRIBUTION_ENGINE = "sparql"
