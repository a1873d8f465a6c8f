"""The SHACL engines' names, apart from the engines (so the command line starts without loading them)."""

ENGINES = ("pyshacl", "turbo", "hybrid")
DEFAULT_ENGINE = "hybrid"
