// Build the committed front-end output.
//
//   npm run build            everything below
//   npm run build -- css     only one step (css | js | assets | vendor)
//
// Writes (and only these; other files in static/ are left alone):
//   static/css/app.css                       scss/app.scss compiled, compressed
//   static/js/app.js                         copy of js/app.js
//   static/js/govuk-frontend.min.js(.map)    GOV.UK Frontend ES module bundle
//   static/js/accessible-autocomplete.min.js(.map) GOV.UK's accessible-autocomplete
//                                            (the owner filter's type-ahead)
//   static/assets/                           GOV.UK Frontend images + manifest
//                                            (no fonts) and MOJ's timeline icon
//   ../tests/browser/vendor/axe.min.js       axe-core, for accessibility tests
//
// Finally it checks that app.css loads nothing from outside and that every
// url() in it points at a file that exists in static/.

import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as sass from 'sass'

const here = path.dirname(fileURLToPath(import.meta.url))
const repo = path.resolve(here, '..')
const staticDir = path.join(repo, 'static')
const nm = path.join(here, 'node_modules')
const govuk = path.join(nm, 'govuk-frontend', 'dist', 'govuk')
const moj = path.join(nm, '@ministryofjustice', 'frontend', 'moj')

function rel (p) {
  return path.relative(repo, p)
}

function copy (from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true })
  fs.copyFileSync(from, to)
  console.log(`  ${rel(to)}`)
}

function css () {
  const out = path.join(staticDir, 'css', 'app.css')
  const result = sass.compile(path.join(here, 'scss', 'app.scss'), {
    style: 'compressed',
    sourceMap: false,
    // MOJ Frontend's Sass loads "node_modules/govuk-frontend/..." so the
    // frontend/ folder itself must be a load path.
    loadPaths: [here],
    // GOV.UK Frontend 5 still uses @import etc. internally: keep its
    // deprecation notices out of the output; our own file still warns.
    quietDeps: true,
    silenceDeprecations: ['import']
  })
  fs.mkdirSync(path.dirname(out), { recursive: true })
  fs.writeFileSync(out, result.css + '\n')
  console.log(`  ${rel(out)}`)
}

function js () {
  copy(path.join(here, 'js', 'app.js'), path.join(staticDir, 'js', 'app.js'))
  for (const name of ['govuk-frontend.min.js', 'govuk-frontend.min.js.map']) {
    copy(path.join(govuk, name), path.join(staticDir, 'js', name))
  }
  for (const name of ['accessible-autocomplete.min.js', 'accessible-autocomplete.min.js.map']) {
    copy(path.join(nm, 'accessible-autocomplete', 'dist', name), path.join(staticDir, 'js', name))
  }
}

function assets () {
  const dest = path.join(staticDir, 'assets')
  // static/assets/ is wholly generated: start clean so nothing stale lingers.
  fs.rmSync(dest, { recursive: true, force: true })
  copy(path.join(govuk, 'assets', 'manifest.json'), path.join(dest, 'manifest.json'))
  // Images only: fonts/ (GDS Transport, licensed for GOV.UK only) and
  // rebrand/ (new GOV.UK brand) are deliberately not copied.
  const images = path.join(govuk, 'assets', 'images')
  for (const name of fs.readdirSync(images).sort()) {
    copy(path.join(images, name), path.join(dest, 'images', name))
  }
  // Used by .moj-timeline__documents-link.
  copy(path.join(moj, 'assets', 'images', 'icon-document.svg'),
    path.join(dest, 'images', 'icon-document.svg'))
}

function vendor () {
  // The file carries axe-core's MPL-2.0 notice in its header comment.
  copy(path.join(nm, 'axe-core', 'axe.min.js'),
    path.join(repo, 'tests', 'browser', 'vendor', 'axe.min.js'))
}

function check () {
  const file = path.join(staticDir, 'css', 'app.css')
  const text = fs.readFileSync(file, 'utf8')
  const problems = []
  if (/GDS Transport/i.test(text)) problems.push('mentions "GDS Transport"')
  if (/@font-face/i.test(text)) problems.push('has an @font-face rule')
  if (/@import/i.test(text)) problems.push('has an @import rule')
  for (const match of text.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
    const url = match[1]
    if (url.startsWith('data:')) continue
    if (/^([a-z]+:)?\/\//i.test(url)) {
      problems.push(`loads from outside: ${url}`)
    } else if (!fs.existsSync(path.join(path.dirname(file), url.split(/[?#]/)[0]))) {
      problems.push(`url() to a missing file: ${url}`)
    }
  }
  if (problems.length) {
    console.error(`${rel(file)}:\n  ${problems.join('\n  ')}`)
    process.exit(1)
  }
  console.log(`  checked ${rel(file)}: no outside URLs, no fonts, all url()s resolve`)
}

const steps = { css, js, assets, vendor }
const wanted = process.argv.slice(2)
for (const name of wanted.length ? wanted : Object.keys(steps)) {
  if (!steps[name]) {
    console.error(`unknown step "${name}" (known: ${Object.keys(steps).join(', ')})`)
    process.exit(2)
  }
  console.log(`${name}:`)
  steps[name]()
}
if (fs.existsSync(path.join(staticDir, 'css', 'app.css'))) check()
