// Run one SPARQL SELECT query with Comunica over a document it dereferences itself
// (Comunica's own content negotiation, which prefers N-Quads), and print the rows'
// count as JSON: {"rows": N} or {"error": "..."}.
//
//   node query-url.mjs URL 'SELECT * WHERE { ?s ?p ?o }'
import { QueryEngine } from '@comunica/query-sparql'

const [url, query] = process.argv.slice(2)
try {
  const bindings = await (await new QueryEngine().queryBindings(query, { sources: [url] })).toArray()
  console.log(JSON.stringify({ rows: bindings.length }))
} catch (e) {
  console.log(JSON.stringify({ error: String(e) }))
}
