"""The reference data under data/reference/ is what `make reference` generates from the pinned packages.

Regenerating into a temporary folder must give the committed files byte for
byte: CI fails when someone edits a generated file by hand or bumps a pinned
package without regenerating.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from ftzkg import project, refdata
from ftzkg.refdata import ReferencePackagesError


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("reference")
    refdata.generate(out)
    return out


@pytest.mark.parametrize("name", refdata.FILES)
def test_committed_reference_file_is_what_make_reference_generates(regenerated, name):
    committed = (project.DATA_DIR / "reference" / name).read_bytes()
    assert (regenerated / name).read_bytes() == committed, (
        f"data/reference/{name} is not current: run `make reference` and commit the result"
    )


def test_generating_twice_gives_the_same_bytes(regenerated, tmp_path):
    refdata.generate(tmp_path)
    for name in refdata.FILES:
        assert (tmp_path / name).read_bytes() == (regenerated / name).read_bytes()


def test_the_pins_of_the_generator_match_the_reference_extra():
    text = (project.ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for name, version in refdata.PINNED.items():
        assert f'"{name}=={version}"' in text


def test_a_package_at_another_version_stops_the_generator_with_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.setitem(refdata.PINNED, "pycountry", "0.0.1")
    with pytest.raises(ReferencePackagesError, match=r"pycountry is .*pinned to 0\.0\.1.*\[reference\]"):
        refdata.generate(tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_make_reference_command_writes_every_file_and_exits_0(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "ftzkg.refdata", "--out", str(tmp_path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(refdata.FILES)
    assert all(f"wrote {tmp_path / name}" in done.stdout for name in refdata.FILES)
