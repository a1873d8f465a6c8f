"""Synthetic zone-scale data: a realistic, clearly fake graph for scale tests and benchmarks.

``generate(firms=N, seed=S, out=DIR)`` writes ``DIR/synthetic.nq`` (or ``.trig``)
with free trade zones and their areas, firms with sectors, trade links with
periods, values and sources (and the matching ``ftz:exportsTo`` edges),
production and supply links (with their direct edges), revenue and zone
indicators per year, support policies and reform programmes with counts.

Everything it invents lives under ``https://w3id.org/ftzkg/id/synthetic/`` and
sits in named graphs whose source says "Synthetic data" (``ftz:aiAssisted``
false), so it cannot be confused with real data. Products, HS codes, sectors,
countries and regions are the reference data's own IRIs: load
``data/reference`` beside the output.

The text is written directly, line by line, as it is generated: memory stays
flat whatever the size, and the same seed gives the same bytes.
``violations`` injects deliberate shape violations of known kinds into a
chosen fraction of firms (and of reform programmes) so that validators can be
checked for agreement at scale; :class:`SynthResult` lists each one.
"""

from __future__ import annotations

import os
import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import project
from .knowledge_graph import KnowledgeGraph
from .namespaces import FTZ, ID, PREFIXES

SYNTHETIC = ID + "synthetic/"
FORMATS = ("nquads", "trig")
YEARS = (2023, 2024, 2025)

# Each firm-level kind of violation; reform programmes get "implemented-gt-outlined".
FIRM_VIOLATIONS = ("missing-source", "range-min-gt-max", "negative-value", "unbacked-exports-to")
PROGRAMME_VIOLATION = "implemented-gt-outlined"
VIOLATION_KINDS = (*FIRM_VIOLATIONS, PROGRAMME_VIOLATION)

_RDF = PREFIXES["rdf"]
_RDFS = PREFIXES["rdfs"]
_XSD = PREFIXES["xsd"]
_PROV = PREFIXES["prov"]
_DCT = PREFIXES["dcterms"]
_UNIT = PREFIXES["unit"]
_CUR = PREFIXES["cur"]

TYPE = f"<{_RDF}type>"
TIME_UNIT_YEAR = "http://www.w3.org/2006/time#unitYear"
LABEL = f"<{_RDFS}label>"
DERIVED_FROM = f"<{_PROV}wasDerivedFrom>"

SECTOR_OF_CATEGORY = {
    ID + "product/electronics": ID + "sector/electronics-manufacturing",
    ID + "product/nuts-and-fruit": ID + "sector/agri-processing",
}
AGRI_SECTOR = ID + "sector/agri-processing"


def f(local: str) -> str:
    """An ontology term as an N-Triples IRI."""
    return f"<{FTZ}{local}>"


