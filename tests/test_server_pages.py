"""The server's linked-data pages: every IRI of the graph resolves, as HTML for a
browser and as Turtle or JSON-LD for a linked-data client; the home, ontology,
term and query pages show what the graph holds; nothing comes from a CDN.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import httpx
import pytest
from rdflib import RDF, Dataset, Graph, URIRef

import zonegraph
from serverkit import Running, copy_kg, running_server
from zonegraph.web.links import iri_for_path, local_path

BASE = "https://w3id.org/zonegraph/"
ECOPARK = BASE + "id/sino-german-ecopark"
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    root = copy_kg(tmp_path_factory.mktemp("kg-pages"))
    with running_server(zonegraph.open_kg(root)) as running:
        yield running


@pytest.fixture(scope="module")
def http(srv: Running) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=srv.url, timeout=30, headers=HTML) as client:
        yield client


class _Links(HTMLParser):
    """The links, scripts and stylesheets of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.assets: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))
        if tag == "script" and a.get("src"):
            self.assets.append(str(a["src"]))
        if tag == "link" and a.get("rel") in ("stylesheet", "icon"):
            self.assets.append(str(a["href"]))
        if tag == "img" and a.get("src"):
            self.assets.append(str(a["src"]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def subjects(kg: zonegraph.KnowledgeGraph) -> set[URIRef]:
    """Every IRI in the zonegraph namespace that the graph describes."""
    return {
        s for s in kg.store.union().subjects() if isinstance(s, URIRef) and str(s).startswith(BASE)
    }


def test_paths_and_iris_map_both_ways() -> None:
    for iri in (ECOPARK, BASE + "source/wikidata", BASE + "ontology#partOf"):
        path = local_path(iri)
        assert path is not None and iri_for_path(path) == iri
    assert local_path("http://www.wikidata.org/entity/Q148") is None


def test_home_page_shows_what_the_graph_holds(http: httpx.Client, srv: Running) -> None:
    r = http.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = parse(r.text)
    text = " ".join(page.text)
    stats = srv.kg.stats()
    assert f"{stats.triples:,}" in text and f"{stats.entities:,}" in text
    for source in stats.sources:
        assert source.title in text
        assert local_path(source.iri) in page.links
    for iri in ("id/sino-german-ecopark", "id/germany", "id/haier", "id/qingdao-iecz"):
        assert "/" + iri in page.links
    assert "/query" in page.links
    assert "/ontology/Country" in page.links  # counts per class link to the classes
    assert "Sino-German Ecopark" in text


def test_every_entity_iri_resolves_to_a_page_and_to_rdf(http: httpx.Client, srv: Running) -> None:
    iris = subjects(srv.kg)
    assert len(iris) > 60
    for iri in sorted(iris):
        path = local_path(str(iri))
        assert path is not None
        r = http.get(path)
        assert r.status_code == 200, (path, r.text[:200])
        assert r.headers["content-type"].startswith("text/html")
        t = http.get(path, headers={"Accept": "text/turtle"})
        assert t.status_code == 200, path
        g = Graph().parse(data=t.text, format="turtle")
        assert (iri, None, None) in g or (None, None, iri) in g, path


def test_entity_page_lists_facts_links_and_sources(http: httpx.Client) -> None:
    r = http.get("/id/sino-german-ecopark")
    page = parse(r.text)
    text = " ".join(page.text)
    assert "<h1>Sino-German Ecopark</h1>" in r.text
    assert ECOPARK in text
    assert "/ontology/CooperationPark" in page.links  # its type
    assert "/id/germany" in page.links  # a fact pointing to another entity
    assert "/id/qingdao-iecz" in page.links
    assert "/id/launch-sino-german-ecopark" in page.links  # a fact pointing here
    assert "/source/chinadaily-2018-06-10" in page.links  # the source of each fact
    assert "/ontology/partnerCountry" in page.links
    assert "Launched in 2011, it is a strategic cooperation park" in text  # a quotation
    assert (
        "/id/sino-german-ecopark.ttl" in page.links
        and "/id/sino-german-ecopark.jsonld" in page.links
    )
    assert '<link rel="alternate" type="text/turtle" href="/id/sino-german-ecopark.ttl">' in r.text


def test_entity_page_links_all_resolve(http: httpx.Client) -> None:
    page = parse(http.get("/id/sino-german-ecopark").text)
    local = sorted({link.split("#")[0] for link in page.links if link.startswith("/")})
    for link in local:
        r = http.get(link, follow_redirects=True)
        assert r.status_code == 200, link


@pytest.mark.parametrize(
    ("accept", "suffix", "media_type", "rdflib_format"),
    [
        ("text/turtle", ".ttl", "text/turtle", "turtle"),
        ("application/ld+json", ".jsonld", "application/ld+json", "json-ld"),
        ("application/n-triples", ".nt", "application/n-triples", "nt"),
        ("application/rdf+xml", ".rdf", "application/rdf+xml", "xml"),
        ("application/trig", ".trig", "application/trig", "trig"),
    ],
)
def test_entity_rdf_by_accept_and_by_suffix(
    http: httpx.Client, srv: Running, accept: str, suffix: str, media_type: str, rdflib_format: str
) -> None:
    by_accept = http.get("/id/sino-german-ecopark", headers={"Accept": accept})
    by_suffix = http.get("/id/sino-german-ecopark" + suffix)
    for r in (by_accept, by_suffix):
        assert r.status_code == 200
        assert r.headers["content-type"].split(";")[0] == media_type
    assert by_accept.headers["vary"] == "Accept"
    assert by_accept.headers["content-location"] == "/id/sino-german-ecopark" + suffix
    g = Dataset(default_union=True) if rdflib_format == "trig" else Graph()
    g.parse(data=by_accept.text, format=rdflib_format)
    expected = len(
        {
            t
            for n in srv.kg.graph_names()
            for t in srv.kg.store.graph(n).triples((URIRef(ECOPARK), None, None))
        }
    )
    assert len(list(g.triples((URIRef(ECOPARK), None, None)))) == expected
    assert (URIRef(BASE + "id/launch-sino-german-ecopark"), None, URIRef(ECOPARK)) in g
    if rdflib_format == "trig":  # TriG keeps the source of each fact
        names = {str(c.identifier) for c in g.graphs() if len(c)}
        assert BASE + "source/chinadaily-2018-06-10" in names
    if rdflib_format == "json-ld":
        assert "@context" in json.loads(by_accept.text)


def test_source_page_says_what_the_source_states(http: httpx.Client, srv: Running) -> None:
    r = http.get("/source/chinadaily-2018-06-10")
    assert r.status_code == 200
    graph = srv.kg.store.graph(URIRef(BASE + "source/chinadaily-2018-06-10"))
    assert f"<b>{len(graph)}</b> facts" in r.text
    links = parse(r.text).links
    assert "/id/sino-german-ecopark" in links
    assert any(link.startswith("/store?graph=") for link in links)


def test_ontology_terms_resolve(http: httpx.Client, srv: Running) -> None:
    onto = srv.kg.ontology
    terms = {
        s
        for s in onto.subjects()
        if isinstance(s, URIRef) and str(s).startswith(BASE + "ontology#")
    }
    assert len(terms) > 60
    for term in sorted(terms):
        path = local_path(str(term))
        assert path is not None and path.startswith("/ontology/")
        assert http.get(path).status_code == 200, path
    g = Graph().parse(data=http.get("/ontology/partOf.ttl").text, format="turtle")
    assert (URIRef(BASE + "ontology#partOf"), RDF.type, None) in g


def test_class_and_property_pages(http: httpx.Client) -> None:
    cls = http.get("/ontology/CooperationPark")
    text = " ".join(parse(cls.text).text)
    assert "Class" in text and "Subclass of" in text
    assert "/ontology/IndustrialPark" in parse(cls.text).links  # superclass
    assert "/id/sino-german-ecopark" in parse(cls.text).links  # instances
    assert "An industrial park built for cooperation" in text  # definition
    prop = http.get("/ontology/partOf")
    text = " ".join(parse(prop.text).text)
    for heading in ("Domain", "Range", "Inverse"):
        assert heading in text
    assert "/ontology/Place" in parse(prop.text).links
    assert "/ontology/hasPart" in parse(prop.text).links
    assert re.search(r"Used in \d+ facts", text)


def test_ontology_page_and_its_rdf(http: httpx.Client, srv: Running) -> None:
    r = http.get("/ontology")
    assert r.status_code == 200
    assert 'id="CooperationPark"' in r.text  # /ontology#CooperationPark lands on the term
    assert "/ontology/CooperationPark" in parse(r.text).links
    for request in (("/ontology", {"Accept": "text/turtle"}), ("/ontology.ttl", {})):
        t = http.get(request[0], headers=request[1])
        assert t.headers["content-type"].startswith("text/turtle")
        assert len(Graph().parse(data=t.text, format="turtle")) == len(srv.kg.ontology)


def test_unknown_iris_are_404(http: httpx.Client) -> None:
    r = http.get("/id/atlantis")
    assert r.status_code == 404
    assert (
        "text/html" in r.headers["content-type"]
        and "https://w3id.org/zonegraph/id/atlantis" in r.text
    )
    assert http.get("/id/atlantis", headers={"Accept": "text/turtle"}).status_code == 404
    assert http.get("/ontology/Atlantis").status_code == 404
    assert http.get("/no/such/page").status_code == 404
    assert http.get("/id/sino-german-ecopark", headers={"Accept": "image/png"}).status_code == 406


def test_query_page_is_self_contained(http: httpx.Client) -> None:
    r = http.get("/query")
    assert r.status_code == 200
    page = parse(r.text)
    assert "/static/query.js" in page.assets and "/static/style.css" in page.assets
    assert all(asset.startswith("/static/") for asset in page.assets), page.assets
    assert "default-src 'self'" in r.headers["content-security-policy"]
    for asset in page.assets:
        a = http.get(asset)
        assert a.status_code == 200, asset
        urls = set(re.findall(r"https?://[^\s\"'`)]+", a.text))
        assert urls <= {"http://www.w3.org/2000/svg", "https://w3id.org/zonegraph/"}, (asset, urls)
    assert 'id="editor"' in r.text and 'id="catalogue"' in r.text


def test_every_page_uses_only_local_assets(http: httpx.Client) -> None:
    for path in (
        "/",
        "/id/sino-german-ecopark",
        "/source/wikidata",
        "/ontology",
        "/ontology/Country",
        "/query",
    ):
        assets = parse(http.get(path).text).assets
        assert assets and all(a.startswith("/static/") for a in assets), (path, assets)


def test_pages_escape_the_data_and_link_only_web_iris(tmp_path: object) -> None:
    from pathlib import Path

    from rdflib import RDFS, Literal

    from zonegraph.web.pages import Pages

    root = copy_kg(Path(str(tmp_path)) / "kg")
    kg = zonegraph.open_kg(root)
    graph = URIRef(BASE + "source/wikidata")
    evil = Graph()
    evil += kg.store.graph(graph)
    evil.add((URIRef(ECOPARK), RDFS.label, Literal("<script>alert(1)</script>", lang="de")))
    evil.add((URIRef(ECOPARK), RDFS.seeAlso, URIRef("javascript:alert(2)")))
    kg.store.replace_graphs({graph: evil})
    html = Pages(kg).entity(URIRef(ECOPARK), alternates=[])
    assert html is not None
    assert (
        "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    )
    assert 'href="javascript:' not in html
    assert "javascript:alert(2)" in html  # shown, not linked


def test_page_titles_do_not_repeat_the_site_name(http: httpx.Client) -> None:
    """The layout adds " · zonegraph"; no page reads "zonegraph · zonegraph"."""
    for path in ("/", "/query", "/ontology", "/id/sino-german-ecopark"):
        page = http.get(path).text
        title = re.search(r"<title>(.*?)</title>", page, flags=re.S)
        assert title is not None, path
        assert title.group(1).endswith(" · zonegraph"), title.group(1)
        assert "zonegraph · zonegraph" not in title.group(1), path


def test_the_api_hint_names_the_url_query_parameter(http: httpx.Client) -> None:
    """Over HTTP a missing parameter is given in the URL, not with the command's -p."""
    r = http.get("/api/queries/entity-facts", headers={"Accept": "application/json"})
    assert r.status_code == 400
    hint = r.json()["hint"]
    assert "?entity=VALUE" in hint
    assert "-p " not in hint


def _section(html: str, start: str, end: str) -> str:
    """The part of *html* between the first *start* and the next *end* after it."""
    i = html.index(start)
    return html[i : html.index(end, i)]


def test_entity_page_groups_values_by_property(http: httpx.Client) -> None:
    html = http.get("/id/sino-german-ecopark").text
    facts = _section(html, 'id="facts"', "</table>")
    rows = re.findall(r'<th scope="row" class="prop">(.*?)</th>', facts, flags=re.S)
    props = [re.sub(r"<[^>]+>", "", r).split()[0] for r in rows]
    assert len(props) == len(set(props)), props  # one row per property
    assert props.count("quotation") == 1
    quotes = _section(html, 'id="p-quotation"', "</tr>")
    assert quotes.count('class="quote-source"') >= 3  # the sentences grouped by source
    assert "China Daily, 10 June 2018" in quotes


def test_entity_page_shows_figures_inline(http: httpx.Client) -> None:
    html = http.get("/id/sino-german-ecopark").text
    figures = _section(html, 'id="figures"', "</table>")
    assert figures.count('<tr class="figure">') >= 4
    row = next(r for r in figures.split('<tr class="figure">') if "2014-08-04" in r)
    text = " ".join(parse(row).text)
    for part in ("area", "11.6", "square kilometre", "2014-08-04", "ECNS, 4 August 2014"):
        assert part in text, (part, text)


def test_statements_about_an_entity_show_text_speaker_and_source(tmp_path: object) -> None:
    from pathlib import Path

    from rdflib import RDFS, Literal, Namespace

    from zonegraph.web.pages import Pages

    zg = Namespace(BASE + "ontology#")
    root = copy_kg(Path(str(tmp_path)) / "kg")
    kg = zonegraph.open_kg(root)
    name = URIRef(BASE + "source/chinadaily-2018-06-10")
    graph = Graph()
    graph += kg.store.graph(name)
    said = URIRef(BASE + "id/statement-test-ecopark")
    heard = URIRef(BASE + "id/statement-test-officials")
    for s, p, o in [
        (said, RDF.type, zg.Statement),
        (said, RDFS.label, Literal("Zhao Shiyu on the park", lang="en")),
        (said, zg.text, Literal("The park is a platform for cooperation", lang="en")),
        (said, zg.spokenBy, URIRef(BASE + "id/germany")),
        (said, zg.speechKind, zg.DirectSpeech),
        (said, zg.about, URIRef(ECOPARK)),
        (said, URIRef("http://purl.org/dc/terms/source"), name),
        (heard, RDF.type, zg.Statement),
        (heard, zg.text, Literal("the park will grow", lang="en")),
        (heard, zg.speakerDescription, Literal("local officials", lang="en")),
        (heard, zg.about, URIRef(ECOPARK)),
    ]:
        graph.add((s, p, o))
    kg.store.replace_graphs({name: graph})
    html = Pages(kg).entity(URIRef(ECOPARK), alternates=[])
    assert html is not None
    statements = _section(html, 'id="statements"', "</section>")
    assert "The park is a platform for cooperation" in statements
    assert 'href="/id/germany"' in statements  # the speaker, linked by its label
    assert "Germany" in statements and "local officials" in statements
    assert "China Daily, 10 June 2018" in statements  # the source
    # statements are not repeated among the facts pointing here
    assert "statement-test-ecopark" not in _section(html, 'id="incoming"', "</table>")


def test_source_page_describes_the_source_first_and_lists_entities_once(
    http: httpx.Client,
) -> None:
    html = http.get("/source/ecns-2014-08-04").text
    fields = _section(html, '<dl class="source-fields">', "</dl>")
    text = " ".join(parse(fields).text)
    for part in ("Title", "Publisher", "China News Service", "Published", "2014-08-04", "URL"):
        assert part in text, part
    assert html.index('id="about-source"') < html.index('id="source-entities"')
    described = parse(_section(html, 'class="by-class"', 'id="facts-heading"')).links
    assert "/id/sino-german-ecopark" in described
    assert len(described) == len(set(described))  # each entity once
    # what points here with dct:source is that list: not repeated below
    assert 'id="in-p-source"' not in html


def test_every_page_has_the_search_box(http: httpx.Client) -> None:
    for path in ("/", "/query", "/ontology", "/ontology/Country", "/id/germany", "/search"):
        html = http.get(path).text
        assert '<form class="site-search" action="/search" method="get" role="search">' in html
        assert '<label for="site-search"' in html, path


def test_search_finds_labels_and_alternative_labels_in_every_language(
    http: httpx.Client, srv: Running
) -> None:
    r = http.get("/search", params={"q": "Ecopark"})
    assert r.status_code == 200
    hits = _section(r.text, 'id="hits"', "</ol>")
    assert "/id/sino-german-ecopark" in parse(hits).links
    assert parse(hits).links[0] == "/id/sino-german-ecopark"  # the best match first
    expected = {row["entity"] for row in srv.kg.query("search-labels", text="Ecopark").rows}
    assert len(parse(hits).links) >= len(expected)  # each entity (and its types) linked
    zh = http.get("/search", params={"q": "青岛国际"}).text
    hits = _section(zh, 'id="hits"', "</ol>")
    assert "/id/qingdao-iecz" in parse(hits).links
    assert 'lang="zh"' in hits
    assert 'id="hits"' not in http.get("/search").text  # no text asked for: no list


def test_the_query_page_url_runs_the_query_without_javascript(
    http: httpx.Client, srv: Running
) -> None:
    text = "SELECT ?c WHERE { ?c a zg:Country }"
    html = http.get("/query", params={"query": text}).text
    assert html.count("<tr><td") == len(srv.kg.sparql(text).rows)
    assert ">SELECT ?c WHERE { ?c a zg:Country }</textarea>" in html  # reloaded: the text
    canned = http.get("/query", params={"name": "parks-of-zone"}).text
    assert canned.count("<tr><td") == len(srv.kg.query("parks-of-zone").rows)
    assert 'name="name" id="query-name" value="parks-of-zone"' in canned
    assert '<script type="application/json" id="editor-data">' in html
    data = json.loads(_section(html, 'id="editor-data">', "</script>").split(">", 1)[1])
    assert data["prefixes"]["zg"] == BASE + "ontology#"
    assert any(t["curie"] == "zg:CooperationPark" for t in data["terms"])


def test_a_syntax_error_names_its_line_and_column(http: httpx.Client) -> None:
    html = http.get("/query", params={"query": "SELEKT ?x WHERE { ?x ?p ?o }"}).text
    assert "Line 1, column 1:</strong> SPARQL syntax error" in html
    assert 'data-line="1" data-column="1"' in html
    # the API: a tab before the error is one column, not eight
    for text, place in (("SELEKT ?x", "query:1:1:"), ("\tSELEKT ?x", "query:1:2:")):
        r = http.get("/sparql", params={"query": text}, headers={"Accept": "text/plain"})
        assert r.status_code == 400 and r.text.startswith(place), r.text
    # and a tab inside a string stays a tab
    r = http.get(
        "/sparql",
        params={"query": 'SELECT ?x WHERE { BIND("a\tb" AS ?x) }'},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert r.json()["results"]["bindings"][0]["x"]["value"] == "a\tb"


def test_the_editor_is_one_small_local_bundle(http: httpx.Client) -> None:
    r = http.get("/static/editor.js")
    assert r.status_code == 200
    assert len(r.content) < 400 * 1024
    assert "/static/editor.js" in parse(http.get("/query").text).assets


def test_every_page_is_the_same_from_the_oxigraph_store(
    kg: zonegraph.KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A page reads what it shows from the store's indexes (``Store.quads``), so the
    Oxigraph store, which gives quads in another order and literals in canonical forms,
    renders every entity, source and term page, and every RDF description, as rdflib does."""
    from zonegraph._load import load
    from zonegraph.store.oxigraph import OxigraphStore
    from zonegraph.web.pages import Pages

    ox_kg = zonegraph.open_kg(store=OxigraphStore(tmp_path_factory.mktemp("ox") / "store"))
    try:
        load(ox_kg)
        ours, theirs = Pages(kg), Pages(ox_kg)
        subjects = {s for n in kg.graph_names() for s in kg.store.graph(n).subjects()}
        iris = sorted((s for s in subjects if isinstance(s, URIRef)), key=str)
        assert len(iris) > 500
        for iri in iris:
            if str(iri).startswith(BASE + "ontology#"):
                assert ours.term(iri, alternates=[]) == theirs.term(iri, alternates=[]), iri
                continue
            assert ours.entity(iri, alternates=[]) == theirs.entity(iri, alternates=[]), iri
            mine = {n: Graph() + g for n, g in ours.description_graph(iri).items()}
            other = theirs.description_graph(iri)
            assert mine.keys() == other.keys(), iri
            for n, g in mine.items():  # the same values, in each store's lexical forms
                assert {(s, p, o.toPython()) for s, p, o in g} == {
                    (s, p, o.toPython()) for s, p, o in other[n]
                }, (iri, n)
        assert ours.ontology(alternates=[]) == theirs.ontology(alternates=[])
    finally:
        ox_kg.store.close()
