#!/usr/bin/env node
// Checks a DFC catalogue with the official Data Food Consortium connector, offline.
//
//   node tests/dfc/check.mjs <catalog.jsonld> <expected.json>
//
// expected.json lists the products that must come back:
//   [{ "reference": "REF-1", "name": "…", "price": 1.2, "unit": "dfc-m:Kilogram", "stock": 3 | null,
//      "quantity": 1 (optional) }]
// The connector drops nodes of unknown types and misspelled properties without a word, so this
// also counts the nodes of each type in the file (with jsonld.js) and compares them with what
// the connector imported, and resolves every unit, product type, certification and allergen in
// the DFC taxonomies. Exit 0 and "dfc check: N products ok", or every mismatch and exit 1.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Connector, ConnectorImporterJsonldStream } from '@datafoodconsortium/connector';
import context from '@datafoodconsortium/connector/lib/context.js';
import jsonld from 'jsonld';

const here = path.dirname(fileURLToPath(import.meta.url));
// The repository's sibling shared/ folder: <repo>/../shared/dfc/taxonomies.
const taxonomies = process.env.DFC_TAXONOMIES ?? path.resolve(here, '../../../shared/dfc/taxonomies');

const DFC_B = 'https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#';
const DFC_M = 'https://github.com/datafoodconsortium/taxonomies/releases/latest/download/measures.rdf#';
const PREFIXES = { 'dfc-b:': DFC_B, 'dfc-m:': DFC_M };

/** A full IRI from `dfc-b:Name`/`dfc-m:Name`, or the IRI itself. */
function full(name) {
  for (const [prefix, namespace] of Object.entries(PREFIXES)) {
    if (name.startsWith(prefix)) return namespace + name.slice(prefix.length);
  }
  return name;
}

/** `dfc-b:Name` for a full IRI in the business ontology or the measures, else the IRI. */
function short(iri) {
  for (const [prefix, namespace] of Object.entries(PREFIXES)) {
    if (iri.startsWith(namespace)) return prefix + iri.slice(namespace.length);
  }
  return iri;
}

/** Every context URL is answered with the context bundled in the connector: no network. */
const offlineLoader = {
  async load() {
    return { '@context': context };
  },
};

async function offlineConnector() {
  const connector = new Connector();
  connector.setDefaultFetchFunction(async () => new Response(null, { status: 404 }));
  connector.setDefaultImporter(new ConnectorImporterJsonldStream({ context, documentLoader: offlineLoader }));
  const load = (name) => readFile(path.join(taxonomies, `${name}.json`), 'utf8');
  await connector.loadMeasures(await load('measures'));
  await connector.loadFacets(await load('facets'));
  await connector.loadProductTypes(await load('productTypes'));
  await connector.loadVocabulary(await load('vocabulary'));
  return connector;
}

/** How many nodes of each type the document holds, embedded and anonymous ones included. */
async function countTypesInFile(document) {
  const documentLoader = async (url) => ({ contextUrl: null, documentUrl: url, document: { '@context': context } });
  const flat = await jsonld.flatten(document, null, { documentLoader });
  const counts = new Map();
  for (const node of flat) {
    for (const type of [node['@type'] ?? []].flat()) counts.set(short(type), (counts.get(short(type)) ?? 0) + 1);
  }
  return counts;
}

/** How many nodes of each type the connector gives back, following its getters for anonymous ones. */
async function countTypesImported(objects) {
  const counts = new Map();
  // A getter throws when an anonymous node has a type the connector does not know: none counted.
  const add = async (getter) => {
    const found = await Promise.resolve().then(getter).catch(() => undefined);
    for (const object of [found ?? []].flat()) {
      const type = short(full(object.getSemanticType()));
      counts.set(type, (counts.get(type) ?? 0) + 1);
    }
  };
  for (const object of objects) {
    await add(() => object);
    if (object.isSemanticTypeOf(full('dfc-b:Offer'))) await add(() => object.getPrice());
    if (object.isSemanticTypeOf(full('dfc-b:SuppliedProduct'))) {
      await add(() => object.getQuantity());
      await add(() => object.getAllergenCharacteristics());
      await add(() => object.getNutrientCharacteristics());
      await add(() => object.getPhysicalCharacteristics());
    }
  }
  return counts;
}

/** The id of a taxonomy concept a getter resolves, or a mismatch when it is not in the taxonomies. */
async function concept(getter, what, problems) {
  try {
    const found = await getter();
    if (!found) problems.push(`${what}: missing`);
    return found ? short(found.getSemanticId()) : undefined;
  } catch (status) {
    problems.push(`${what}: not a concept of the DFC taxonomies (${status})`);
    return undefined;
  }
}

