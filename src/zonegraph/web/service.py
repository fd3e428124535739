"""What the server says about itself: query catalogue, OpenAPI document, service description.

The OpenAPI 3.1 document is generated from the query catalogue: each canned
query becomes ``GET /api/queries/<name>`` with one query parameter per
``# param:`` line of its header; the SPARQL endpoint, the Graph Store and the
entity descriptions are listed beside them. The service description (SPARQL
1.1 Service Description vocabulary) names the endpoint, the languages and
formats it supports, and the dataset with the size of each named graph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef

from ..rdf.namespaces import DCT, PREFIXES, bind_prefixes, shorten
from . import conneg
from .dataset import VOID_PATH, default_graph_size

if TYPE_CHECKING:
    from .._kg import KnowledgeGraph

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")

_SCHEMAS = {
    "iri": {
        "type": "string",
        "description": "An IRI, a prefixed name (zgr:…) or an entity's label.",
    },
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "date": {"type": "string", "format": "date"},
    "gyear": {"type": "string", "pattern": "^-?[0-9]{4,}$"},
    "boolean": {"type": "boolean"},
}


def _media(
    offers: tuple[conneg.Offer, ...], schema: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {o.media_type: ({"schema": schema} if schema else {}) for o in offers}


def _errors(*codes: int) -> dict[str, Any]:
    text = {
        400: "The request is malformed: a SPARQL syntax error, an unknown or invalid parameter.",
        401: "An update without a valid bearer token.",
        403: "Updates are disabled on this server.",
        404: "No such query, graph or entity.",
        406: "None of the media types in Accept can be produced.",
        413: "The request body is larger than the server accepts.",
        415: "The request body's media type is not accepted.",
        422: "The change does not conform to the SHACL shapes; the body is the validation report.",
        500: "The query was refused: its result is larger than the server's row limit.",
        503: "The query ran past the time limit and was stopped, or every worker was busy.",
    }
    return {
        str(c): {
            "description": text[c],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for c in codes
    }


def catalogue_document(kg: KnowledgeGraph, *, max_choices: int = 500) -> dict[str, Any]:
    """The canned queries as JSON: summary, parameters (with choices for entities), SPARQL text."""
    items = []
    for q in kg.queries():
        params = []
        for p in q.params:
            entry: dict[str, Any] = {
                "name": p.name,
                "type": p.type,
                "class": p.cls,
                "default": p.default,
                "required": p.required,
                "description": p.description,
            }
            if p.type == "iri" and p.cls:
                members = sorted(kg.members(p.cls), key=str)[:max_choices]
                choices = [
                    {"value": shorten(str(m)), "label": kg.labels.label(m) or shorten(str(m))}
                    for m in members
                ]
                entry["choices"] = sorted(choices, key=lambda c: str(c["label"]).casefold())
            params.append(entry)
        items.append(
            {
                "name": q.name,
                "summary": q.summary,
                "returns": q.returns,
                "example": q.example,
                "url": f"/api/queries/{q.name}",
                "parameters": params,
                "text": q.text,
            }
        )
    return {"queries": items, "prefixes": PREFIXES}


def openapi_document(kg: KnowledgeGraph, *, server_url: str, updates: bool) -> dict[str, Any]:
    """The OpenAPI document for *kg*'s server at *server_url*."""
    paths: dict[str, Any] = {}
    format_param = {
        "name": "format",
        "in": "query",
        "required": False,
        "description": "Results format, overriding Accept: json, xml, csv, tsv; for graphs turtle, "
        "jsonld, ntriples, rdfxml, trig.",
        "schema": {
            "type": "string",
            "enum": ["json", "xml", "csv", "tsv", "turtle", "jsonld", "ntriples", "rdfxml", "trig"],
        },
    }
    paging_params = [
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "description": "One page: at most this many rows (docs/paging.md); the Link "
            'header names the next page (rel="next") and the previous one.',
            "schema": {"type": "integer", "minimum": 1},
        },
        {
            "name": "offset",
            "in": "query",
            "required": False,
            "description": "Skip this many rows of the listing first.",
            "schema": {"type": "integer", "minimum": 0, "default": 0},
        },
        {
            "name": "total",
            "in": "query",
            "required": False,
            "description": "With limit or offset: count the whole listing (X-Total-Count "
            "header); false skips the count where it costs a second query.",
            "schema": {"type": "boolean", "default": True},
        },
    ]
    results = {
        "description": "SELECT or ASK results (SPARQL 1.1 Query Results formats), "
        "or a graph for CONSTRUCT.",
        "content": {
            **_media(conneg.RESULT_OFFERS[:4], {"$ref": "#/components/schemas/SparqlResults"}),
            **_media(conneg.GRAPH_OFFERS[:5]),
        },
    }
    paths["/api/queries"] = {
        "get": {
            "operationId": "listQueries",
            "summary": "The catalogue of canned queries, with their parameters.",
            "tags": ["queries"],
            "responses": {
                "200": {
                    "description": "The catalogue.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Catalogue"}}
                    },
                }
            },
        }
    }
    for q in kg.queries():
        params = []
        for p in q.params:
            schema = dict(_SCHEMAS.get(p.type, {"type": "string"}))
            if p.default is not None:
                schema["default"] = p.default
            description = p.description
            if p.cls:
                description = f"{description} (a {p.cls})".strip()
            params.append(
                {
                    "name": p.name,
                    "in": "query",
                    "required": p.required,
                    "description": description,
                    "schema": schema,
                }
            )
        paths[f"/api/queries/{q.name}"] = {
            "get": {
                "operationId": _operation_id(q.name),
                "summary": q.summary,
                "description": "\n\n".join(
                    part
                    for part in (
                        f"Returns {q.returns}" if q.returns else "",
                        f"Example: `{q.example}`" if q.example else "",
                    )
                    if part
                ),
                "tags": ["queries"],
                "parameters": [*params, *paging_params, format_param],
                "responses": {"200": results, **_errors(400, 404, 406, 500, 503)},
            }
        }
    sparql_params = [
        {
            "name": "query",
            "in": "query",
            "required": False,
            "description": "A SPARQL 1.1 query; without it, the service description.",
            "schema": {"type": "string"},
        },
        {
            "name": "default-graph-uri",
            "in": "query",
            "required": False,
            "explode": True,
            "schema": {"type": "array", "items": {"type": "string", "format": "iri"}},
        },
        {
            "name": "named-graph-uri",
            "in": "query",
            "required": False,
            "explode": True,
            "schema": {"type": "array", "items": {"type": "string", "format": "iri"}},
        },
        format_param,
    ]
    post_codes = (
        (400, 401, 403, 406, 413, 415, 422, 500, 503)
        if updates
        else (400, 403, 406, 413, 415, 500, 503)
    )
    paths["/sparql"] = {
        "get": {
            "operationId": "sparqlQuery",
            "summary": "SPARQL 1.1 Protocol: query by GET "
            "(a bare GET gives the service description).",
            "tags": ["sparql"],
            "parameters": sparql_params,
            "responses": {"200": results, **_errors(400, 406, 500, 503)},
        },
        "post": {
            "operationId": "sparqlPost",
            "summary": "SPARQL 1.1 Protocol: query (or, when enabled, update) by POST.",
            "tags": ["sparql"],
            "requestBody": {
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "query": {"type": "string"},
                                "update": {"type": "string"},
                                "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                                "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                            },
                        }
                    },
                    "application/sparql-query": {"schema": {"type": "string"}},
                    "application/sparql-update": {"schema": {"type": "string"}},
                }
            },
            "responses": {"200": results, **_errors(*post_codes)},
        },
    }
    graph_param = {
        "name": "graph",
        "in": "query",
        "required": False,
        "description": "The named graph's IRI.",
        "schema": {"type": "string", "format": "iri"},
    }
    default_param = {
        "name": "default",
        "in": "query",
        "required": False,
        "allowEmptyValue": True,
        "description": "The default graph (the union of every graph).",
        "schema": {"type": "string"},
    }
    store: dict[str, Any] = {
        "get": {
            "operationId": "graphStoreGet",
            "summary": "Graph Store Protocol: read the default graph or one named graph.",
            "tags": ["graph store"],
            "parameters": [default_param, graph_param, format_param],
            "responses": {
                "200": {"description": "The graph.", "content": _media(conneg.GRAPH_OFFERS[:6])},
                **_errors(400, 404, 406),
            },
        }
    }
    if updates:
        body = {
            "content": {
                "text/turtle": {"schema": {"type": "string"}},
                "application/n-triples": {"schema": {"type": "string"}},
            }
        }
        security: list[dict[str, list[str]]] = [{"bearer": []}]
        for method, summary in (
            ("put", "Replace a source's graph (validated against the shapes first)."),
            ("post", "Add facts, as `zonegraph add` does (validated against the shapes first)."),
            ("delete", "Drop a source's graph and its KG file (validated first)."),
        ):
            op: dict[str, Any] = {
                "operationId": f"graphStore{method.capitalize()}",
                "summary": summary,
                "tags": ["graph store"],
                "parameters": [default_param, graph_param] if method == "post" else [graph_param],
                "security": security,
                "responses": {
                    "200": {
                        "description": "Applied; the body says what changed.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/UpdateOutcome"}
                            }
                        },
                    },
                    **_errors(400, 401, 403, 404, 413, 415, 422),
                },
            }
            if method != "delete":
                op["requestBody"] = body
            store[method] = op
    paths["/store"] = store
    paths["/id/{slug}"] = {
        "get": {
            "operationId": "describeEntity",
            "summary": "An entity: HTML for browsers, RDF by content negotiation "
            "(or a .ttl/.jsonld/.nt/.rdf/.trig suffix).",
            "tags": ["linked data"],
            "parameters": [
                {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {
                "200": {
                    "description": "The entity's facts, with the facts pointing to it.",
                    "content": _media(conneg.PAGE_OFFERS[:1] + conneg.GRAPH_OFFERS[:5]),
                },
                **_errors(404, 406),
            },
        }
    }
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "zonegraph",
            "version": _version(),
            "description": "A sourced knowledge graph of international economic cooperation zones: "
            "SPARQL 1.1 endpoint, Graph Store Protocol reads, the canned queries as a REST API, "
            "and a page for every entity.",
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "status"],
                    "properties": {
                        "error": {"type": "string"},
                        "hint": {"type": ["string", "null"]},
                        "status": {"type": "integer"},
                    },
                },
                "SparqlResults": {
                    "type": "object",
                    "description": "SPARQL 1.1 Query Results JSON Format.",
                    "properties": {
                        "head": {"type": "object"},
                        "results": {"type": "object"},
                        "boolean": {"type": "boolean"},
                    },
                },
                "Catalogue": {
                    "type": "object",
                    "properties": {
                        "queries": {"type": "array", "items": {"type": "object"}},
                        "prefixes": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                },
                "UpdateOutcome": {
                    "type": "object",
                    "properties": {
                        "applied": {"type": "boolean"},
                        "conforms": {"type": "boolean"},
                        "changes": {"type": "object"},
                        "written": {"type": "array"},
                        "removed": {"type": "array"},
                        "report": {"type": "object"},
                    },
                },
            },
            **(
                {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}
                if updates
                else {}
            ),
        },
    }
    return doc


