"""The README's Virtuoso recipe, run as written against a fresh private Virtuoso; Digest and the store type.

The recipe's commands are read from the README, pointed at the test server's ports
and run with bash: set the DBA password, hide Virtuoso's own graphs, load as the DBA
(store type detected), query anonymously.
"""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import require_virtuoso
from fault_proxy import FaultProxy, is_chunk
from store_queries import graph_counts, select

from ftzkg import project
from ftzkg.cli import main
from ftzkg.virtuoso_server import VirtuosoServer

README = (project.ROOT / "README.md").read_text(encoding="utf-8")
PASSWORD = "a-strong-password"


def recipe() -> str:
    """The shell commands of the README's Virtuoso recipe (``$ `` lines and their here-documents)."""
    section = README.split("#### Virtuoso, step by step", 1)[1]
    block = re.search(r"```console\n(.*?)```", section, re.S)
    assert block, "the Virtuoso recipe has no console block"
    return block.group(1)


@pytest.fixture
def fresh_virtuoso(tmp_path):
    """A new private Virtuoso as Debian's package leaves it: DBA password ``dba``, system graphs visible."""
    require_virtuoso()
    server = VirtuosoServer(tmp_path / "virtuoso", password="dba", prepare=False).start()
    yield server
    server.stop()


def test_the_readme_recipe_loads_virtuoso_as_the_dba_and_its_answers_match(
    fresh_virtuoso, release, tmp_path, kg
):
    server = fresh_virtuoso
    (tmp_path / "dist").symlink_to(release)
    script = recipe()
    assert "apt-get install virtuoso-opensource" in script
    script = "\n".join(line for line in script.splitlines() if "apt-get" not in line)
    script = script.replace("isql-vt 1111", f"isql-vt 127.0.0.1:{server.sql_port}")
    script = script.replace("127.0.0.1:8890", f"127.0.0.1:{server.http_port}")
    script = re.sub(r"^\$ ", "", script, flags=re.M).replace(
        "ftzkg ", f"{Path(sys.executable).parent}/ftzkg "
    )
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "store type virtuoso: atomic after a crash, and durable" in done.stdout
    assert f"loaded {len(kg)} triples" in done.stdout or "loaded " in done.stdout
    assert "firm:xinjiang-withyoung-health-food" in done.stdout  # the trade-links answer
    server.password = PASSWORD  # set by the recipe
    counts = graph_counts(server)  # anonymous: the data's graphs, none of Virtuoso's own
    assert set(counts) == set(kg.graph_names())
    total = int(select(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"])
    assert total == sum(counts.values())
    with pytest.raises(RuntimeError, match="Bad login"):
        server.isql("select 1;", password="dba")


def test_digest_credentials_never_carry_the_password(virtuoso_clean, release, kg):
    server = virtuoso_clean
    data = release
    with FaultProxy(server.url) as proxy:
        result = CliRunner().invoke(
            main,
            ["load", "--endpoint", proxy.url, "--release", str(data), "--graph", kg.graph_names()[0]],
            env={"FTZKG_USER": "dba", "FTZKG_PASSWORD": server.password},
        )
    assert result.exit_code == 0, result.output
    sent = [r.authorization for r in proxy.requests if r.authorization]
    assert sent and all(a.startswith("Digest ") for a in sent)
    basic = base64.b64encode(f"dba:{server.password}".encode()).decode()
    assert not any(server.password in a or basic in a for a in sent)
    assert server.password not in result.output
    # after the first challenge every request answers it up front: no body is sent twice
    chunks = [r for r in proxy.requests if is_chunk(r)]
    assert chunks and all(r.authorization for r in chunks)


def test_a_wrong_password_is_a_401_that_names_no_secret(virtuoso_clean, release, kg):
    data = release
    result = CliRunner().invoke(
        main,
        ["load", "--endpoint", virtuoso_clean.url, "--release", str(data)],
        env={"FTZKG_USER": "dba", "FTZKG_PASSWORD": "Wrong-Pa55word"},
    )
    assert result.exit_code == 3
    assert "HTTP 401" in result.output and "Wrong-Pa55word" not in result.output
    assert graph_counts(virtuoso_clean) == {}


def test_without_digest_virtuoso_refuses_and_the_error_says_so(virtuoso_clean, release, kg):
    data = release
    result = CliRunner().invoke(
        main,
        ["load", "--endpoint", virtuoso_clean.url, "--release", str(data), "--auth", "basic"],
        env={"FTZKG_USER": "dba", "FTZKG_PASSWORD": virtuoso_clean.password},
    )
    assert result.exit_code == 3
    assert "HTTP 401" in result.output and "--auth digest" in result.output


def test_by_insert_data_virtuoso_gets_chunks_of_1000_triples(virtuoso_clean, release, kg):
    """No Graph Store endpoint given: the data goes by INSERT DATA, 1 000 triples a request."""
    data = release
    sizes = {g: len(kg.quads([g])) for g in kg.graph_names()}
    graph = min((g for g in sizes if sizes[g] > 2_000), key=sizes.get)  # a few chunks, quickly
    n = sizes[graph]
    with FaultProxy(virtuoso_clean.url) as proxy:
        url = proxy.url + "/sparql-auth"
        result = CliRunner().invoke(
            main,
            [
                "load",
                "--store-type",
                "virtuoso",
                "--query-url",
                url,
                "--update-url",
                url,
                "--release",
                str(data),
                "--graph",
                graph,
            ],
            env={"FTZKG_USER": "dba", "FTZKG_PASSWORD": virtuoso_clean.password},
        )
    assert result.exit_code == 0, result.output
    inserts = [r for r in proxy.requests if is_chunk(r) and r.authorization]
    assert len(inserts) == -(-n // 1000)
    assert graph_counts(virtuoso_clean)[graph] == n


def test_a_generic_store_needs_its_urls(tmp_path, kg):
    from http.server import BaseHTTPRequestHandler

    from fault_proxy import LoopbackServer

    class Plain(LoopbackServer):
        def __init__(self):
            class Handler(BaseHTTPRequestHandler):
                def log_message(self, format: str, *args: object) -> None:
                    pass

                def do_GET(self) -> None:
                    self.send_response(200)
                    self.send_header("Content-Length", "0")
                    self.end_headers()

            self._listen(Handler)

    with Plain() as server:
        result = CliRunner().invoke(main, ["load", "--endpoint", server.url, "--graph", kg.graph_names()[0]])
    assert result.exit_code == 2
    assert "a generic store needs its URLs: give --query-url and --update-url" in result.output


def test_a_refused_checkpoint_leaves_the_load_done_with_a_warning(virtuoso_clean, release, kg):
    """A user with update rights but not the DBA's cannot checkpoint: the swap stands, said in a warning."""
    from urllib.parse import unquote

    from fault_proxy import Fault

    def checkpoint(r) -> bool:
        return "checkpoint" in unquote(r.query) or "checkpoint" in r.text

    graph = kg.graph_names()[0]
    with FaultProxy(virtuoso_clean.url, [Fault(checkpoint, "status", status=403, message="no")]) as proxy:
        result = CliRunner().invoke(
            main,
            ["load", "--endpoint", proxy.url, "--release", str(release), "--graph", graph],
            env={"FTZKG_USER": "dba", "FTZKG_PASSWORD": virtuoso_clean.password},
        )
    assert result.exit_code == 0, result.output
    assert "no checkpoint after the load" in result.output
    assert graph_counts(virtuoso_clean) == {graph: len(kg.quads([graph]))}
