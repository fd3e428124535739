// Parse an RDF file with N3.js and print its quads as N-Quads.
//
//   node parse.mjs FORMAT FILE      FORMAT: turtle | ntriples | trig | nquads
//
// The zonegraph test suite compares what N3.js reads with what other parsers
// read (tests/test_interop.py). Exit 0 on success, 2 on a parse error.
import { readFileSync } from 'node:fs'
import { Parser, Writer } from 'n3'

const FORMATS = { turtle: 'Turtle', ntriples: 'N-Triples', trig: 'TriG', nquads: 'N-Quads' }
const [format, file] = process.argv.slice(2)
if (!FORMATS[format] || !file) {
  console.error('usage: node parse.mjs turtle|ntriples|trig|nquads FILE')
  process.exit(2)
}
try {
  const quads = new Parser({ format: FORMATS[format] }).parse(readFileSync(file, 'utf8'))
  const writer = new Writer({ format: 'N-Quads' })
  process.stdout.write(writer.quadsToString(quads))
} catch (err) {
  console.error(`${file}: ${err.message}`)
  process.exit(2)
}
