"""``zonegraph draw``: DOT from the graph, readable (labels, a legend), drawn by Graphviz."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import zonegraph
from zonegraph.authoring import draw as _draw
from zonegraph.authoring import pictures as _pictures
from zonegraph.cli import main
from zonegraph.rdf.namespaces import ZGR

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed; run .ci/install-interop"
)


def labels_in(dot: str) -> list[str]:
    return [m.replace("\\n", " ") for m in re.findall(r'label="((?:[^"\\]|\\.)*)"', dot)]


def test_the_zone_picture_shows_parks_partners_institutes_and_companies(
    kg: zonegraph.KnowledgeGraph,
) -> None:
    dot = _pictures.zone_dot(kg.data(), kg.ontology)
    shown = " | ".join(labels_in(dot))
    for name in (
        "Qingdao International Economic Cooperation Zone",
        "Sino-German Ecopark",
        "Germany",
        "Fraunhofer Institute",
        "Siemens",
    ):
        assert name in shown
    assert "https://" not in shown, "nodes and edges are labelled, not IRIs"
    assert "legend" in dot
    assert "part of" in shown and "partner country" in shown


def test_the_entity_picture_is_the_entity_and_its_neighbours(kg: zonegraph.KnowledgeGraph) -> None:
    dot = _pictures.entity_dot(kg.data(), kg.ontology, ZGR["sino-german-ecopark"])
    shown = " | ".join(labels_in(dot))
    assert "Sino-German Ecopark" in shown and "Germany" in shown
    assert "km² area" in shown, "figures are drawn as their value, unit and measure"
    assert "penwidth=3" in dot, "the entity itself stands out"


def test_the_ontology_picture_has_every_class(kg: zonegraph.KnowledgeGraph) -> None:
    dot = _pictures.ontology_dot(kg.ontology)
    shown = set(labels_in(dot))
    assert {"cooperation park", "country", "figure", "party", "research institute"} <= shown
    assert "arrowhead=empty" in dot and "style=dashed" in dot


def test_the_timeline_places_events_and_figures_by_date(kg: zonegraph.KnowledgeGraph) -> None:
    dot = _pictures.timeline_dot(kg.data(), kg.ontology)
    shown = " | ".join(labels_in(dot))
    assert "2011  Launch of the Sino-German Ecopark" in shown
    assert "2018-06-10  more than 50 foreign investment projects" in shown
    assert "2018-04-21" in shown


def test_an_unknown_entity_is_an_error_with_a_hint(kg: zonegraph.KnowledgeGraph) -> None:
    with pytest.raises(_draw.DrawError, match="Sino-German Ecopak"):
        _draw.draw(kg, entity="Sino-German Ecopak", fmt="dot")


@needs_dot
@pytest.mark.parametrize(
    ("args", "suffix", "magic"),
    [
        ((), "svg", b"<svg"),
        (("--entity", "Sino-German Ecopark"), "png", b"\x89PNG"),
        (("--ontology",), "svg", b"<svg"),
        (("--timeline",), "png", b"\x89PNG"),
    ],
)
def test_the_command_writes_svg_and_png(
    args: tuple[str, ...], suffix: str, magic: bytes, tmp_path: Path
) -> None:
    out = tmp_path / f"picture.{suffix}"
    result = CliRunner().invoke(main, ["--quiet", "draw", *args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert magic in out.read_bytes()[:400]


def test_dot_text_goes_to_standard_output() -> None:
    result = CliRunner().invoke(main, ["draw", "--format", "dot"])
    assert result.exit_code == 0
    assert result.stdout.startswith("digraph zonegraph {")


def test_one_picture_at_a_time() -> None:
    result = CliRunner().invoke(main, ["draw", "--ontology", "--timeline", "--format", "dot"])
    assert result.exit_code == 2
    assert "one picture at a time" in result.stderr


def test_without_graphviz_the_error_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_draw.shutil, "which", lambda name: None)
    with pytest.raises(_draw.DrawError, match="apt-get install graphviz"):
        _draw.render("digraph x {}", "svg")


def _draw_in_a_fresh_process(args: list[str], seed: str) -> bytes:
    """``zonegraph draw ARGS`` run as a user runs it, with its own string hashing."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONHASHSEED": seed}
    proc = subprocess.run(
        [sys.executable, "-m", "zonegraph", "--quiet", "draw", *args],
        capture_output=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout


PICTURES = [[], ["--ontology"], ["--timeline"], ["--entity", "zgr:sino-german-ecopark"]]


@pytest.mark.parametrize("args", PICTURES, ids=["zone", "ontology", "timeline", "entity"])
def test_the_dot_source_is_byte_stable_across_processes(args: list[str]) -> None:
    """make docs gives the same files every time: the picture does not follow the order
    in which a process happens to hash strings (subclass edges did, issue #19)."""
    first, second, third = (
        _draw_in_a_fresh_process([*args, "--format", "dot"], seed) for seed in ("1", "2", "3")
    )
    assert first == second == third


@pytest.mark.skipif(
    shutil.which("dot") is None, reason="install graphviz: bash .ci/install-interop"
)
@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_the_rendered_pictures_are_byte_stable_across_processes(fmt: str) -> None:
    args = ["--ontology", "--format", fmt]
    assert _draw_in_a_fresh_process(args, "1") == _draw_in_a_fresh_process(args, "4")


@needs_dot
def test_the_format_follows_the_file_extension(tmp_path: Path) -> None:
    out = tmp_path / "zone.pdf"
    result = CliRunner().invoke(main, ["--quiet", "draw", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF"), "a .pdf holds a PDF, not SVG"


@pytest.mark.parametrize("name", ["zone.jpg", "zone", "zone.svgz"])
def test_an_extension_zonegraph_cannot_draw_is_refused(name: str, tmp_path: Path) -> None:
    out = tmp_path / name
    result = CliRunner().invoke(main, ["draw", "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: cannot draw into") and ".svg, .png, .pdf, .dot" in (
        result.stderr
    )
    assert not out.exists()


def test_a_format_that_contradicts_the_extension_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "zone.svg"
    result = CliRunner().invoke(main, ["draw", "--format", "dot", "-o", str(out)])
    assert result.exit_code == 2
    assert "does not match" in result.stderr
    assert not out.exists()
