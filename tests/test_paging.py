"""Paging (docs/paging.md): a page is the query's own LIMIT/OFFSET, composed with the
query's, and the rows taken page by page are the rows of the query read whole, in the
same order, with the same total: for every canned query, on the shipped graph and on a
small generated one, in the memory store and in Oxigraph. Then the command, the REST
API and the query page."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Literal

import zonegraph
from serverkit import copy_kg, running_server
from support import run_cli
from test_stores import defaults
from zonegraph import Page
from zonegraph._load import load
from zonegraph.authoring.synth import synthesize
from zonegraph.authoring.synth_vocab import COUNTERPARTS, REQUIRED_PARAMETERS
from zonegraph.sparql import paging
from zonegraph.sparql import query as _query
from zonegraph.sparql.paging import compose, paged
from zonegraph.store.oxigraph import OxigraphStore

# -- the graphs: shipped and generated, memory and Oxigraph ------------------------------


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("paging-synth")
    synthesize(out, triples=3000, seed=1)
    return out


def _oxigraph(root: Path | None, where: Path) -> zonegraph.KnowledgeGraph:
    kg = zonegraph.open_kg(root, store=OxigraphStore(where))
    load(kg)
    return kg


@pytest.fixture(scope="module")
def graphs(
    kg: zonegraph.KnowledgeGraph, synth_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, zonegraph.KnowledgeGraph]]:
    made = {
        "shipped-oxigraph": _oxigraph(None, tmp_path_factory.mktemp("pg-ox") / "store"),
        "synth-memory": zonegraph.open_kg(synth_dir),
        "synth-oxigraph": _oxigraph(synth_dir, tmp_path_factory.mktemp("pg-sox") / "store"),
    }
    yield {"shipped-memory": kg, **made}
    for one in made.values():
        one.store.close()


def _params(kg: zonegraph.KnowledgeGraph, q: zonegraph.CannedQuery, synthetic: bool) -> dict:
    if not synthetic:
        return defaults(q)
    given = {p.name: COUNTERPARTS.get(p.default, p.default) for p in q.params if p.default}
    given.update(REQUIRED_PARAMETERS.get(q.name, {}))
    return given


NAMES = [q.name for q in zonegraph.open_kg().queries()]


@pytest.mark.parametrize(
    "where", ["shipped-memory", "shipped-oxigraph", "synth-memory", "synth-oxigraph"]
)
@pytest.mark.parametrize("name", NAMES)
def test_pages_together_are_the_whole_listing(
    graphs: dict[str, zonegraph.KnowledgeGraph], where: str, name: str
) -> None:
    kg = graphs[where]
    canned = kg.catalogue.get(name)
    params = _params(kg, canned, where.startswith("synth"))
    whole = kg.query(name, params)
    # two pages at most (the second never full, so its end is known without a count)
    size = max(1, math.ceil((len(whole.rows) + 1) / 2))
    first = kg.query(name, params, limit=size, total=True)
    assert first.vars == whole.vars
    assert first.total == len(whole.rows)
    rows = list(first.rows)
    if first.more:
        second = kg.query(name, params, limit=size, offset=size)
        assert second.total is None  # counted only when asked
        assert not second.more
        rows += second.rows
    assert rows == whole.rows


def test_a_page_is_taken_of_the_querys_own_limit_and_offset(
    kg: zonegraph.KnowledgeGraph,
) -> None:
    text = "SELECT ?label WHERE { ?x rdfs:label ?label } ORDER BY ?label ?x LIMIT 7 OFFSET 2"
    whole = kg.query(text)
    assert len(whole.rows) == 7
    got = [kg.query(text, limit=3, offset=o, total=True) for o in (0, 3, 6, 9)]
    assert [len(p.rows) for p in got] == [3, 3, 1, 0]
    assert {p.total for p in got} == {7}
    assert [r for p in got for r in p.rows] == whole.rows
    assert [p.more for p in got] == [True, True, False, False]


def test_compose() -> None:
    assert compose(0, None, Page(0, 10)) == (0, 10)
    assert compose(5, None, Page(10, 10)) == (15, 10)
    assert compose(2, 7, Page(6, 3)) == (8, 1)
    assert compose(2, 7, Page(9, 3)) == (11, 0)
    assert compose(0, 5, Page(1)) == (1, 4)


def test_the_page_is_in_the_algebra_and_the_guard_sees_it(kg: zonegraph.KnowledgeGraph) -> None:
    prepared = _query.prepare("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 50 OFFSET 5")
    out = paged(prepared, Page(10, 20))
    top = out.query.algebra.p
    assert (top.name, top.start, top.length) == ("Slice", 15, 20)
    assert prepared.query.algebra.p.start == 5  # the shared prepared query is left alone
    assert out.text.rstrip().endswith("LIMIT 20 OFFSET 15")
    # a refused query stays refused when paged
    with pytest.raises(zonegraph.QueryError, match="SERVICE"):
        kg.query("SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }", limit=5)


def test_a_parameter_is_bound_not_pasted_in_a_paged_query(kg: zonegraph.KnowledgeGraph) -> None:
    text = "SELECT ?x WHERE { ?x rdfs:label ?label } ORDER BY ?x"
    got = kg.query(text, {"label": Literal('x" } LIMIT 1 #')}, limit=5, total=True)
    assert got.rows == [] and got.total == 0


def test_bad_pages_are_refused(kg: zonegraph.KnowledgeGraph) -> None:
    with pytest.raises(zonegraph.ParameterError, match="offset"):
        kg.query("parks-of-zone", offset=-1)
    with pytest.raises(zonegraph.ParameterError, match="limit"):
        kg.query("parks-of-zone", limit=-2)
    with pytest.raises(zonegraph.ParameterError, match="limit 0"):
        kg.query("parks-of-zone", limit=0)  # as on the command line and the REST API
    with pytest.raises(zonegraph.QueryError, match="only a SELECT"):
        kg.query("ASK { ?s ?p ?o }", limit=1)


# -- the command ---------------------------------------------------------------------------


def test_the_command_prints_a_page_and_says_how_to_get_the_next() -> None:
    whole = zonegraph.open_kg().query("post-holders")
    n = len(whole.rows)
    assert n > 2
    proc = run_cli("query", "post-holders", "--limit", "2", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.strip().splitlines()) == 3  # header + 2 rows
    assert f"rows 1-2 of {n:,}; next: --offset 2 --limit 2" in proc.stderr
    last = run_cli("query", "post-holders", "--offset", str(n - 1), "--no-total", "-f", "csv")
    assert last.returncode == 0, last.stderr
    assert len(last.stdout.strip().splitlines()) == 2
    assert f"rows {n}-{n}" in last.stderr and "next" not in last.stderr
    bad = run_cli("query", "post-holders", "--limit", "0")
    assert bad.returncode == 2 and "--limit" in bad.stderr


def test_the_sparql_command_pages_as_the_query_command_does() -> None:
    text = "SELECT ?c WHERE { ?c a zg:Country } ORDER BY ?c"
    whole = [str(r["c"]) for r in zonegraph.open_kg().sparql(text).rows]
    assert len(whole) > 4
    proc = run_cli("sparql", text, "--limit", "2", "--offset", "1", "-f", "csv")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["c", *whole[1:3]]
    assert f"rows 2-3 of {len(whole)}; next: --offset 3 --limit 2" in proc.stderr
    ask = run_cli("sparql", "ASK { ?c a zg:Country }", "--limit", "2")
    assert ask.returncode == 2 and "only a SELECT" in ask.stderr


# -- the REST API and the query page --------------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    root = copy_kg(tmp_path_factory.mktemp("kg-paging"))
    with (
        running_server(zonegraph.open_kg(root), workers=1) as srv,
        httpx.Client(base_url=srv.url, timeout=60) as c,
    ):
        yield c


def test_the_rest_api_pages_with_links_and_a_total(
    client: httpx.Client, kg: zonegraph.KnowledgeGraph
) -> None:
    n = len(kg.query("post-holders").rows)
    r = client.get("/api/queries/post-holders?limit=2&format=json")
    assert r.status_code == 200
    assert r.headers["X-Total-Count"] == str(n)
    assert 'rel="next"' in r.headers["Link"] and "offset=2" in r.headers["Link"]
    assert len(r.json()["results"]["bindings"]) == 2
    r2 = client.get("/api/queries/post-holders?limit=2&offset=2&format=json&total=false")
    assert "X-Total-Count" not in r2.headers
    assert 'rel="prev"' in r2.headers["Link"]
    assert client.get("/api/queries/post-holders?limit=x").status_code == 400


def test_the_sparql_endpoint_pages_on_request(
    client: httpx.Client, kg: zonegraph.KnowledgeGraph
) -> None:
    text = "SELECT ?c WHERE { ?c a zg:Country } ORDER BY ?c"
    whole = [str(r["c"]) for r in kg.sparql(text).rows]
    json_results = {"Accept": "application/sparql-results+json"}
    plain = client.get("/sparql", params={"query": text}, headers=json_results)
    assert len(plain.json()["results"]["bindings"]) == len(whole)  # the protocol's answer
    assert "Link" not in plain.headers and "X-Total-Count" not in plain.headers
    r = client.post(
        "/sparql", data={"query": text, "limit": "2", "offset": "1"}, headers=json_results
    )
    assert r.status_code == 200
    assert [b["c"]["value"] for b in r.json()["results"]["bindings"]] == whole[1:3]
    assert r.headers["X-Total-Count"] == str(len(whole))
    assert 'rel="next"' in r.headers["Link"] and 'rel="prev"' in r.headers["Link"]
    # the next page is a GET of the same query, moved on by one page
    after = r.headers["Link"].split(">;")[0].lstrip("<")
    following = client.get(after, headers=json_results)
    assert [b["c"]["value"] for b in following.json()["results"]["bindings"]] == whole[3:5]
    bad = client.get("/sparql", params={"query": text, "limit": "0"})
    assert bad.status_code == 400 and "limit" in bad.text
    with_dataset = client.get(
        "/sparql", params={"query": text, "limit": "2", "default-graph-uri": kg.graph_names()[0]}
    )
    assert with_dataset.status_code == 400 and "default-graph-uri" in with_dataset.text


def test_the_query_page_shows_a_page_and_links_to_the_next(
    client: httpx.Client, kg: zonegraph.KnowledgeGraph
) -> None:
    n = len(kg.query("post-holders").rows)
    html = client.get("/query?name=post-holders&limit=2").text
    assert f"rows 1\u20132 of {n}" in html
    assert 'rel="next"' in html and "offset=2" in html


# -- keyset pages (docs/paging.md, "Keyset pages") ----------------------------------------

KEYED = sorted(
    p.stem for p in (Path(zonegraph.__file__).parents[2] / "queries" / "keys").glob("*.rq")
)


@pytest.fixture
def keys_always(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Keyset pages whatever they cost (no time or run limit), and whether each
    was filled by keys (True) or fell back to the page of the whole listing."""
    import zonegraph._kg as facade

    monkeypatch.setattr(paging, "KEYSET_MAX_SECONDS", math.inf)
    monkeypatch.setattr(paging, "KEYSET_MAX_RUNS", 10**9)
    used: list[bool] = []

    def recording(*args: object, **kwargs: object) -> object:
        out = paging.keyset_page(*args, **kwargs)  # type: ignore[arg-type]
        used.append(out is not None)
        return out

    monkeypatch.setattr(facade, "keyset_page", recording)
    return used


