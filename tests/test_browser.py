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
    # a refused style or script says what the policy refused, and where
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'CSP ' + e.violatedDirective + ' ' + e.sourceFile + ':' + e.lineNumber))"
    )
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
    # one row per property, each with all its values
    props = page.locator("#facts tbody tr th.prop > a").all_inner_texts()
    assert len(props) >= 5 and len(props) == len(set(props)), props
    assert page.locator("#incoming tbody tr").count() >= 3
    shoot(page, "entity")

    page.locator("#facts").get_by_role("link", name="Germany", exact=True).first.click()
    page.wait_for_url("**/id/germany")
    assert page.locator("h1").inner_text() == "Germany"
    # the way back: Germany's incoming facts link to the park
    assert page.locator("#incoming").get_by_role("link", name="Sino-German Ecopark").count() >= 1
    shoot(page, "entity-followed")


def test_the_entity_page_groups_values_and_shows_figures_inline(srv: Running, page: Any) -> None:
    page.goto(srv.url + "/id/sino-german-ecopark")
    quotation = page.locator("#facts tbody tr", has=page.locator("th.prop", has_text="quotation"))
    assert quotation.count() == 1  # one group, not a row per sentence
    sources = quotation.locator(".quote-source").all_inner_texts()
    assert len(sources) >= 3 and len(sources) == len(set(sources))
    assert quotation.locator("blockquote").count() >= 10
    assert "China Daily, 10 June 2018" in sources  # a source by its label, not its slug
    figures = page.locator("#figures tbody tr")
    assert figures.count() >= 4
    ecns = page.locator("#figures tbody tr", has_text="2014-08-04")
    text = ecns.inner_text()
    for part in ("area", "11.6", "square kilometre", "2014-08-04", "ECNS, 4 August 2014"):
        assert part in text, (part, text)
    # the figure's value links to the figure's own page
    assert ecns.locator("a.amount").get_attribute("href") == (
        "/id/figure-sino-german-ecopark-area-2014-08-04"
    )
    shoot(page, "entity-grouped")


def test_the_search_box_on_every_page(srv: Running, page: Any) -> None:
    for path in ("/", "/ontology", "/query", "/id/germany"):
        # every request of the page done (the query page fetches the catalogue), so that
        # leaving it does not abort one
        page.goto(srv.url + path, wait_until="networkidle")
        assert page.get_by_role("searchbox", name="Search the labels").count() == 1, path
    page.get_by_role("searchbox", name="Search the labels").fill("Ecopark")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=Ecopark")
    hits = page.locator("#hits")
    assert hits.get_by_role("link", name="Sino-German Ecopark", exact=True).count() == 1
    shoot(page, "search")
    # a label in another language: the zone's Chinese name
    page.get_by_role("searchbox", name="Search the labels").fill("青岛国际")
    page.keyboard.press("Enter")
    page.locator("#hits").wait_for()
    assert page.locator("#hits .label-match[lang=zh]").count() >= 1
    assert "Qingdao International Economic Cooperation Zone" in page.locator("#hits").inner_text()
    page.locator("#hits").get_by_role(
        "link", name="Qingdao International Economic Cooperation Zone", exact=True
    ).click()
    page.wait_for_url("**/id/qingdao-iecz")


def test_running_a_canned_query_from_the_query_page(srv: Running, page: Any) -> None:
    page.goto(srv.url + "/query")
    page.locator("button[data-name='parks-of-zone']").click()
    assert "SELECT DISTINCT ?zone ?park" in page.locator(".cm-content").inner_text()
    assert page.locator("#param-zone").get_attribute("placeholder") == "default: zgr:china"
    page.locator("#param-zone").fill("Qingdao International Economic Cooperation Zone")
    page.locator("#run").click()
    expected = srv.kg.query("parks-of-zone", zone="Qingdao International Economic Cooperation Zone")
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
    editor = page.locator(".cm-content")
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
    assert page.locator(".cm-lintRange-error").count() == 1  # the place, marked
    assert "Error 400" in page.locator("#status").inner_text()
    shoot(page, "query-error")
    # the browser logs the 400 answer itself; that one is expected
    page.problems.remove(
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    )


def test_run_shows_a_page_of_rows_and_the_next_page_on_request(srv: Running, page: Any) -> None:
    text = "SELECT DISTINCT ?s WHERE { ?s ?p ?o } ORDER BY ?s"
    expected = [str(row["s"]) for row in srv.kg.sparql(text).rows]
    assert len(expected) > 200  # three pages of 100 at least
    page.goto(srv.url + "/query")
    page.locator(".cm-content").fill(text)
    page.locator("#run").click()
    rows = page.locator("#results-table tbody tr")
    rows.first.wait_for()
    assert rows.count() == 100
    assert page.locator("#status").inner_text().startswith(f"rows 1\u2013100 of {len(expected)}")
    shown = page.locator("#results-table tbody tr td:first-child [title]")
    assert shown.evaluate_all("cells => cells.map(c => c.title)") == expected[:100]
    assert page.locator(".pager a[rel='prev']").count() == 0
    page.locator(".pager a[rel='next']").click()
    page.locator("#status", has_text="rows 101\u2013200").wait_for()
    assert shown.evaluate_all("cells => cells.map(c => c.title)") == expected[100:200]
    assert f"of {len(expected)}" in page.locator("#status").inner_text()  # kept, not counted again
    assert "offset=100" in page.url  # the URL is the page: a reload or a shared link shows it
    page.reload()
    page.locator("#results-table tbody tr").first.wait_for()
    assert shown.evaluate_all("cells => cells.map(c => c.title)") == expected[100:200]
    page.locator(".pager a[rel='prev']").click()
    page.wait_for_url("**/query?*")
    page.locator("#results-table tbody tr").first.wait_for()
    assert shown.evaluate_all("cells => cells.map(c => c.title)") == expected[:100]


