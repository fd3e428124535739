// Validate data graphs against SHACL shapes with shacl-engine (rdf-ext), a
// second SHACL engine beside pySHACL, and print the results as JSON.
//
//   node shacl.mjs SHAPES.ttl < jobs.json
//
// jobs.json is a list of {"name", "data"}: each data file is N-Triples or
// Turtle (by extension). SHACL-SPARQL constraints and SPARQL-based targets
// are enabled (shacl-engine/sparql.js). The output is a list of {"name", "conforms", "report"} where "report" is
// the SHACL validation report graph in N-Triples, or {"name", "error"}.
import { readFileSync } from 'node:fs'
import rdf from '@rdfjs/data-model'
import datasetFactory from '@rdfjs/dataset'
import { Parser, Writer } from 'n3'
import { Validator } from 'shacl-engine'
import { targetResolvers, validations } from 'shacl-engine/sparql.js'

// shacl-engine wants one factory for terms and datasets.
const factory = {
  namedNode: rdf.namedNode.bind(rdf),
  blankNode: rdf.blankNode.bind(rdf),
  literal: rdf.literal.bind(rdf),
  variable: rdf.variable.bind(rdf),
  defaultGraph: rdf.defaultGraph.bind(rdf),
  quad: rdf.quad.bind(rdf),
  dataset: datasetFactory.dataset.bind(datasetFactory)
}

function load (file) {
  const format = file.endsWith('.nt') ? 'N-Triples' : 'Turtle'
  return datasetFactory.dataset(new Parser({ format }).parse(readFileSync(file, 'utf8')))
}

const [shapesFile] = process.argv.slice(2)
const shapes = load(shapesFile)
const validator = new Validator(shapes, { factory, validations, targetResolvers })
const jobs = JSON.parse(readFileSync(0, 'utf8'))
const out = []
for (const job of jobs) {
  try {
    const report = await validator.validate({ dataset: load(job.data) })
    const nt = new Writer({ format: 'N-Triples' }).quadsToString([...report.dataset])
    out.push({ name: job.name, conforms: report.conforms, report: nt })
  } catch (err) {
    out.push({ name: job.name, error: String(err.stack || err) })
  }
}
process.stdout.write(JSON.stringify(out))