def lit(text: str) -> str:
    """A plain string literal (xsd:string), escaped for N-Triples."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def en(text: str) -> str:
    """An English language-tagged literal."""
    return lit(text) + "@en"


def dec(value: float | int) -> str:
    """An xsd:decimal literal with one decimal at least, as the article writes numbers."""
    text = f"{value:.2f}".rstrip("0")
    if text.endswith("."):
        text += "0"
    return f'"{text}"^^<{_XSD}decimal>'


def typed(text: str, datatype: str) -> str:
    return f'"{text}"^^<{_XSD}{datatype}>'


def iri(value: str) -> str:
    return f"<{value}>"


@dataclass(frozen=True)
class Reference:
    """What the synthetic data links to in ``data/reference``: markets and products by sector."""

    countries: list[str]
    regions: list[str]
    products: dict[str, list[str]]  # sector IRI -> product IRIs

    @property
    def markets(self) -> list[str]:
        return self.countries + self.regions


def load_reference(project_: project.Project | None = None) -> Reference:
    """Read countries, M49 sub-regions and products per sector from a project's reference data."""
    folder = (project_ or project.Project.default()).data_dir / "reference"
    kg = KnowledgeGraph()
    for path in sorted(folder.glob("*.trig")):
        kg.store.extend(ox.parse(path.read_bytes(), format=ox.RdfFormat.TRIG))
    store = kg
    pro = "PREFIX ftz: <" + FTZ + ">\nPREFIX skos: <" + PREFIXES["skos"] + ">\n"
    countries = sorted(
        r["c"].value
        for r in store.select(pro + "SELECT ?c WHERE { GRAPH ?g { ?c a ftz:Country } }")
        if r["c"].value != ID + "country/CN"
    )
    regions = sorted(
        r["r"].value
        for r in store.select(
            pro + "SELECT DISTINCT ?r WHERE { GRAPH ?g { ?c a ftz:Country ; ftz:withinRegion ?r } }"
        )
    )
    products: dict[str, list[str]] = {}
    for row in store.select(
        pro + "SELECT ?p ?cat WHERE { GRAPH ?g { ?p a ftz:Product ; skos:broader ?cat } } ORDER BY ?p"
    ):
        sector = SECTOR_OF_CATEGORY.get(row["cat"].value)
        if sector is not None:
            products.setdefault(sector, []).append(row["p"].value)
    if not countries or not products:
        raise FileNotFoundError(f"no countries or products in {folder}")
    return Reference(countries=countries, regions=regions, products=dict(sorted(products.items())))


@dataclass(frozen=True)
class Violation:
    """One deliberately injected violation: its kind and the node it is on."""

    kind: str
    focus: str


@dataclass
class SynthResult:
    """What :func:`generate` wrote."""

    path: Path
    firms: int
    quads: int
    graphs: int
    violations: list[Violation] = field(default_factory=list)


@dataclass(frozen=True)
class _Area:
    index: int
    zone_iri: str
    ftz_iri: str
    source_iri: str
    name: str
    firms: range


