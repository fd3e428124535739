"""``zonegraph draw``: DOT from the graph, readable (labels, a legend), drawn by Graphviz."""

from __future__ import annotations

import itertools
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
    assert "arrowtail=empty" in dot and "rankdir=TB" in dot


def test_the_ontology_picture_is_the_class_hierarchy_by_branch(
    kg: zonegraph.KnowledgeGraph,
) -> None:
    """Before: subclass links and property edges, dashed across the whole diagram."""
    dot = _pictures.ontology_dot(kg.ontology)
    edges = [line for line in dot.splitlines() if " -> " in line]
    assert edges and all("arrowtail=empty" in e or "style=invis" in e for e in edges)
    clusters = re.findall(r'subgraph cluster_\d+ \{\n    graph \[label="([^"]+)"', dot)
    assert {"organisation", "event", "administrative area"} <= set(clusters)


#: A timeline row of DOT: a date (d) or label (t) box, its text, its height.
_ROW = re.compile(
    r'  ([dt])(\d+) \[shape=plaintext, [^\n]*?label="((?:[^"\\]|\\.)*)", pos="[\d.]+,([\d.]+)!"'
)


def test_the_timeline_places_events_and_figures_by_date(kg: zonegraph.KnowledgeGraph) -> None:
    dot = _pictures.timeline_dot(kg.data(), kg.ontology)
    shown = " | ".join(labels_in(dot))
    assert "Launch of the Sino-German Ecopark" in shown
    assert "more than 50 foreign investment projects" in shown
    assert "2018-04-21" in shown
    # a row per mark, in date order, evenly spaced: each date on its label's row
    rows = _ROW.findall(dot)
    dates = {i: (float(y), text[:-2]) for kind, i, text, y in rows if kind == "d"}
    texts = {i: float(y) for kind, i, _, y in rows if kind == "t"}
    assert len(dates) > 20 and set(dates) == set(texts)
    assert all(dates[i][0] == texts[i] for i in dates)
    in_order = [dates[i][1] for i in sorted(dates, key=lambda i: -dates[i][0])]
    assert in_order == sorted(in_order, key=_pictures._year)
    heights = sorted(texts.values())
    steps = {round(b - a) for a, b in itertools.pairwise(heights)}
    assert steps <= {22, 44}, "rows are evenly spaced (a year's own row between years)"


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


# -- the pictures' geometry, read from the SVG Graphviz draws ------------------------------

_SVG = "{http://www.w3.org/2000/svg}"
Box = tuple[float, float, float, float, str]


def _svg(dot: str) -> tuple[float, float, list[Box], list[tuple[float, ...]]]:
    """(width, height, the text labels' boxes, the edges' segments) of *dot* drawn as
    SVG, in the SVG's coordinates. A label is a node drawn as text only; its box is
    estimated at 0.55 em a character (DejaVu Sans, the usual "Helvetica", averages that)."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(_draw.render(dot, "svg"))
    _, _, width, height = (float(v) for v in root.attrib["viewBox"].split())
    labels: list[Box] = []
    for group in root.iter(f"{_SVG}g"):
        drawn = [e for e in group if e.tag != f"{_SVG}title"]
        if group.get("class") != "node" or not all(e.tag == f"{_SVG}text" for e in drawn):
            continue
        for t in drawn:
            size, x, y = float(t.attrib["font-size"]), float(t.attrib["x"]), float(t.attrib["y"])
            w = 0.55 * size * len(t.text or "")
            left = {"start": x, "end": x - w}.get(t.attrib.get("text-anchor", ""), x - w / 2)
            labels.append((left, y - 0.75 * size, left + w, y + 0.2 * size, t.text or ""))
    lines = []
    for group in root.iter(f"{_SVG}g"):
        if group.get("class") == "edge":
            for path in group.iter(f"{_SVG}path"):
                numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.attrib["d"])]
                lines.append((numbers[0], numbers[1], numbers[-2], numbers[-1]))
    return width, height, labels, lines


def _crosses(box: Box, line: tuple[float, ...]) -> bool:
    x0, y0, x1, y1 = line
    points = ((x0 + (x1 - x0) * k / 200, y0 + (y1 - y0) * k / 200) for k in range(201))
    return any(box[0] <= x <= box[2] and box[1] <= y <= box[3] for x, y in points)


@needs_dot
def test_the_timeline_labels_cross_no_line_and_the_axis_spans_the_picture(
    kg: zonegraph.KnowledgeGraph,
) -> None:
    """Before: labels ran across the other marks' leader lines, and the time axis took
    half the picture's width, the labels the rest."""
    width, height, labels, lines = _svg(_pictures.timeline_dot(kg.data(), kg.ontology))
    assert len(labels) > 25
    crossing = [(b[4], line) for b in labels for line in lines if _crosses(b, line)]
    assert not crossing, f"labels cross lines: {crossing[:3]}"
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
            assert apart, f"{a[4]!r} overlaps {b[4]!r}"
    axis = max(lines, key=lambda s: abs(s[2] - s[0]) + abs(s[3] - s[1]))
    assert max(abs(axis[2] - axis[0]) / width, abs(axis[3] - axis[1]) / height) > 0.8
    used = max(b[2] for b in labels) - min(b[0] for b in labels)
    assert used / width > 0.85, "the labels fill the picture's width"
    assert width / height < 2.5, "it fits a slide"


@needs_dot
def test_the_ontology_picture_fits_a_slide_at_a_readable_size(
    kg: zonegraph.KnowledgeGraph,
) -> None:
    """Before: 3453 x 1189 pixels (2.9:1), 11-point names, property edges across it."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(_draw.render(_pictures.ontology_dot(kg.ontology), "svg"))
    _, _, width, height = (float(v) for v in root.attrib["viewBox"].split())
    assert width / height < 2.5
    sizes = {float(t.attrib["font-size"]) for t in root.iter(f"{_SVG}text")}
    assert min(sizes) >= 12