const sameNumber = (a, b) => Number(a) === Number(b);

/** What a synchronous getter returns, or undefined when it throws (an anonymous node of unknown type). */
function attempt(getter) {
  try {
    return getter();
  } catch {
    return undefined;
  }
}

async function checkProduct(item, want, problems) {
  const where = `product ${want.reference}`;
  const product = await item.getOfferedProduct().catch(() => undefined);
  if (!product) return problems.push(`${where}: its catalog item references no supplied product`);
  if (product.getName() !== want.name) problems.push(`${where}: name ${JSON.stringify(product.getName())}, expected ${JSON.stringify(want.name)}`);

  const offers = await item.getOfferers().catch(() => []);
  const price = offers.map((offer) => attempt(() => offer.getPrice())).find(Boolean);
  if (!price) problems.push(`${where}: no offer with a price`);
  else {
    if (!sameNumber(price.getQuantityValue(), want.price)) problems.push(`${where}: price ${price.getQuantityValue()}, expected ${want.price}`);
    const currency = await concept(() => price.getQuantityUnit(), `${where}: price unit`, problems);
    if (currency && currency !== 'dfc-m:Euro') problems.push(`${where}: price in ${currency}, expected dfc-m:Euro`);
  }

  const quantity = attempt(() => product.getQuantity());
  if (!quantity) problems.push(`${where}: no quantity (dfc-b:hasQuantity)`);
  else {
    const unit = await concept(() => quantity.getQuantityUnit(), `${where}: unit`, problems);
    if (unit && unit !== want.unit) problems.push(`${where}: unit ${unit}, expected ${want.unit}`);
    if (want.quantity !== undefined && !sameNumber(quantity.getQuantityValue(), want.quantity)) {
      problems.push(`${where}: quantity ${quantity.getQuantityValue()}, expected ${want.quantity}`);
    }
  }

  const limitation = item.getStockLimitation();
  const stock = Number.isFinite(limitation) && limitation >= 0 ? limitation : null;
  if (stock !== want.stock) problems.push(`${where}: stock ${stock ?? 'unlimited'}, expected ${want.stock ?? 'unlimited'}`);

  if (product.getSemanticProperty(full('dfc-b:hasType'))) await concept(() => product.getProductType(), `${where}: product type`, problems);
  await product.getCertifications().catch((status) => problems.push(`${where}: a certification is not in the DFC facets (${status})`));
  for (const allergen of await product.getAllergenCharacteristics().catch(() => [])) {
    await concept(() => allergen.getQuantityDimension(), `${where}: allergen`, problems);
  }
}

/** Checks a catalogue text against the expected products; returns the mismatches. */
export async function check(text, expected) {
  const problems = [];
  const document = JSON.parse(text);
  const connector = await offlineConnector();
  const objects = await connector.import(text);

  const inFile = await countTypesInFile(document);
  const imported = await countTypesImported(objects);
  for (const type of new Set([...inFile.keys(), ...imported.keys()])) {
    const [n, m] = [inFile.get(type) ?? 0, imported.get(type) ?? 0];
    if (n !== m) problems.push(`${type}: ${n} node(s) in the file, ${m} imported by the connector`);
  }

  const items = objects.filter((o) => o.isSemanticTypeOf(full('dfc-b:CatalogItem')));
  for (const want of expected) {
    const matching = items.filter((item) => item.getSku() === want.reference);
    if (matching.length !== 1) problems.push(`product ${want.reference}: ${matching.length} catalog items with this sku, expected 1`);
    else await checkProduct(matching[0], want, problems);
  }
  const references = new Set(expected.map((want) => want.reference));
  for (const item of items.filter((item) => !references.has(item.getSku()))) {
    problems.push(`catalog item ${item.getSemanticId()} (sku ${JSON.stringify(item.getSku())}) is not expected`);
  }
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [file, expectedFile] = process.argv.slice(2);
  if (!file || !expectedFile) {
    console.error('usage: node tests/dfc/check.mjs <catalog.jsonld> <expected.json>');
    process.exit(2);
  }
  const expected = JSON.parse(await readFile(expectedFile, 'utf8'));
  const problems = await check(await readFile(file, 'utf8'), expected).catch((error) => [`cannot read ${file}: ${error.message ?? error}`]);
  if (problems.length > 0) {
    for (const problem of problems) console.log(`dfc check: ${problem}`);
    process.exit(1);
  }
  console.log(`dfc check: ${expected.length} products ok`);
}
