// The official DFC connector reads Halle's catalogue export: check.mjs on a sample written by
// catalog::dfc::catalog_to_jsonld (sample-catalog.jsonld, with what must come back in
// sample-expected.json), and check.mjs refusing a copy the connector would read wrongly.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const sample = path.join(here, 'sample-catalog.jsonld');
const expected = path.join(here, 'sample-expected.json');

function runCheck(file) {
  return spawnSync(process.execPath, [path.join(here, 'check.mjs'), file, expected], { encoding: 'utf8' });
}

test('the connector reads every product, price, unit and stock of the sample export', () => {
  const run = runCheck(sample);
  assert.equal(run.stderr, '');
  assert.equal(run.stdout.trim(), 'dfc check: 10 products ok');
  assert.equal(run.status, 0);
});

test('the check reports what the connector drops or reads differently', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'halle-dfc-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const text = await readFile(sample, 'utf8');
  const broken = text
    .replace('"@type": "dfc-b:Price"', '"@type": "dfc-b:Prix"')
    .replace('"dfc-b:hasUnit": "dfc-m:Kilogram"', '"dfc-b:hasUnit": "dfc-m:Kilo"')
    .replace('"dfc-b:stockLimitation": "12"', '"dfc-b:stockLimitation": "-1"');
  assert.notEqual(broken, text);
  const file = path.join(dir, 'broken.jsonld');
  await writeFile(file, broken);

  const run = runCheck(file);
  assert.equal(run.status, 1);
  assert.match(run.stdout, /dfc-b:Prix: 1 node\(s\) in the file, 0 imported by the connector/);
  assert.match(run.stdout, /product REF-PIECE: no offer with a price/);
  assert.match(run.stdout, /product REF-KG: unit: not a concept of the DFC taxonomies/);
  assert.match(run.stdout, /product REF-100G: stock unlimited, expected 12/);
});
