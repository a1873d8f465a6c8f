"""The trade network as an SVG picture: materials → firms → products → markets.

A layered layout in columns. Markets are grouped by the UN M49 region that
contains them. Reported links are solid, planned links dashed, sourced
materials dotted; where a source names no product for a trade link, the link
passes through a dashed "goods not named" box of its firm, so nothing is invented.
Every node and edge links to its page.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from ..knowledge_graph import KnowledgeGraph
from ..namespaces import FTZ
from . import paths
from .markup import Renderer, esc
from .site_queries import select

SKOS_NOTATION = "http://www.w3.org/2004/02/skos/core#notation"
FONT_SIZE = 12
CHAR_WIDTH = 6.7  # average width of a character of the sans-serif font at FONT_SIZE, for wrapping
LINE_HEIGHT = 15
NODE_GAP = 12
COLUMN_GAP = 96
MARGIN = 16
TOP = 44
GROUP_HEADER = 22
GROUP_PAD = 8
COLUMNS = {
    "material": ("Materials sourced", 170),
    "firm": ("Firms", 230),
    "product": ("Products", 190),
    "market": ("Markets, by UN M49 region", 210),
}
STYLES = {
    "reported": {"stroke": "#1f5f99", "dash": None},
    "planned": {"stroke": "#c4620f", "dash": "7 4"},
    "supply": {"stroke": "#4f7a3a", "dash": "2 3"},
}


@dataclass(frozen=True)
class Node:
    key: str  # unique within the picture
    iri: str | None  # None for a "goods not named" box
    kind: str  # material | firm | product | market
    label: str


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    style: str  # reported | planned | supply
    link: str  # the IRI of the link node behind it
    kind: str  # trade | production | supply


@dataclass
class Network:
    nodes: dict[str, Node]
    edges: list[Edge]
    market_region: dict[str, str]


def collect_network(kg: KnowledgeGraph, label) -> Network:
    """Firms, products, materials and markets of the trade, production and supply links in ``kg``."""
    nodes: dict[str, Node] = {}
    edges: set[Edge] = set()

    def node(kind: str, iri: str) -> str:
        key = f"{kind}:{iri}"
        nodes.setdefault(key, Node(key, iri, kind, label(iri)))
        return key

    for row in select(kg, "firms"):
        node("firm", row["firm"].value)
    for row in select(kg, "trade-network"):
        link, kind, firm_iri = row["link"].value, row["kind"].value, row["firm"].value
        status = row["status"].value if isinstance(row["status"], ox.NamedNode) else None
        style = "planned" if status == FTZ + "Planned" else "reported"
        firm = node("firm", firm_iri)
        product_iri = row["product"].value if isinstance(row["product"], ox.NamedNode) else None
        if kind == "supply" and product_iri:
            edges.add(Edge(node("material", product_iri), firm, "supply", link, kind))
        elif kind == "production" and product_iri:
            edges.add(Edge(firm, node("product", product_iri), style, link, kind))
        elif kind == "trade":
            market = node("market", row["market"].value)
            if product_iri:
                product = node("product", product_iri)
            else:
                product = f"unnamed:{firm_iri}"
                nodes.setdefault(product, Node(product, None, "product", "goods the source does not name"))
            edges.add(Edge(firm, product, style, link, kind))
            edges.add(Edge(product, market, style, link, kind))

    market_region: dict[str, str] = {}
    for row in sorted(select(kg, "market-regions"), key=lambda r: [str(v) for v in r.values()]):
        market = row["market"].value
        if f"market:{market}" in nodes and isinstance(row["region"], ox.NamedNode):
            market_region.setdefault(market, row["region"].value)
    return Network(nodes, sorted(edges, key=lambda e: (e.source, e.target, e.style, e.link)), market_region)


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, max(8, int((width - 14) / CHAR_WIDTH))) or [text]


def _node_height(lines: int) -> int:
    return 10 + LINE_HEIGHT * lines


class NetworkPicture:
    """Lays out and draws a :class:`Network` as an inline SVG element."""

    def __init__(self, network: Network, renderer: Renderer, page: str):
        self.n = network
        self.r = renderer
        self.page = page
        self.boxes: dict[str, tuple[float, float, float, float]] = {}

    def _order(self) -> dict[str, list[Node]]:
        """Nodes per column: firms by label, the others by the first firm they touch, then label."""
        firms = sorted((n for n in self.n.nodes.values() if n.kind == "firm"), key=lambda n: (n.label, n.key))
        rank = {n.key: i for i, n in enumerate(firms)}
        first_firm: dict[str, int] = defaultdict(lambda: len(firms))
        for _ in range(2):  # products touch firms, markets touch products
            for e in self.n.edges:
                for a, b in ((e.source, e.target), (e.target, e.source)):
                    r = rank.get(a, first_firm.get(a, len(firms)))
                    if b not in rank:
                        first_firm[b] = min(first_firm[b], r)
        columns: dict[str, list[Node]] = {}
        for kind in COLUMNS:
            members = [n for n in self.n.nodes.values() if n.kind == kind]
            if kind == "firm":
                columns[kind] = firms
            elif members:
                columns[kind] = sorted(
                    members, key=lambda n: (first_firm[n.key], n.iri is None, n.label, n.key)
                )
        return columns

    def _region_groups(self, markets: list[Node]) -> list[tuple[str | None, list[Node]]]:
        groups: dict[str | None, list[Node]] = defaultdict(list)
        for m in markets:
            groups[self.n.market_region.get(m.iri or "")].append(m)
        order = sorted(groups, key=lambda g: (g is None, self.r.data.label(g) if g else ""))
        return [(g, sorted(groups[g], key=lambda n: (n.label, n.key))) for g in order]

    def _column_height(self, kind: str, nodes: list[Node], width: int) -> int:
        if kind != "market":
            return sum(_node_height(len(_wrap(n.label, width))) + NODE_GAP for n in nodes)
        total = 0
        for _, members in self._region_groups(nodes):
            total += GROUP_HEADER + GROUP_PAD + NODE_GAP
            total += sum(_node_height(len(_wrap(n.label, width - 2 * GROUP_PAD))) + NODE_GAP for n in members)
        return total

    def _draw_node(self, node: Node, x: float, y: float, width: float) -> tuple[str, float]:
        lines = _wrap(node.label, int(width))
        height = _node_height(len(lines))
        self.boxes[node.key] = (x, y, width, height)
        classes = f"node {node.kind}" + (" unnamed" if node.iri is None else "")
        tspans = "".join(
            f'<tspan x="{x + width / 2:.1f}" dy="{LINE_HEIGHT if i else 0}">{esc(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        text_y = y + 5 + LINE_HEIGHT * 0.8
        shape = (
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height}" rx="4"/>'
            f'<text x="{x + width / 2:.1f}" y="{text_y:.1f}" text-anchor="middle">{tspans}</text>'
        )
        if node.iri is None:
            body = f"<title>{esc(node.label)}</title>{shape}"
            return f'<g class="{classes}" data-kind="{node.kind}">{body}</g>', height
        target = self.r.iri_href(node.iri, self.page)
        inner = f"<title>{esc(node.label)}</title>{shape}"
        if target is not None:
            inner = f'<a href="{esc(target)}">{inner}</a>'
        return f'<g class="{classes}" data-kind="{node.kind}" data-iri="{esc(node.iri)}">{inner}</g>', height

    def _draw_edge(self, edge: Edge) -> str:
        x1, y1, w1, h1 = self.boxes[edge.source]
        x2, y2, _, h2 = self.boxes[edge.target]
        sx, sy, tx, ty = x1 + w1, y1 + h1 / 2, x2 - 2, y2 + h2 / 2
        bend = (tx - sx) / 2
        style = STYLES[edge.style]
        dash = f' stroke-dasharray="{style["dash"]}"' if style["dash"] else ""
        path = (
            f'<path d="M{sx:.1f},{sy:.1f} C{sx + bend:.1f},{sy:.1f} {tx - bend:.1f},{ty:.1f} '
            f'{tx:.1f},{ty:.1f}" '
            f'fill="none" stroke="{style["stroke"]}" stroke-width="2"{dash} '
            f'marker-end="url(#arrow-{edge.style})"/>'
        )
        title = f"<title>{esc(self.r.data.label(edge.link))} ({edge.style})</title>"
        target = self.r.iri_href(edge.link, self.page)
        inner = f'<a href="{esc(target)}">{title}{path}</a>' if target else title + path
        return (
            f'<g class="edge {esc(edge.kind)} {edge.style}" data-link="{esc(edge.link)}" '
            f'data-source="{esc(edge.source)}" data-target="{esc(edge.target)}">{inner}</g>'
        )

    def _legend(self, y: float) -> tuple[str, float]:
        items = [
            ("reported", "reported link (the source says it happens)"),
            ("planned", "planned link"),
            ("supply", "material sourced by the firm"),
        ]
        parts = [f'<g class="legend" transform="translate({MARGIN},{y:.1f})">']
        x = 0.0
        for style, text in items:
            s = STYLES[style]
            dash = f' stroke-dasharray="{s["dash"]}"' if s["dash"] else ""
            parts.append(
                f'<line x1="{x:.1f}" y1="8" x2="{x + 36:.1f}" y2="8" stroke="{s["stroke"]}" '
                f'stroke-width="2"{dash}/>'
                f'<text x="{x + 42:.1f}" y="12">{esc(text)}</text>'
            )
            x += 54 + len(text) * CHAR_WIDTH
        parts.append(
            f'<rect class="unnamed-sample" x="{x:.1f}" y="1" width="30" height="14" rx="3"/>'
            f'<text x="{x + 36:.1f}" y="12">goods the source does not name</text></g>'
        )
        return "".join(parts), 24

    def svg(self) -> str:
        columns = self._order()
        widths = {k: COLUMNS[k][1] for k in columns}
        heights = {k: self._column_height(k, nodes, widths[k]) for k, nodes in columns.items()}
        inner_height = max(heights.values(), default=0)
        total_width = MARGIN * 2 + sum(widths.values()) + COLUMN_GAP * (len(columns) - 1)
        parts: list[str] = []
        x = float(MARGIN)
        for kind, nodes in columns.items():
            width = widths[kind]
            parts.append(
                f'<text class="column-title" x="{x + width / 2:.1f}" y="24" text-anchor="middle">'
                f"{esc(COLUMNS[kind][0])}</text>"
            )
            y = TOP + (inner_height - heights[kind]) / 2
            if kind != "market":
                for n in nodes:
                    drawn, h = self._draw_node(n, x, y, width)
                    parts.append(drawn)
                    y += h + NODE_GAP
            else:
                for region, members in self._region_groups(nodes):
                    group_top = y
                    inner = []
                    y += GROUP_HEADER
                    for n in members:
                        drawn, h = self._draw_node(n, x + GROUP_PAD, y, width - 2 * GROUP_PAD)
                        inner.append(drawn)
                        y += h + NODE_GAP
                    group_h = y - group_top - NODE_GAP + GROUP_PAD
                    title = self.r.data.label(region) if region else "region not given"
                    notation = self.r.data.values(region, SKOS_NOTATION) if region else []
                    code = f" (M49 {notation[0].value})" if notation else ""
                    region_attr = f' data-region="{esc(region)}"' if region else ""
                    parts.append(
                        f'<g class="region"{region_attr}><rect x="{x:.1f}" y="{group_top:.1f}" '
                        f'width="{width}" '
                        f'height="{group_h:.1f}" rx="6"/><text x="{x + 8:.1f}" y="{group_top + 15:.1f}">'
                        f"{esc(title + code)}</text></g>"
                    )
                    parts.extend(inner)
                    y = group_top + group_h + NODE_GAP
            x += width + COLUMN_GAP
        edges = [
            self._draw_edge(e) for e in self.n.edges if e.source in self.boxes and e.target in self.boxes
        ]
        legend, legend_h = self._legend(TOP + inner_height + 8)
        height = TOP + inner_height + 8 + legend_h + MARGIN
        markers = "".join(
            f'<marker id="arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" '
            f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{s["stroke"]}"/></marker>'
            for name, s in STYLES.items()
        )
        style = (
            "<style>"
            ".node rect{stroke:#7b8798;stroke-width:1}"
            ".node.firm rect{fill:#e3edf7}.node.product rect{fill:#f5efe2}"
            ".node.material rect{fill:#eaf3e5}.node.market rect{fill:#ffffff}"
            ".node.unnamed rect,.unnamed-sample{fill:#ffffff;stroke:#8a94a3;stroke-dasharray:4 3}"
            ".node.unnamed text{fill:#5b6576;font-style:italic}"
            ".region rect{fill:#f4f6f9;stroke:#c5ccd6}.region "
            "text{fill:#5b6576;font-size:11px;font-weight:600}"
            ".column-title{font-weight:700;fill:#1d2430}"
            f"text{{font-size:{FONT_SIZE}px;fill:#1d2430}}"
            ".node a:hover rect{stroke:#1f5f99;stroke-width:2}"
            ".edge a:hover path{stroke-width:3.5}"
            "</style>"
        )
        n_firms = sum(1 for n in self.n.nodes.values() if n.kind == "firm")
        n_markets = sum(1 for n in self.n.nodes.values() if n.kind == "market")
        return (
            f'<svg id="trade-network" xmlns="http://www.w3.org/2000/svg" role="img" '
            f'aria-labelledby="trade-network-title trade-network-desc" viewBox="0 0 {total_width} '
            f'{height:.0f}" '
            f'width="{total_width}" height="{height:.0f}">'
            f'<title id="trade-network-title">Trade network: firms, products and markets</title>'
            f'<desc id="trade-network-desc">{n_firms} firms, {n_markets} markets, {len(self.n.edges)} link '
            "segments; planned links dashed, reported links solid.</desc>"
            f'<defs>{markers}</defs>{style}<g class="edges">{"".join(edges)}</g>'
            f'<g class="nodes">{"".join(parts)}</g>{legend}</svg>'
        )


def network_svg(kg: KnowledgeGraph, renderer: Renderer, page: str = paths.INDEX) -> str:
    """The trade-network picture of ``kg`` as an inline ``<svg>`` element for ``page``."""
    return NetworkPicture(collect_network(kg, renderer.data.label), renderer, page).svg()
