"""The pages in a real browser: headless Chromium (Debian's, driven by Playwright).

Opens the home page, follows links to entity pages, runs a canned query from
the query page and reads its rows, and saves a screenshot of each page under
tests/output/. Skipped when Chromium is not installed (``.ci/install-browser``
installs it); the browser is never downloaded.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import zonegraph
from serverkit import REPO, Running, copy_kg, running_server

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = REPO / "tests" / "output"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and shutil.which("chromium") is None,
    reason="Chromium is not installed; install it with: bash .ci/install-browser",
)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed: pip install -e '.[dev]'"
)


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    root = copy_kg(tmp_path_factory.mktemp("kg-browser"))
    with running_server(zonegraph.open_kg(root)) as running:
        yield running


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh --user-data-dir
    executable = str(CHROMIUM) if CHROMIUM.exists() else str(shutil.which("chromium"))
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=executable,
            headless=True,
            args=ARGS,
            viewport={"width": 1280, "height": 900},
            accept_downloads=True,
        )
        try:
            yield ctx
        finally:
            ctx.close()


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.problems = problems
    yield page
    page.close()
    assert problems == [], problems  # no script errors, no blocked or failed requests


def shoot(page: Any, name: str) -> Path:
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


def test_home_page_and_following_links_to_entities(srv: Running, page: Any) -> None:
    page.goto(srv.url + "/")
    assert page.locator("h1").first.inner_text() == "zonegraph"
    assert page.locator("#sources tbody tr").count() == len(srv.kg.stats().sources)
    shoot(page, "home")

    page.get_by_role("link", name="Sino-German Ecopark", exact=True).first.click()
    page.wait_for_url("**/id/sino-german-ecopark")
    assert page.locator("h1").inner_text() == "Sino-German Ecopark"
    assert page.locator("#facts tbody tr").count() > 10
    assert page.locator("#incoming tbody tr").count() >= 3
    shoot(page, "entity")

    page.locator("#facts").get_by_role("link", name="Germany", exact=True).first.click()
    page.wait_for_url("**/id/germany")
    assert page.locator("h1").inner_text() == "Germany"
    # the way back: Germany's incoming facts link to the park
    assert page.locator("#incoming").get_by_role("link", name="Sino-German Ecopark").count() >= 1
    shoot(page, "entity-followed")


def test_sorting_a_facts_table(srv: Running, page: Any) -> None:
    page.goto(srv.url + "/id/sino-german-ecopark")
    header = page.locator("#facts thead th").nth(0)
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    first = page.locator("#facts tbody tr td.prop").first.inner_text()
    header.click()
    assert header.get_attribute("aria-sort") == "descending"
    assert page.locator("#facts tbody tr td.prop").first.inner_text() != first


def test_running_a_canned_query_from_the_query_page(srv: Running, page: Any) -> None:
    page.goto(srv.url + "/query")
    page.locator("button[data-name='parks-of-zone']").click()
    assert "SELECT DISTINCT ?zone ?park" in page.locator("#editor").input_value()
    assert page.locator("#param-zone").get_attribute("placeholder") == "default: zgr:qingdao-iecz"
    page.locator("#param-zone").fill("Qingdao International Economic Cooperation Zone")
    page.locator("#run").click()
    expected = srv.kg.query("parks-of-zone")
    rows = page.locator("#results-table tbody tr")
    rows.first.wait_for()
    assert rows.count() == len(expected.rows)
    assert f"{len(expected.rows)} rows" in page.locator("#status").inner_text()
    labels = page.locator("#results-table tbody tr td:nth-child(3) .literal").all_inner_texts()
    assert sorted(labels) == sorted(expected.values("parkLabel"))
    assert "Sino-German Ecopark" in labels
    # sort by the park's label, descending
    label_header = page.locator("#results-table thead th", has_text="parkLabel")
    label_header.click()
    label_header.click()
    assert page.locator(
        "#results-table tbody tr td:nth-child(3) .literal"
    ).first.inner_text() == max(expected.values("parkLabel"), key=str.casefold)
    # downloads in the results formats
    csv_link = page.locator("#downloads a[data-format='csv']")
    assert "/api/queries/parks-of-zone?" in str(csv_link.get_attribute("href"))
    with page.expect_download() as info:
        csv_link.click()
    assert info.value.suggested_filename == "parks-of-zone.csv"
    assert Path(info.value.path()).read_text().startswith("zone,park,parkLabel")
    shoot(page, "query")
    # an entity in the results links to its page
    page.locator("#results-table").get_by_role("link", name="zgr:sino-german-ecopark").first.click()
    page.wait_for_url("**/id/sino-german-ecopark")


def test_an_edited_query_runs_as_sparql_and_errors_are_shown(srv: Running, page: Any) -> None:
    page.goto(srv.url + "/query?name=search-labels&text=ecopark")
    page.locator("#results-table tbody tr").first.wait_for()
    assert "Sino-German Ecopark" in page.locator("#results-table").inner_text()
    editor = page.locator("#editor")
    countries = "SELECT DISTINCT ?country WHERE { ?country a zg:Country } ORDER BY ?country"
    expected = len(srv.kg.sparql(countries).rows)
    editor.fill(countries)
    assert page.locator("#edited").is_visible()
    page.keyboard.press("Control+Enter")
    page.locator("#results-table tbody tr").nth(expected - 1).wait_for()
    assert page.locator("#results-table tbody tr").count() == expected
    editor.fill("SELECT ?x WHERE { ?x a }")
    page.locator("#run").click()
    page.locator(".error-box").wait_for()
    assert "SPARQL syntax error" in page.locator(".error-box").inner_text()
    assert "Error 400" in page.locator("#status").inner_text()
    shoot(page, "query-error")
    # the browser logs the 400 answer itself; that one is expected
    page.problems.remove(
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    )


def test_the_ontology_page(srv: Running, page: Any) -> None:
    page.goto(srv.url + "/ontology#CooperationPark")
    assert page.locator("#CooperationPark").is_visible()
    page.locator("#CooperationPark > a").click()
    page.wait_for_url("**/ontology/CooperationPark")
    assert page.locator("h1").inner_text() == "cooperation park"
    shoot(page, "ontology-term")