def test_the_ontology_page(srv: Running, page: Any) -> None:
    page.goto(srv.url + "/ontology#CooperationPark")
    assert page.locator("#CooperationPark").is_visible()
    page.locator("#CooperationPark > a").click()
    page.wait_for_url("**/ontology/CooperationPark")
    assert page.locator("h1").inner_text() == "cooperation park"
    shoot(page, "ontology-term")


def test_the_editor_highlights_completes_and_keeps_the_query_in_the_url(
    srv: Running, page: Any
) -> None:
    page.goto(srv.url + "/query")
    page.locator(".cm-editor").wait_for()
    assert page.locator("#editor").is_hidden()  # the textarea stays in the form, hidden
    # syntax highlighting: the keywords and variables are styled tokens
    assert page.locator(".cm-content .cm-line span[class]").count() >= 5
    editor = page.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.type("SELECT ?park WHERE { ?park a zg:Cooperation")  # "}" closes itself
    page.locator(".cm-tooltip-autocomplete").wait_for()
    options = page.locator(".cm-tooltip-autocomplete li").all_inner_texts()
    assert any("zg:CooperationPark" in o for o in options), options
    page.wait_for_timeout(300)  # CodeMirror ignores Enter just after the list opens
    page.keyboard.press("Enter")  # accept the completion
    text = editor.inner_text()
    assert "zg:CooperationPark" in text
    shoot(page, "query-editor")
    # the URL carries the query; reloading it restores the text and the results
    url = page.url
    assert "query=" in url and "CooperationPark" in url
    page.keyboard.press("Control+Enter")
    page.locator("#results-table tbody tr").first.wait_for()
    rows = page.locator("#results-table tbody tr").count()
    page.goto(url)
    page.locator(".cm-editor").wait_for()
    assert "zg:CooperationPark" in page.locator(".cm-content").inner_text()
    assert page.locator("#results-table tbody tr").count() == rows
    assert page.locator("#share").get_attribute("href") == url[len(srv.url) :]
    # completion of prefixes
    page.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\nsko")
    page.locator(".cm-tooltip-autocomplete").wait_for()
    assert "skos:" in page.locator(".cm-tooltip-autocomplete").inner_text()


def test_a_syntax_error_names_line_1_column_1(srv: Running, page: Any) -> None:
    page.goto(srv.url + "/query?query=SELEKT+%3Fx+WHERE+%7B+%3Fx+%3Fp+%3Fo+%7D")
    error = page.locator("#query-error")
    assert "Line 1, column 1:" in error.inner_text()
    marked = page.locator(".cm-lintRange-error")
    marked.wait_for()
    assert marked.inner_text() == "SELEKT"
    # typed into the editor and run: the place in the editor's text
    page.locator(".cm-content").fill("SELEKT ?x WHERE { ?x ?p ?o }")
    page.locator("#run").click()
    page.locator(".error-box", has_text="SPARQL syntax error").wait_for()
    assert page.locator(".error-box").inner_text().startswith("Line 1, column 1: SPARQL syntax")
    assert page.locator(".cm-lintRange-error").inner_text() == "SELEKT"
    shoot(page, "query-selekt")
    page.problems.remove(
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    )


def test_the_query_page_works_without_javascript(srv: Running, context: Any) -> None:
    """The scripts refused: the plain textarea and the form's GET still run a query."""
    page = context.new_page()
    try:
        page.route("**/static/*.js", lambda route: route.abort())
        page.goto(srv.url + "/query")
        page.locator("#editor").fill("SELECT ?c WHERE { ?c a zg:Country }")
        page.locator("#run").click()
        page.wait_for_url("**/query?query=*")
        assert page.locator("#results-table tbody tr").count() == len(
            srv.kg.sparql("SELECT ?c WHERE { ?c a zg:Country }").rows
        )
    finally:
        page.close()


def test_the_source_page_describes_the_source_first(srv: Running, page: Any) -> None:
    page.goto(srv.url + "/source/ecns-2014-08-04")
    fields = page.locator("dl.source-fields").inner_text()
    for part in ("Title", "Publisher", "China News Service", "Published", "2014-08-04", "URL"):
        assert part in fields, (part, fields)
    described = page.locator(".by-class li a").all_inner_texts()
    assert "Sino-German Ecopark" in described
    assert len(described) == len(set(described))  # each entity once
    # the source's own description comes before what it describes
    assert (
        page.locator("#about-source").bounding_box()["y"]
        < (page.locator("#source-entities").bounding_box()["y"])
    )
    shoot(page, "source")
