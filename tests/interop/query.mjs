// Run SPARQL SELECT queries with Comunica over an N-Quads file and print the
// rows as JSON.
//
//   node query.mjs DATA.nq < queries.json
//
// queries.json is a list of {"name", "query", "bindings"}; "bindings" maps a
// variable name to an RDF term written in N-Triples syntax (<iri>, "lit"^^<dt>,
// "lit"@lang), substituted by Comunica's initial bindings (the semantics of
// rdflib's initBindings and Oxigraph's substitutions; a VALUES block would
// not reach into the query's inner groups).
// The default graph is the union of the named graphs, as in zonegraph's own
// stores. The output is a list of {"name", "vars", "rows"} where each row maps
// a variable to {"type", "value", "datatype"?, "lang"?}; or {"name", "error"}.
import { readFileSync } from 'node:fs'
import { Parser, Store } from 'n3'
import { QueryEngine } from '@comunica/query-sparql'
import { BindingsFactory } from '@comunica/utils-bindings-factory'
import { DataFactory } from 'rdf-data-factory'

const [dataFile] = process.argv.slice(2)
const store = new Store(new Parser({ format: 'N-Quads' }).parse(readFileSync(dataFile, 'utf8')))
const jobs = JSON.parse(readFileSync(0, 'utf8'))
const engine = new QueryEngine()
const factory = new DataFactory()
const bindingsFactory = new BindingsFactory(factory)

function term (text) {
  // One RDF term in N-Triples syntax, parsed by N3.js as the object of a triple.
  const [quad] = new Parser({ format: 'N-Triples' }).parse(`<urn:s> <urn:p> ${text} .`)
  return quad.object
}

function json (t) {
  if (t.termType === 'NamedNode') return { type: 'uri', value: t.value }
  if (t.termType === 'BlankNode') return { type: 'bnode', value: t.value }
  const out = { type: 'literal', value: t.value }
  if (t.language) out.lang = t.language
  else out.datatype = t.datatype.value
  return out
}

const results = []
for (const job of jobs) {
  const started = performance.now()
  try {
    const initialBindings = bindingsFactory.bindings(
      Object.entries(job.bindings || {}).map(([name, value]) => [factory.variable(name), term(value)]))
    const query = await engine.query(job.query, { sources: [store], unionDefaultGraph: true, initialBindings })
    const vars = (await query.metadata()).variables.map(v => (v.variable || v).value)
    const stream = await query.execute()
    const rows = []
    // Each query gets a budget (QUERY_BUDGET_MS, default 60 s): Comunica evaluates some
    // property paths inside OPTIONAL over the whole graph, which can take minutes; the
    // stream is destroyed then, so that it stops working, and the job says so.
    const budget = Number(process.env.QUERY_BUDGET_MS || 60000)
    const outcome = await new Promise((resolve) => {
      const timer = setTimeout(() => { stream.destroy(); resolve('timeout') }, budget)
      stream.on('data', (bindings) => {
        const row = {}
        for (const [variable, value] of bindings) row[variable.value] = json(value)
        rows.push(row)
      })
      stream.on('end', () => { clearTimeout(timer); resolve('end') })
      stream.on('error', (err) => { clearTimeout(timer); resolve(err) })
    })
    if (outcome === 'timeout') {
      results.push({ name: job.name, timeout: budget / 1000 })
    } else if (outcome !== 'end') {
      throw outcome
    } else {
      results.push({ name: job.name, vars, rows, ms: Math.round(performance.now() - started) })
    }
  } catch (err) {
    results.push({ name: job.name, error: String(err.message || err) })
  }
}
process.stdout.write(JSON.stringify(results))
