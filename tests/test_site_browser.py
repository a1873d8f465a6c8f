"""The generated site in a real browser: headless Chromium driven by Selenium.

Chromium and its driver come from Debian (``apt-get install chromium chromium-driver``;
``.ci/run`` installs them). Selenium is pointed at ``/usr/bin/chromedriver`` so it
never downloads anything. Without Chromium these tests are skipped with the reason,
except under CI (the ``CI`` environment variable set), where they fail.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest

from ftzkg import project
from ftzkg.namespaces import FTZ, ID
from ftzkg.site import build_site
from ftzkg.site.paths import entity_path

CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM = [Path("/usr/bin/chromium"), Path("/usr/bin/chromium-browser")]
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,1100",
]
ARTIFACTS = project.ROOT / "test-artifacts"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

# What one page shows, read in the browser: every link (resolved), ids, resources, h1, sources.
PAGE_INFO_JS = """
const abs = (v) => new URL(v, document.baseURI).href;
const links = Array.from(document.querySelectorAll('a')).filter(a => a.getAttribute('href'))
  .map(a => abs(a.getAttribute('href')));
const h1 = document.querySelector('h1');
const sources = Array.from(document.querySelectorAll('#sources ~ ul.sources a'))
  .filter(a => a.offsetHeight > 0).map(a => abs(a.getAttribute('href')));
