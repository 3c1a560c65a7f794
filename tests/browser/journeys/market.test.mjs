// The market as a resident meets it on her phone, on the demo territory: from the home page she
// searches "oeufs", adds eggs from a shop, searches "baguette", adds bread from the bakery, sees
// her cart's count go up without leaving the page, and opens her cart.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectNoAxeViolations, journey, newPage, pathIs, withHalle } from '../lib/harness.mjs';

const TIMEOUT = { timeout: 120_000 };

describe('market', () => {
  let halle;
  let browser;

  withHalle(
    (h, b) => {
      halle = h;
      browser = b;
    },
    { demo: true },
  );

  test('a resident finds eggs and bread in two shops from the home page and fills her cart', TIMEOUT, () =>
    journey('market journey', halle, async () => {
      const page = await newPage(browser);
      await page.goto(`${halle.baseUrl}/`);
      await expectNoAxeViolations(page, 'home page');

      // The search box is on the first screen, before any scrolling.
      const search = page.getByRole('search').filter({ has: page.getByLabel('Chercher un produit') });
      const box = await search.boundingBox();
      assert.ok(box && box.y + box.height <= 844, `the market's search box is on the first screen (${JSON.stringify(box)})`);
      await search.getByLabel('Chercher un produit').fill('oeufs');
      await search.getByRole('button', { name: 'Rechercher' }).click();
      await page.waitForURL(pathIs('/t/marguerittes/marche'));
      await page.getByRole('heading', { level: 1, name: 'Le marché' }).waitFor();

      // Eggs, from more than one shop, each card naming its shop and its price.
      const cards = page.locator('.product-card');
      const eggs = cards.filter({ has: page.getByRole('heading', { level: 3, name: /^Œufs/ }) });
      assert.ok((await eggs.count()) >= 2, 'eggs are found though the search was typed without the œ');
      const shops = new Set(await eggs.locator('.shop a').allTextContents());
      assert.ok(shops.size >= 2, `eggs from several shops: ${[...shops].join(', ')}`);
      await expectNoAxeViolations(page, 'market: eggs');

      const fromGrocer = eggs.filter({ hasText: 'Épicerie du Village' });
      assert.match(await fromGrocer.locator('.price').innerText(), /^\d+,\d\d\s€ la boîte$/);
      await fromGrocer.getByRole('button', { name: /^Ajouter au panier/ }).click();
      await fromGrocer.getByText('Ajouté ✓').waitFor();
      // The header's cart link counts it: "Panier (1)", read "Panier (1 article)".
      const cartLink = page.getByRole('link', { name: 'Panier (1 article)' });
      await cartLink.waitFor();
      assert.equal(await cartLink.getAttribute('href'), '/panier');
      assert.equal(new URL(page.url()).searchParams.get('q'), 'oeufs', 'the page stayed where it was');
      await expectNoAxeViolations(page, 'market: eggs added');

      // Then bread, from the bakery, two of them.
      const again = page.getByRole('search');
      await again.getByLabel('Chercher un produit').fill('baguette');
      await again.getByRole('button', { name: 'Rechercher' }).click();
      await page.waitForURL((url) => url.searchParams.get('q') === 'baguette');
      const bread = cards.filter({ hasText: 'Baguette tradition' }).filter({ hasText: 'Boulangerie Lafont' });
      await bread.getByLabel('Quantité').fill('2');
      const quantity = await bread.getByLabel('Quantité').boundingBox();
      assert.ok(quantity.height >= 44, `the quantity field is finger-sized (${quantity.height}px)`);
      await bread.getByRole('button', { name: /^Ajouter au panier/ }).click();
      await bread.getByText('Ajouté ✓').waitFor();
      await page.getByRole('link', { name: 'Panier (3 articles)' }).waitFor();
      await expectNoAxeViolations(page, 'market: bread added');

      // The cart holds both shops' products.
      await page.getByRole('link', { name: /^Panier/ }).click();
      await page.waitForURL(pathIs('/panier'));
      await page.getByRole('heading', { level: 2, name: 'Épicerie du Village' }).waitFor();
      await page.getByRole('heading', { level: 2, name: 'Boulangerie Lafont' }).waitFor();
      await expectNoAxeViolations(page, 'cart with two shops');
    }),
  );
});
