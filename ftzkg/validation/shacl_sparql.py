"""SHACL core shapes compiled to SPARQL SELECT queries, one per constraint of a shape with targets.

Each :class:`Check` returns one row per validation result (``?focus``, ``?value``, ``?path``;
``?k`` the component where one query checks several), streamed by the store: only results
are held, and the queries validate data already loaded in any SPARQL 1.1 server.

Compiled: targets (class with rdfs:subClassOf*, implicit class, node, subjectsOf,
objectsOf, SPARQL-based targets), property paths (predicate, inverse, sequence,
alternative, zeroOrMore, oneOrMore, zeroOrOne), sh:class, datatype, nodeKind,
min/maxCount, min/maxInclusive/Exclusive, min/maxLength, pattern (with flags),
languageIn, uniqueLang, in, hasValue, equals, disjoint, lessThan, lessThanOrEquals,
node, property, and, or, not, xone, qualifiedValueShape (and ...Disjoint), closed
(with ignoredProperties), deactivated, severity, message. A shape's ``sh:sparql``
constraints are kept for the store engine to run per focus node (``$this`` pre-bound).

Not compiled, raising :class:`Unsupported` (the shape then runs on another engine):
a cardinality above :data:`MAX_PAIRWISE` (counted pairwise, see :meth:`Compiler._distinct`),
recursive shapes, blank nodes as sh:hasValue / sh:in / sh:targetNode terms, sh:sparql
inside a nested shape, SHACL-SPARQL constraint components, and SPARQL targets that
use $currentShape, $shapesGraph or $PATH.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH

from .sparql_terms import Unsupported, datatype_matches, node_kind, parameters, string, term, true

#: The largest sh:minCount / sh:maxCount / qualified count written as a pattern of distinct values.
MAX_PAIRWISE = 4

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
#: SPARQL forms where pre-binding $this differs from a join (SHACL 5.2.1 forbids some of them).
_PREBINDING_RISKS = re.compile(
    r"\bBIND\s*\(\s*[?$]this\b|\b(VALUES|MINUS|SERVICE)\b|\{\s*(SELECT|FILTER)\b|\bAS\s+[?$]this\b",
    re.IGNORECASE,
)
_UNSUPPORTED_VARIABLES = re.compile(r"[?$](currentShape|shapesGraph|PATH)\b")


@dataclass
class Check:
    """One query whose rows are validation results of one source shape and constraint component."""

    shape: rdflib.term.Node
    component: rdflib.URIRef
    query: str
    #: the result path from the shapes graph (``None``: none, or the query's ``?path``)
    path: rdflib.term.Node | None
    #: several constraints on the same value nodes in one query: ``?k`` is the index of the component
    components: list[rdflib.URIRef] = field(default_factory=list)


@dataclass
class CompiledShape:
    """A shape with targets: its checks, its focus-node query and its sh:sparql constraints."""

    node: rdflib.term.Node
    focus_query: str
    checks: list[Check] = field(default_factory=list)
    sparql: list[rdflib.term.Node] = field(default_factory=list)


@dataclass
class _Violation:
    """A pattern (with the focus variable bound from outside) that matches once per result."""

    shape: rdflib.term.Node
    component: rdflib.URIRef
    pattern: str
    focus: str
    value: str | None = None
    path_var: str | None = None
    #: for a constraint on each value node: the pattern binding the values, and the violation condition
    prefix: str | None = None
    condition: str | None = None


def shapes_with_targets(sg: rdflib.Graph) -> list[rdflib.term.Node]:
    """The shapes whose focus nodes come from targets (explicit, or the shape is a class)."""
    found = {s for p in _TARGETS for s in sg.subjects(p, None)}
    classes = {RDFS.Class, *sg.transitive_subjects(RDFS.subClassOf, RDFS.Class)}
    for shape_type in (SH.NodeShape, SH.PropertyShape):
        found.update(
            s for s in sg.subjects(RDF.type, shape_type) if any(c in classes for c in sg.objects(s, RDF.type))
        )
    return sorted(found, key=lambda n: (isinstance(n, rdflib.BNode), str(n)))


class Compiler:
    """Compiles the shapes of one shapes graph; ``subclasses(C)`` gives C and its subclasses in the data."""

    def __init__(self, sg: rdflib.Graph, subclasses: Callable[[rdflib.URIRef], list[str]]):
        self.sg = sg
        self.subclasses = subclasses
        self._counter = 0
        self._expanding: list[rdflib.term.Node] = []
        self.prefixes: dict[str, str] = {}
        custom = {p for c in set(sg.subjects(SH.parameter, None)) for p in parameters(sg, c)}
        self._custom_parameters = custom

    def fresh(self, stem: str = "v") -> str:
        self._counter += 1
        return f"?{stem}{self._counter}"

    # ---------------------------------------------------------------- shapes with targets

    def compile(self, shape: rdflib.term.Node) -> CompiledShape:
        """The checks of a shape with targets; :class:`Unsupported` if any part cannot be compiled."""
        compiled = CompiledShape(shape, self.focus_query(shape))
        if true(self.sg.value(shape, SH.deactivated)):
            return compiled
        compiled.sparql = [
            c for c in self.sg.objects(shape, SH.sparql) if not true(self.sg.value(c, SH.deactivated))
        ]
        for constraint in compiled.sparql:
            select = self.sg.value(constraint, SH.select)
            if select is None or self.sg.value(shape, SH.path) is not None:
                raise Unsupported(
                    f"a sh:sparql constraint of {_name(shape)} that is not a node shape's SELECT"
                )
            body = re.sub(r"\bWHERE\s*\{", "WHERE ", str(select), flags=re.IGNORECASE)
            if _UNSUPPORTED_VARIABLES.search(body) or _PREBINDING_RISKS.search(body):
                raise Unsupported(
                    f"a sh:sparql query of {_name(shape)} whose pre-binding a store may not honour"
                )
        groups: dict[tuple, list[_Violation]] = {}
        for violation in self.violations(shape, "?this", top=True):
            if violation.condition is not None:  # value-node constraints sharing their values: one scan
                key = (violation.shape, violation.prefix, violation.focus, violation.value)
                groups.setdefault(key, []).append(violation)
                continue
            compiled.checks.append(self._check(shape, violation, violation.pattern))
        for (_, prefix, _, _), members in groups.items():
            if len(members) == 1:
                compiled.checks.append(self._check(shape, members[0], members[0].pattern))
                continue
            keys = " ".join(str(i) for i in range(len(members)))
            either = " || ".join(f"(?k = {i} && ({m.condition}))" for i, m in enumerate(members))
            pattern = f"{prefix}\nVALUES ?k {{ {keys} }}\nFILTER({either})"
            check = self._check(shape, members[0], pattern, "?k")
            check.components = [m.component for m in members]
            compiled.checks.append(check)
        return compiled

    def _check(self, shape: rdflib.term.Node, violation: _Violation, pattern: str, extra: str = "") -> Check:
        projected = [
            f"({violation.focus} AS ?focus)",
            f"({violation.value} AS ?value)" if violation.value else "?value",
            f"({violation.path_var} AS ?path)" if violation.path_var else "?path",
            extra,
        ]
        where = f"{self._focus(shape)}\n{pattern}"
        query = f"SELECT DISTINCT {' '.join(projected).strip()} WHERE {{\n{where}\n}}"
        path = None if violation.path_var else self.sg.value(violation.shape, SH.path)
        return Check(violation.shape, violation.component, self._with_prefixes(query), path)

    def focus_query(self, shape: rdflib.term.Node) -> str:
        return self._with_prefixes(f"SELECT DISTINCT ?this WHERE {{ {self._focus(shape)} }}")

    def _with_prefixes(self, query: str) -> str:
        lines = "".join(f"PREFIX {p}: <{n}>\n" for p, n in sorted(self.prefixes.items()))
        return lines + query

    def _focus(self, shape: rdflib.term.Node) -> str:
        sg = self.sg
        branches = []
        classes = list(sg.objects(shape, SH.targetClass))
        class_types = {RDFS.Class, *sg.transitive_subjects(RDFS.subClassOf, RDFS.Class)}
        if any(t in class_types for t in sg.objects(shape, RDF.type)):
            classes.append(shape)
        for cls in classes:
            self._class_list(cls)  # one branch per subclass: an index lookup each, never a scan of all types
            branches.extend(f"?this <{RDF.type}> <{c}> ." for c in self.subclasses(cls))
        nodes = [term(n) for n in sg.objects(shape, SH.targetNode)]
        if nodes:
            branches.append(f"VALUES ?this {{ {' '.join(nodes)} }}")
        for p in sg.objects(shape, SH.targetSubjectsOf):
            branches.append(f"?this {term(p)} ?ts .")
        for p in sg.objects(shape, SH.targetObjectsOf):
            branches.append(f"?to {term(p)} ?this .")
        for target in sg.objects(shape, SH.target):
            select = sg.value(target, SH.select)
            if select is None or _UNSUPPORTED_VARIABLES.search(str(select)):
                raise Unsupported(f"a target of {_name(shape)} that is not a plain SPARQL SELECT")
            self._add_prefixes(target)
            branches.append(f"{{ {select} }}")
        if not branches:
            return "FILTER(false)"
        return " UNION ".join(f"{{ {b} }}" for b in branches)

    def _add_prefixes(self, node: rdflib.term.Node) -> None:
        from .sparql_shapes import _prefixes

        for line in _prefixes(self.sg, node).splitlines():
            if line.startswith("PREFIX "):
                name, namespace = line[7:].split(": ", 1)
                self.prefixes[name] = namespace.strip("<>")

    def _class_list(self, cls: rdflib.term.Node) -> str:
        if not isinstance(cls, rdflib.URIRef):
            raise Unsupported(f"a class that is not an IRI ({cls.n3()})")
        return ", ".join(f"<{c}>" for c in self.subclasses(cls))

    # ---------------------------------------------------------------- paths and value nodes

    def path(self, node: rdflib.term.Node) -> str:
        """A SHACL property path as a SPARQL property path."""
        sg = self.sg
        if isinstance(node, rdflib.URIRef):
            return f"<{node}>"
        if (node, RDF.first, None) in sg:
            steps = list(Collection(sg, node))
            if len(steps) < 2:
                raise Unsupported("a sequence path with fewer than two steps")
            return "(" + "/".join(self.path(s) for s in steps) + ")"
        for predicate, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
            inner = sg.value(node, predicate)
            if inner is not None:
                return f"({self.path(inner)}){suffix}"
        inner = sg.value(node, SH.inversePath)
        if inner is not None:
            return f"^({self.path(inner)})"
        alternatives = sg.value(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path(s) for s in Collection(sg, alternatives)) + ")"
        raise Unsupported(f"a path this compiler does not know ({node.n3()})")

    def values(self, shape: rdflib.term.Node, focus: str) -> tuple[str, str]:
        """The pattern binding the shape's value nodes at ``focus``, and their variable."""
        path = self.sg.value(shape, SH.path)
        if path is None:
            return "", focus
        value = self.fresh()
        return f"{focus} {self.path(path)} {value} .", value

    # ---------------------------------------------------------------- constraints

    def violations(self, shape: rdflib.term.Node, focus: str, top: bool = False) -> list[_Violation]:
        """Every validation result of ``shape`` at ``focus`` (its property shapes' included)."""
        sg = self.sg
        if true(sg.value(shape, SH.deactivated)):
            return []
        if shape in self._expanding:
            raise Unsupported(f"recursive shapes ({_name(shape)} refers to itself)")
        if not top and sg.value(shape, SH.sparql) is not None:
            raise Unsupported(f"SHACL-SPARQL constraints in a nested shape ({_name(shape)})")
        unknown = {p for p in sg.predicates(shape, None) if p in self._custom_parameters}
        if unknown:
            raise Unsupported(f"a SHACL-SPARQL constraint component ({', '.join(sorted(map(str, unknown)))})")
        self._expanding.append(shape)
        try:
            return self._violations(shape, focus)
        finally:
            self._expanding.pop()

    def _violations(self, shape: rdflib.term.Node, focus: str) -> list[_Violation]:
        sg = self.sg
        found: list[_Violation] = []
        value_pattern, v = self.values(shape, focus)

        def on_value(component: rdflib.URIRef, condition: str) -> None:
            pattern = f"{value_pattern}\nFILTER({condition})"
            found.append(_Violation(shape, component, pattern, focus, v, None, value_pattern, condition))

        def on_focus(component: rdflib.URIRef, pattern: str, value: str | None = None) -> None:
            if value is None and pattern.startswith("FILTER"):  # a condition on the focus node alone
                condition = pattern[6:].strip()
                found.append(_Violation(shape, component, pattern, focus, None, None, "", condition))
            else:
                found.append(_Violation(shape, component, pattern, focus, value))

        path = self.sg.value(shape, SH.path)
        for cls in sg.objects(shape, SH["class"]):
            t = self.fresh("t")
            on_value(
                SH.ClassConstraintComponent,
                f"NOT EXISTS {{ {v} <{RDF.type}> {t} . FILTER({t} IN ({self._class_list(cls)})) }}",
            )
        for datatype in sg.objects(shape, SH.datatype):
            on_value(SH.DatatypeConstraintComponent, f"!({datatype_matches(v, datatype)})")
        for kind in sg.objects(shape, SH.nodeKind):
            on_value(SH.NodeKindConstraintComponent, f"!({node_kind(v, kind)})")
        for predicate, operator, component in (
            (SH.minExclusive, ">", SH.MinExclusiveConstraintComponent),
            (SH.minInclusive, ">=", SH.MinInclusiveConstraintComponent),
            (SH.maxExclusive, "<", SH.MaxExclusiveConstraintComponent),
            (SH.maxInclusive, "<=", SH.MaxInclusiveConstraintComponent),
        ):
            for bound in sg.objects(shape, predicate):
                on_value(component, f"!COALESCE(isLiteral({v}) && {v} {operator} {term(bound)}, false)")
        for predicate, operator, component in (
            (SH.minLength, ">=", SH.MinLengthConstraintComponent),
            (SH.maxLength, "<=", SH.MaxLengthConstraintComponent),
        ):
            for length in sg.objects(shape, predicate):
                on_value(component, f"isBlank({v}) || !(STRLEN(STR({v})) {operator} {int(length)})")
        for pattern in sg.objects(shape, SH.pattern):
            flags = sg.value(shape, SH.flags)
            args = f"STR({v}), {string(str(pattern))}" + (f", {string(str(flags))}" if flags else "")
            on_value(SH.PatternConstraintComponent, f"isBlank({v}) || !REGEX({args})")
        for languages in sg.objects(shape, SH.languageIn):
            tags = [str(t).lower() for t in Collection(sg, languages)]
            if "*" in tags:
                matches = f'LANG({v}) != ""'
            else:
                listed = ", ".join(string(t) for t in tags) or '""'
                matches = (
                    f'LANG({v}) != "" && (LCASE(LANG({v})) IN ({listed}) || '
                    f'STRBEFORE(CONCAT(LCASE(LANG({v})), "-"), "-") IN ({listed}))'
                )
            on_value(SH.LanguageInConstraintComponent, f"!COALESCE(isLiteral({v}) && {matches}, false)")
        for members in sg.objects(shape, SH["in"]):
            allowed = [term(m) for m in Collection(sg, members)]
            condition = " || ".join(f"sameTerm({v}, {a})" for a in allowed) or "false"
            on_value(SH.InConstraintComponent, f"!({condition})")
        for other in sg.objects(shape, SH.node):
            on_value(SH.NodeConstraintComponent, self._exists(other, v))
        for other in sg.objects(shape, SH["not"]):
            on_value(SH.NotConstraintComponent, self._conforms(other, v))
        for members in sg.objects(shape, SH["and"]):
            shapes = list(Collection(sg, members))
            on_value(SH.AndConstraintComponent, " || ".join(self._exists(s, v) for s in shapes) or "false")
        for members in sg.objects(shape, SH["or"]):
            shapes = list(Collection(sg, members))
            on_value(SH.OrConstraintComponent, " && ".join(self._exists(s, v) for s in shapes) or "true")
        for members in sg.objects(shape, SH.xone):
            shapes = list(Collection(sg, members))
            count = " + ".join(f"IF({self._exists(s, v)}, 0, 1)" for s in shapes) or "0"
            on_value(SH.XoneConstraintComponent, f"({count}) != 1")
        for property_shape in sg.objects(shape, SH.property):
            for violation in self.violations(property_shape, v):
                violation.pattern = f"{value_pattern}\n{violation.pattern}"
                if violation.prefix is not None:
                    violation.prefix = f"{value_pattern}\n{violation.prefix}"
                found.append(violation)
        for closed in sg.objects(shape, SH.closed):
            if not true(closed):
                continue
            allowed = {p for ps in sg.objects(shape, SH.property) for p in sg.objects(ps, SH.path)}
            allowed = {p for p in allowed if isinstance(p, rdflib.URIRef)}
            for ignored in sg.objects(shape, SH.ignoredProperties):
                allowed.update(Collection(sg, ignored))
            p, o = self.fresh("p"), self.fresh("o")
            keep = f"FILTER({p} NOT IN ({', '.join(term(a) for a in sorted(allowed))}))" if allowed else ""
            pattern = (
                f"{value_pattern}\n{v} {p} {o} . {keep}\n"
                f"FILTER(!(sameTerm({p}, <{RDF.type}>) && sameTerm({o}, <{RDFS.Resource}>)))"
            )
            found.append(_Violation(shape, SH.ClosedConstraintComponent, pattern, focus, o, p))
        # constraints on the set of value nodes: at most one result per focus node, no value
        path_text = self.path(path) if path is not None else None
        for count in sg.objects(shape, SH.minCount):
            if int(count) > 0:
                on_focus(
                    SH.MinCountConstraintComponent,
                    f"FILTER NOT EXISTS {{ {self._distinct(focus, path_text, int(count))} }}",
                )
        for count in sg.objects(shape, SH.maxCount):
            on_focus(
                SH.MaxCountConstraintComponent,
                f"FILTER EXISTS {{ {self._distinct(focus, path_text, int(count) + 1)} }}",
            )
        for value in sg.objects(shape, SH.hasValue):
            if path_text is None:
                on_focus(SH.HasValueConstraintComponent, f"FILTER(!sameTerm({focus}, {term(value)}))")
            else:
                on_focus(
                    SH.HasValueConstraintComponent,
                    f"FILTER NOT EXISTS {{ {focus} {path_text} {term(value)} }}",
                )
        if true(sg.value(shape, SH.uniqueLang)) and path_text is not None:
            a, b = self.fresh("a"), self.fresh("b")
            on_focus(
                SH.UniqueLangConstraintComponent,
                f"FILTER EXISTS {{ {focus} {path_text} {a} . {focus} {path_text} {b} . "
                f'FILTER(!sameTerm({a}, {b}) && LANG({a}) != "" && LCASE(LANG({a})) = LCASE(LANG({b}))) }}',
            )
        for other in sg.objects(shape, SH.equals):
            w = self.fresh("w")
            found.append(
                _Violation(
                    shape,
                    SH.EqualsConstraintComponent,
                    f"{value_pattern}\nFILTER NOT EXISTS {{ {focus} {term(other)} {v} }}",
                    focus,
                    v,
                )
            )
            own = f"{focus} {path_text} {w}" if path_text else f"FILTER(sameTerm({w}, {focus}))"
            found.append(
                _Violation(
                    shape,
                    SH.EqualsConstraintComponent,
                    f"{focus} {term(other)} {w} .\nFILTER NOT EXISTS {{ {own} }}",
                    focus,
                    w,
                )
            )
        for other in sg.objects(shape, SH.disjoint):
            on_focus(SH.DisjointConstraintComponent, f"{value_pattern}\n{focus} {term(other)} {v} .", v)
        for predicate, operator, component in (
            (SH.lessThan, "<", SH.LessThanConstraintComponent),
            (SH.lessThanOrEquals, "<=", SH.LessThanOrEqualsConstraintComponent),
        ):
            for other in sg.objects(shape, predicate):
                w = self.fresh("w")
                on_focus(
                    component,
                    f"{value_pattern}\n{focus} {term(other)} {w} .\n"
                    f"FILTER(!COALESCE({v} {operator} {w}, false))",
                    v,
                )
        for qualified in sg.objects(shape, SH.qualifiedValueShape):
            found.extend(self._qualified(shape, qualified, focus, path_text))
        return found

    def _qualified(
        self, shape: rdflib.term.Node, qualified: rdflib.term.Node, focus: str, path_text: str | None
    ) -> list[_Violation]:
        sg = self.sg
        siblings: list[rdflib.term.Node] = []
        if true(sg.value(shape, SH.qualifiedValueShapesDisjoint)):
            for parent in sg.subjects(SH.property, shape):
                for sibling_shape in sg.objects(parent, SH.property):
                    siblings.extend(
                        s for s in sg.objects(sibling_shape, SH.qualifiedValueShape) if s != qualified
                    )

        def conforming(count: int) -> str:
            names = [self.fresh("q") for _ in range(count)]
            parts = []
            for name in names:
                parts.append(f"{focus} {path_text} {name} ." if path_text else f"BIND({focus} AS {name})")
                parts.append(f"FILTER({self._conforms(qualified, name)})")
                parts.extend(f"FILTER(!({self._conforms(s, name)}))" for s in siblings)
            parts.extend(f"FILTER(!sameTerm({a}, {b}))" for i, a in enumerate(names) for b in names[i + 1 :])
            if count > MAX_PAIRWISE:
                raise Unsupported(f"a qualified count above {MAX_PAIRWISE} in {_name(shape)}")
            return " ".join(parts)

        found = []
        minimum = sg.value(shape, SH.qualifiedMinCount)
        if minimum is not None and int(minimum) > 0:
            found.append(
                _Violation(
                    shape,
                    SH.QualifiedMinCountConstraintComponent,
                    f"FILTER NOT EXISTS {{ {conforming(int(minimum))} }}",
                    focus,
                )
            )
        maximum = sg.value(shape, SH.qualifiedMaxCount)
        if maximum is not None:
            found.append(
                _Violation(
                    shape,
                    SH.QualifiedMaxCountConstraintComponent,
                    f"FILTER EXISTS {{ {conforming(int(maximum) + 1)} }}",
                    focus,
                )
            )
        return found

    def _distinct(self, focus: str, path_text: str | None, count: int) -> str:
        """A pattern matching when ``focus`` has at least ``count`` distinct values on the path."""
        if count > MAX_PAIRWISE:
            raise Unsupported(f"a count above {MAX_PAIRWISE - 1} (sh:minCount / sh:maxCount)")
        names = [self.fresh("c") for _ in range(count)]
        if path_text is None:  # a node shape: its one value node is the focus node
            return "FILTER(false)" if count > 1 else "FILTER(true)"
        parts = [f"{focus} {path_text} {n} ." for n in names]
        parts += [f"FILTER(!sameTerm({a}, {b}))" for i, a in enumerate(names) for b in names[i + 1 :]]
        return " ".join(parts)

    def _exists(self, shape: rdflib.term.Node, node: str) -> str:
        """An expression true when ``node`` does not conform to ``shape``."""
        parts = []
        for violation in self.violations(shape, node):
            pattern = violation.pattern.strip()
            if pattern.startswith("FILTER"):  # one filter: an expression (a group of only a FILTER
                parts.append(f"({pattern[6:].strip()})")  # would not see the outer binding)
            else:
                parts.append(f"EXISTS {{ {pattern} }}")
        return " || ".join(parts) if parts else "false"

    def _conforms(self, shape: rdflib.term.Node, node: str) -> str:
        return f"!({self._exists(shape, node)})"


def _name(node: rdflib.term.Node) -> str:
    return node.n3() if isinstance(node, rdflib.URIRef) else "a blank-node shape"