def _areas(firms: int) -> list[_Area]:
    """Zone areas, three per free trade zone (at most 22 zones), each with a block of firms."""
    count = max(1, min(66, firms // 100))
    areas = []
    for a in range(count):
        zone_no, area_no = a // 3 + 1, a % 3 + 1
        name = f"ftz-{zone_no:02d}-area-{area_no}"
        start, stop = a * firms // count, (a + 1) * firms // count
        areas.append(
            _Area(
                index=a,
                zone_iri=f"{SYNTHETIC}zone/{name}",
                ftz_iri=f"{SYNTHETIC}zone/ftz-{zone_no:02d}",
                source_iri=f"{SYNTHETIC}source/{name}-register",
                name=name,
                firms=range(start, stop),
            )
        )
    return areas


def _chosen(index: int, fraction: float) -> bool:
    """Exactly floor(n * fraction) of the first n indexes are chosen, evenly spread."""
    return int((index + 1) * fraction) > int(index * fraction)


class _Writer:
    """Writes triples of one graph at a time as N-Quads or TriG, and counts them."""

    def __init__(self, out, fmt: str):
        self.out = out
        self.fmt = fmt
        self.graph: str | None = None
        self.count = 0
        self.graphs = 0
        self.buffer: list[str] = []

    def start_graph(self, graph: str) -> None:
        self.end_graph()
        self.graph = graph
        self.graphs += 1
        if self.fmt == "trig":
            self.buffer.append(f"<{graph}> {{\n")

    def end_graph(self) -> None:
        if self.graph is not None and self.fmt == "trig":
            self.buffer.append("}\n")
        self.flush()
        self.graph = None

    def add(self, s: str, p: str, o: str) -> None:
        if self.fmt == "trig":
            self.buffer.append(f"{s} {p} {o} .\n")
        else:
            self.buffer.append(f"{s} {p} {o} <{self.graph}> .\n")
        self.count += 1

    def flush(self) -> None:
        if self.buffer:
            self.out.write("".join(self.buffer))
            self.buffer.clear()


class _Generator:
    def __init__(self, firms: int, seed: int, violations: float, reference: Reference, out: _Writer):
        self.n = firms
        self.seed = seed
        self.fraction = violations
        self.ref = reference
        self.w = out
        self.rng = random.Random(seed)
        self.injected: list[Violation] = []
        self.firm_violations = 0
        self.areas = _areas(firms)

    # ------------------------------------------------------------------ shared entities

    def period(self, year: int) -> str:
        return f"<{SYNTHETIC}period/{year}>"

    def source(self, source_iri: str, title: str, description: str) -> None:
        w, s = self.w, iri(source_iri)
        w.add(s, TYPE, f("Source"))
        w.add(s, LABEL, en(f"Synthetic data: {title}"))
        w.add(s, f"<{_DCT}title>", en(f"Synthetic data: {title}"))
        w.add(s, f("aiAssisted"), typed("false", "boolean"))
        w.add(
            s,
            f("originNote"),
            en(
                f"Synthetic data, generated by ftzkg synth with seed {self.seed}: {description} "
                "Nothing in it is a real firm, link or figure."
            ),
        )

    def register(self) -> None:
        """The synthetic zone register: the free trade zones, their areas and the periods."""
        w = self.w
        graph = f"{SYNTHETIC}source/zone-register"
        w.start_graph(graph)
        self.source(graph, "zone register", "free trade zones, their areas and the reporting periods.")
        for ftz_iri in dict.fromkeys(a.ftz_iri for a in self.areas):
            z = iri(ftz_iri)
            w.add(z, TYPE, f("FreeTradeZone"))
            w.add(z, LABEL, en("Synthetic pilot free trade zone " + ftz_iri.rsplit("-", 1)[1]))
            w.add(z, f("locatedIn"), iri(ID + "country/CN"))
        for area in self.areas:
            z = iri(area.zone_iri)
            w.add(z, TYPE, f("ZoneArea"))
            w.add(z, LABEL, en(f"Synthetic zone area {area.name}"))
            w.add(z, f("isAreaOf"), iri(area.ftz_iri))
            w.add(z, f("locatedIn"), iri(ID + "country/CN"))
            w.add(z, f("launchedOn"), self.year_date(2013 + area.index % 11))
        for year in YEARS:
            p = self.period(year)
            w.add(p, TYPE, f("Period"))
            w.add(p, LABEL, en(str(year)))
            w.add(p, f("startDate"), self.year_date(year))
            w.add(p, f("endDate"), self.year_date(year))
        for year in sorted(set(YEARS) | {2013 + area.index % 11 for area in self.areas}):
            d = self.year_date(year)
            w.add(d, TYPE, f("CalendarDate"))
            w.add(d, LABEL, en(str(year)))
            w.add(d, f("year"), typed(str(year), "integer"))
            w.add(d, f("precision"), iri(TIME_UNIT_YEAR))
        w.end_graph()

    @staticmethod
    def year_date(year: int) -> str:
        """The calendar date of a whole year (ftz:CalendarDate), under the synthetic namespace."""
        return iri(f"{SYNTHETIC}date/{year}")

    # ------------------------------------------------------------------ sourced facts

    def fact(self, node: str, cls: str, label: str, source: str, quote: str, sourced: bool = True) -> None:
        w = self.w
        w.add(node, TYPE, f(cls))
        w.add(node, LABEL, en(label))
        if sourced:
            w.add(node, DERIVED_FROM, source)
        w.add(node, f("quote"), lit("Synthetic data: " + quote))

    def observation(
        self,
        node: str,
        label: str,
        source: str,
        measure: str,
        ref: tuple[str, str],
        year: int | None,
        value: float,
        qualifier: str,
        unit: str,
        phrase: str,
    ) -> None:
        w = self.w
        self.fact(node, "Observation", label, source, f"{label}: {phrase}.")
        w.add(node, f("hasMeasure"), f(measure))
        w.add(node, f(ref[0]), ref[1])
        if year is not None:
            w.add(node, f("refPeriod"), self.period(year))
        w.add(node, f("numericValue"), dec(value))
        w.add(node, f("qualifier"), f(qualifier))
        w.add(node, f("unit"), unit)
        w.add(node, f("sourcePhrase"), lit(phrase))

    # ------------------------------------------------------------------ one area

    def area(self, area: _Area) -> None:
        w, rng = self.w, self.rng
        w.start_graph(area.source_iri)
        src = iri(area.source_iri)
        self.source(
            area.source_iri,
            f"register of zone area {area.name}",
            f"the firms of synthetic zone area {area.name}, their trade, production and supply links, "
            "revenue, the area's indicators, support policies and reform programme.",
        )
        zone = iri(area.zone_iri)
        base = f"{SYNTHETIC}observation/{area.name}"
        policies = []
        for kind in ("factory-leasing", "logistics", "social-insurance"):
            p = f"<{SYNTHETIC}policy/{area.name}-{kind}-support>"
            w.add(p, TYPE, f("SupportPolicy"))
            w.add(p, LABEL, en(f"Synthetic support policy covering {kind.replace('-', ' ')} in {area.name}"))
            policies.append(p)
        firms = len(area.firms)
        registered = firms
        for year in YEARS:
            trade = rng.randrange(1_000, 90_000) * 1_000_000
            self.observation(
                f"<{base}-total-trade-{year}>",
                f"Synthetic zone area {area.name} total imports and exports, {year}",
                src,
                "TotalImportsAndExports",
                ("refArea", zone),
                year,
                trade,
                "Exact",
                f"<{_CUR}CNY>",
                f"{trade / 1e9:.2f} billion yuan",
            )
            new = rng.randrange(0, firms // 3 + 2)
            self.observation(
                f"<{base}-new-enterprises-{year}>",
                f"New enterprises established in synthetic zone area {area.name}, {year}",
                src,
                "NewEnterprisesEstablished",
                ("refArea", zone),
                year,
                new,
                "MoreThan",
                f"<{_UNIT}NUM>",
                f"more than {new}",
            )
            self.observation(
                f"<{base}-registered-businesses-{year}>",
                f"Registered businesses in synthetic zone area {area.name}, {year}",
                src,
                "RegisteredBusinesses",
                ("refArea", zone),
                year,
                registered,
                "Approximately",
                f"<{_UNIT}NUM>",
                f"around {registered}",
            )
        self.reform(area, src, zone)
        w.flush()
        for i in area.firms:
            self.firm(i, area, src, zone, policies)
            w.flush()
        w.end_graph()

    def reform(self, area: _Area, src: str, zone: str) -> None:
        w, rng = self.w, self.rng
        prog_iri = f"{SYNTHETIC}reform/{area.name}-programme"
        prog = iri(prog_iri)
        w.add(prog, TYPE, f("ReformProgramme"))
        w.add(prog, LABEL, en(f"Synthetic reform programme of zone area {area.name}"))
        w.add(prog, f("appliesTo"), zone)
        outlined = rng.randrange(50, 300)
        implemented = rng.randrange(outlined // 2, outlined + 1)
        cases = rng.randrange(5, implemented // 2 + 6)
        violated = self.fraction > 0 and (_chosen(area.index, self.fraction) or area.index == 0)
        if violated:
            implemented = outlined + 1 + rng.randrange(0, 20)
        base = f"{SYNTHETIC}observation/{area.name}"
        if violated:  # reported on the observation of implemented measures
            self.injected.append(Violation(PROGRAMME_VIOLATION, f"{base}-reform-measures-implemented"))
        for measure, slug, value, phrase in (
            ("ReformMeasuresOutlined", "reform-measures-outlined", outlined, f"{outlined} reform measures"),
            (
                "ReformMeasuresImplemented",
                "reform-measures-implemented",
                implemented,
                f"{implemented} have been implemented",
            ),
            ("InnovationCases", "innovation-cases", cases, f"{cases} institutional innovation cases"),
        ):
            node = f"<{base}-{slug}>"
            self.observation(
                node,
                f"Synthetic zone area {area.name}: {phrase}",
                src,
                measure,
                ("refArea", zone),
                None,
                value,
                "Exact",
                f"<{_UNIT}NUM>",
                phrase,
            )
            w.add(node, f("refProgramme"), prog)
            if measure == "InnovationCases":
                w.add(node, f("hasInnovationScope"), f("ZoneScope"))

    # ------------------------------------------------------------------ one firm

    def firm(self, i: int, area: _Area, src: str, zone: str, policies: list[str]) -> None:
        w, rng, ref = self.w, self.rng, self.ref
        slug = f"f{i:06d}"
        firm_iri = f"{SYNTHETIC}firm/{slug}"
        firm = iri(firm_iri)
        name = f"Synthetic firm {i:06d}"
        sector = rng.choice(list(ref.products))
        products = ref.products[sector]
        violation = None
        if _chosen(i, self.fraction):
            violation = FIRM_VIOLATIONS[self.firm_violations % len(FIRM_VIOLATIONS)]
            self.firm_violations += 1

        w.add(firm, TYPE, f("Enterprise"))
        w.add(firm, LABEL, en(name))
        w.add(firm, f("hasSector"), iri(sector))
        w.add(firm, f("locatedInZone"), zone)
        for p in rng.sample(policies, rng.randrange(0, 3)):
            w.add(firm, f("benefitsFrom"), p)

        link = f"{SYNTHETIC}link/{slug}"
        # Trade links: 1-3 markets, mostly reported (mirrored by ftz:exportsTo), some planned.
        markets = rng.sample(ref.markets, rng.randrange(1, 4))
        for k, market in enumerate(markets):
            node_iri = f"{link}-trade-{k}"
            node = iri(node_iri)
            product = rng.choice(products)
            planned = rng.random() < 0.1
            year = rng.choice(YEARS)
            value = rng.randrange(10, 50_000) * 10_000
            market_name = market.rsplit("/", 1)[1]
            product_name = product.rsplit("/", 1)[1].replace("-", " ")
            missing = violation == "missing-source" and k == 0
            if missing:
                self.injected.append(Violation("missing-source", node_iri))
            self.fact(
                node,
                "TradeLink",
                f"{name}: {product_name} to {market_name}",
                src,
                f"{name} {'plans to export' if planned else 'exported'} {product_name} to {market_name}"
                + ("" if planned else f" worth {value} yuan in {year}"),
                sourced=not missing,
            )
            w.add(node, f("exporter"), firm)
            w.add(node, f("destinationMarket"), iri(market))
            w.add(node, f("hasProduct"), iri(product))
            if planned:
                w.add(node, f("evidence"), f("OrdersSecured"))
                w.add(node, f("status"), f("Planned"))
                w.add(node, f("plannedTiming"), en("next year"))
                w.add(firm, f("plansToExportTo"), iri(market))
            else:
                w.add(node, f("status"), f("Reported"))
                w.add(node, f("evidence"), f("CustomsRecord"))
                w.add(node, f("refPeriod"), self.period(year))
                w.add(node, f("numericValue"), dec(value))
                w.add(node, f("qualifier"), f("Exact"))
                w.add(node, f("unit"), f"<{_CUR}CNY>")
                w.add(firm, f("exportsTo"), iri(market))
        if violation == "unbacked-exports-to":
            spare = [m for m in ref.markets if m not in markets]
            w.add(firm, f("exportsTo"), iri(rng.choice(spare)))
            self.injected.append(Violation("unbacked-exports-to", firm_iri))

        # Production: one reported product, sometimes a planned one.
        made = rng.sample(products, min(len(products), rng.randrange(1, 3)))
        for k, product in enumerate(made):
            node = iri(f"{link}-makes-{k}")
            planned = k > 0
            product_name = product.rsplit("/", 1)[1].replace("-", " ")
            self.fact(
                node,
                "ProductionLink",
                f"{name} {'plans to make' if planned else 'makes'} {product_name}",
                src,
                f"{name} {'plans to make' if planned else 'makes'} {product_name}.",
            )
            w.add(node, f("producer"), firm)
            w.add(node, f("hasProduct"), iri(product))
            w.add(node, f("status"), f("Planned" if planned else "Reported"))
            w.add(firm, f("plansToProduce" if planned else "produces"), iri(product))

        # Supply: agri-processors source raw materials, mostly locally.
        if sector == AGRI_SECTOR:
            for k, product in enumerate(rng.sample(products, rng.randrange(1, len(products) + 1))):
                node = iri(f"{link}-sources-{k}")
                product_name = product.rsplit("/", 1)[1].replace("-", " ")
                local = rng.random() < 0.8
                self.fact(
                    node,
                    "SupplyLink",
                    f"{name} sources {product_name} {'locally' if local else 'from abroad'}",
                    src,
                    f"{name} sources {product_name} {'locally' if local else 'from abroad'}.",
                )
                w.add(node, f("buyer"), firm)
                w.add(node, f("hasProduct"), iri(product))
                w.add(node, f("hasSourcingScope"), f("LocalSourcing" if local else "ImportedSourcing"))
                w.add(firm, f("sourcesMaterial"), iri(product))

        # Revenue per year.
        for year in YEARS:
            obs_iri = f"{SYNTHETIC}observation/{slug}-revenue-{year}"
            obs = iri(obs_iri)
            revenue = rng.randrange(1, 5_000) * 100_000
            label = f"{name} revenue, {year}"
            if violation == "range-min-gt-max" and year == YEARS[0]:
                low, high = revenue * 2, revenue
                self.fact(obs, "Observation", label, src, f"{label}: between {low} and {high} yuan.")
                w.add(obs, f("hasMeasure"), f("Revenue"))
                w.add(obs, f("refEnterprise"), firm)
                w.add(obs, f("refPeriod"), self.period(year))
                w.add(obs, f("minValue"), dec(low))
                w.add(obs, f("maxValue"), dec(high))
                w.add(obs, f("qualifier"), f("Range"))
                w.add(obs, f("unit"), f"<{_CUR}CNY>")
                w.add(obs, f("sourcePhrase"), lit(f"between {low} and {high} yuan"))
                self.injected.append(Violation("range-min-gt-max", obs_iri))
                continue
            if violation == "negative-value" and year == YEARS[0]:
                revenue = -revenue
                self.injected.append(Violation("negative-value", obs_iri))
            self.observation(
                obs,
                label,
                src,
                "Revenue",
                ("refEnterprise", firm),
                year,
                revenue,
                "Exact",
                f"<{_CUR}CNY>",
                f"{revenue} yuan",
            )

    def run(self) -> None:
        self.register()
        for area in self.areas:
            self.area(area)


def output_name(fmt: str) -> str:
    """The file name :func:`generate` writes in its output folder."""
    return "synthetic.trig" if fmt == "trig" else "synthetic.nq"


def generate(
    firms: int,
    seed: int,
    out: Path,
    fmt: str = "nquads",
    violations: float = 0.0,
    reference: Reference | None = None,
) -> SynthResult:
    """Write a synthetic graph of ``firms`` firms to ``out/synthetic.nq`` (or ``.trig``).

    The file appears whole or not at all (written to a temporary file, then renamed).
    """
    if firms < 1:
        raise ValueError("firms must be at least 1")
    if not 0.0 <= violations <= 1.0:
        raise ValueError("violations must be a fraction between 0 and 1")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    target = out / output_name(fmt)
    ref = reference or load_reference()
    fd, tmp = tempfile.mkstemp(dir=out, prefix=".synthetic-", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as handle:
            writer = _Writer(handle, fmt)
            gen = _Generator(firms, seed, violations, ref, writer)
            gen.run()
            writer.end_graph()
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return SynthResult(
        path=target, firms=firms, quads=writer.count, graphs=writer.graphs, violations=gen.injected
    )


def firms_for_triples(triples: int, seed: int = 1, sample: int = 500) -> int:
    """How many firms give about ``triples`` triples, from the triples per firm of a sample run."""
    with tempfile.TemporaryDirectory() as tmp:
        result = generate(sample, seed, Path(tmp))
    return max(1, round(triples * sample / result.quads))