def _operation_id(name: str) -> str:
    head, *rest = name.split("-")
    return "query" + head.capitalize() + "".join(w.capitalize() for w in rest)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("zonegraph")
    except Exception:  # not installed: running from a checkout
        return "0"


def service_description(kg: KnowledgeGraph, *, endpoint: str, updates: bool, limits: str) -> Graph:
    """The SPARQL 1.1 service description of the endpoint at *endpoint*."""
    g = bind_prefixes(Graph())
    g.bind("sd", SD)
    g.bind("void", VOID)
    g.bind("formats", FORMATS)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, DCT.title, Literal("zonegraph SPARQL endpoint", lang="en")))
    g.add(
        (
            service,
            RDFS.comment,
            Literal(
                "The default graph is the union of every named graph "
                "(the ontology and one graph per source). "
                "SERVICE, LOAD and FROM of graphs the store does not hold are refused. " + limits,
                lang="en",
            ),
        )
    )
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if updates:
        g.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    base = endpoint.removesuffix("/sparql")
    g.add((service, RDFS.seeAlso, URIRef(f"{base}{VOID_PATH}")))
    for fmt in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
        "TriG",
        "N-Quads",
    ):
        g.add((service, SD.resultFormat, FORMATS[fmt]))
    dataset = BNode()
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, VOID.triples, Literal(default_graph_size(kg))))
    for name in kg.graph_names():
        named, graph = BNode(), BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, name))
        g.add((named, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, VOID.triples, Literal(len(kg.store.graph(name)))))
    return g