def test_every_key_query_is_declared_for_a_canned_query() -> None:
    kg = zonegraph.open_kg()
    assert KEYED == ["latest-figures", "people-and-roles", "post-holders", "single-source-facts"]
    for name in KEYED:
        keys = paging.key_query(kg.catalogue, kg.catalogue.get(name))
        assert keys is not None and kg.catalogue.get(name).param(keys.param) is not None


@pytest.mark.parametrize(
    "where", ["shipped-memory", "shipped-oxigraph", "synth-memory", "synth-oxigraph"]
)
@pytest.mark.parametrize("name", KEYED)
def test_keyset_pages_together_are_the_whole_listing(
    graphs: dict[str, zonegraph.KnowledgeGraph], where: str, name: str, keys_always: list[bool]
) -> None:
    kg = graphs[where]
    params = _params(kg, kg.catalogue.get(name), where.startswith("synth"))
    whole = kg.query(name, params).rows
    assert whole, "a listing with rows to page"
    # small pages over the first rows (ties and keys cut across pages), then the whole
    # listing in three pages (each page walks the keys before it)
    plan = [(3, min(len(whole), 12)), (math.ceil(len(whole) / 3), len(whole))]
    if name == "single-source-facts" and where.endswith("memory"):
        plan = [(2, 2)]  # rdflib runs it in about 0.4 s for one entity: the first page
    names = kg.query(name, params, limit=1).vars
    for size, end in plan:
        rows: list[dict] = []
        while len(rows) < end:
            page = kg.query(name, params, limit=size, offset=len(rows))
            assert page.total is None and page.vars == names
            assert page.rows, (size, len(rows))
            rows += page.rows
        assert rows[:end] == whole[:end], size
    assert keys_always and all(keys_always)  # every page filled by keys
    past = kg.query(name, params, limit=5, offset=len(whole))
    assert past.rows == [] and not past.more