return {
  links: links,
  ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
  resources: performance.getEntriesByType('resource').map(e => e.name)
    .concat(Array.from(document.querySelectorAll('[src], link[href]'))
      .map(e => abs(e.getAttribute('src') || e.getAttribute('href')))),
  header_colour: getComputedStyle(document.querySelector('.site-header')).backgroundColor,
  h1: h1 ? h1.innerText : null,
  h1_visible: h1 ? h1.offsetHeight > 0 : false,
  sources_visible: (document.getElementById('sources') || {}).offsetHeight > 0,
  sources: sources,
};
"""


def _missing_browser() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    if not CHROMEDRIVER.is_file():
        return f"no {CHROMEDRIVER} (apt-get install chromium chromium-driver)"
    if not any(p.is_file() for p in CHROMIUM):
        return "no Chromium at /usr/bin/chromium (apt-get install chromium chromium-driver)"
    return None


def require_browser() -> None:
    """Skip with the reason when Chromium is missing; fail instead when CI is set."""
    reason = _missing_browser()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, so the browser tests must run, not be skipped")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(next(p for p in CHROMIUM if p.is_file()))
    for flag in FLAGS:
        options.add_argument(flag)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SE_OFFLINE", "true")  # Selenium Manager must never fetch a driver or a browser
        driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def site(kg, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser-site") / "site"
    build_site(kg, out)
    return out


def _file(url: str) -> Path:
    return Path(unquote(urlsplit(url).path))


@pytest.fixture(scope="module")
def crawl(browser, site) -> dict[Path, dict]:
    """Every page reachable from index.html by following links, opened in the browser."""
    start = (site / "index.html").resolve()
    seen: dict[Path, dict] = {}
    queue = deque([start])
    while queue:
        page = queue.popleft()
        if page in seen:
            continue
        browser.get(page.as_uri())
        info = browser.execute_script(PAGE_INFO_JS)
        seen[page] = info
        for link in info["links"]:
            url, _ = urldefrag(link)
            if url.startswith("file:") and url.endswith(".html"):
                target = _file(url).resolve()
                if target.is_file() and target not in seen:
                    queue.append(target)
    return seen


def test_every_page_is_reachable_from_the_index_and_every_internal_link_resolves(site, crawl):
    every_page = {p.resolve() for p in site.rglob("*.html")}
    assert set(crawl) == every_page
    broken = []
    for page, info in crawl.items():
        for link in info["links"]:
            url, fragment = urldefrag(link)
            if not url.startswith("file:"):
                continue
            target = _file(url).resolve()
            if not target.is_file():
                broken.append(f"{page.name}: {link}")
            elif fragment and target.suffix == ".html" and fragment not in crawl[target]["ids"]:
                broken.append(f"{page.name}: {link} (no such anchor)")
    assert broken == []


def test_pages_load_only_local_files_and_are_styled_by_the_local_stylesheet(crawl):
    for page, info in crawl.items():
        assert info["resources"], f"{page} refers to no stylesheet"
        assert all(r.startswith("file:") for r in info["resources"]), (page, info["resources"])
        assert info["header_colour"] == "rgb(29, 36, 48)", f"{page}: style.css not applied"


def test_each_entity_page_shows_its_label_and_its_sources(kg, site, crawl):
    rows = kg.store.query(
        f'SELECT DISTINCT ?e ?g WHERE {{ GRAPH ?g {{ ?e ?p ?o }} FILTER(STRSTARTS(STR(?e), "{ID}")) }}'
    )
    from test_site import entity_iris  # code-list entries nothing uses get no page

    paged = set(entity_iris(kg))
    sources: dict[str, set[str]] = {}
    for row in rows:
        if row["e"].value in paged:
            sources.setdefault(row["e"].value, set()).add(row["g"].value)
    assert len(sources) > 100
    for iri, graphs in sorted(sources.items()):
        info = crawl[(site / entity_path(iri)).resolve()]
        labels = {
            r["l"].value
            for r in kg.store.query(
                f"SELECT ?l WHERE {{ <{iri}> <{RDFS_LABEL}> ?l }}", use_default_graph_as_union=True
            )
        }
        assert info["h1_visible"], iri
        if labels:
            assert info["h1"] in labels, iri
        assert info["sources_visible"], iri
        shown = {_file(s).resolve() for s in info["sources"]}
        for graph in graphs:
            assert (site / entity_path(graph)).resolve() in shown, f"{iri}: source {graph} not shown"


def test_trade_network_draws_every_firm_and_market_and_dashes_planned_links(kg, browser, site):
    from selenium.webdriver.common.by import By

    firms = {
        r["f"].value
        for r in kg.store.query(
            f"SELECT ?f WHERE {{ ?f a <{FTZ}Enterprise> }}", use_default_graph_as_union=True
        )
    }
    markets = {
        r["m"].value
        for r in kg.store.query(
            f"SELECT ?m WHERE {{ ?l a <{FTZ}TradeLink> ; <{FTZ}destinationMarket> ?m }}",
            use_default_graph_as_union=True,
        )
    }
    assert firms and markets
    browser.get((site / "index.html").resolve().as_uri())
    svg = browser.find_element(By.CSS_SELECTOR, "svg#trade-network")
    assert svg.size["width"] > 0 and svg.size["height"] > 0
    for kind, iris in (("firm", firms), ("market", markets)):
        for iri in iris:
            node = svg.find_element(By.CSS_SELECTOR, f'g.node.{kind}[data-iri="{iri}"]')
            box = node.find_element(By.TAG_NAME, "rect")
            assert box.is_displayed(), iri
            assert box.size["width"] > 0 and box.size["height"] > 0, iri
            label = kg.store.query(
                f"SELECT ?l WHERE {{ <{iri}> <{RDFS_LABEL}> ?l FILTER(LANG(?l) IN ('en', '')) }}",
                use_default_graph_as_union=True,
            )
            words = next(iter(label))["l"].value.split()[0]
            assert words in node.find_element(By.TAG_NAME, "text").text, iri
    dash = "return getComputedStyle(arguments[0]).strokeDasharray"
    planned = svg.find_elements(By.CSS_SELECTOR, "g.edge.planned path")
    reported = svg.find_elements(By.CSS_SELECTOR, "g.edge.reported path")
    assert planned and reported
    assert all(browser.execute_script(dash, p) not in ("", "none") for p in planned)
    assert all(browser.execute_script(dash, p) == "none" for p in reported)
    assert svg.find_element(By.CSS_SELECTOR, "g.legend").size["width"] > 0


def test_index_page_screenshot_is_saved(browser, site):
    browser.get((site / "index.html").resolve().as_uri())
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "site-index.png"
    assert browser.save_screenshot(str(shot))
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # a rendered page, not a blank one


def test_without_chromium_the_browser_tests_skip_with_the_reason_and_fail_under_ci(monkeypatch, tmp_path):
    monkeypatch.setattr(sys.modules[__name__], "CHROMEDRIVER", tmp_path / "no-chromedriver")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no-chromedriver"):
        require_browser()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        require_browser()