def test_a_keyset_page_falls_back_where_keys_do_not_apply(
    graphs: dict[str, zonegraph.KnowledgeGraph], keys_always: list[bool]
) -> None:
    kg = graphs["shipped-oxigraph"]
    whole = kg.query("latest-figures").rows
    assert kg.query("latest-figures", limit=5, total=True).rows == whole[:5]  # a total
    one = whole[0]["entity"]
    assert (
        kg.query("latest-figures", {"entity": one}, limit=2).rows
        == [r for r in whole if r["entity"] == one][:2]
    )  # the parameter given
    deep = paging.KEYSET_MAX_ROWS
    assert kg.query("latest-figures", limit=5, offset=deep).rows == whole[deep : deep + 5]
    assert keys_always == [False, False]  # the total's page never asks for keys
    assert kg.query("latest-figures", limit=5).rows == whole[:5]
    assert keys_always == [False, False, True]


def test_a_key_query_that_names_no_parameter_is_refused(tmp_path: Path) -> None:
    import shutil

    queries = tmp_path / "queries"
    shutil.copytree(Path(zonegraph.__file__).parents[2] / "queries", queries)
    (queries / "keys" / "post-holders.rq").write_text(
        "# keys: ?nobody\nSELECT ?organisation { ?post zg:postIn ?organisation }\n"
    )
    from zonegraph.sparql.catalogue import Catalogue

    catalogue = Catalogue(queries)
    with pytest.raises(zonegraph.InputError) as err:
        paging.key_query(catalogue, catalogue.get("post-holders"))
    assert str(err.value.where).endswith("keys/post-holders.rq:1:1")


def test_the_binder_keeps_a_minus_groups_variable(
    graphs: dict[str, zonegraph.KnowledgeGraph],
) -> None:
    """MINUS removes rows that share a value: with the term written in place of the
    variable it shares none and removes nothing (single-source-facts for one event
    node listed the event's statements, which the whole listing leaves out)."""
    text = "SELECT ?s ?o { ?s rdfs:label ?o MINUS { ?s a zg:Person } }"
    for where in ("shipped-memory", "shipped-oxigraph"):
        kg = graphs[where]
        whole = kg.query(text).rows
        person = kg.query("SELECT ?p { ?p a zg:Person } LIMIT 1").rows[0]["p"]
        assert not any(r["s"] == person for r in whole)
        assert kg.query(text, {"s": person}).rows == [], where
