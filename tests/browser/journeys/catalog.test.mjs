// The catalogue as a baker meets it: she uploads the spreadsheet she already has, fixes the
// column matching, confirms, and her products are on the public page.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ADMIN,
  exact,
  expectNoAxeViolations,
  journey,
  logIn,
  newPage,
  pathIs,
  readMailLink,
  registerByApi,
  withHalle,
} from '../lib/harness.mjs';

const TIMEOUT = { timeout: 120_000 };
const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.resolve(here, '../../../../shared/fixtures/catalogue-boulangerie-excel-fr.csv');

describe('catalogue', () => {
  let halle;
  let browser;

  withHalle((h, b) => {
    halle = h;
    browser = b;
  });

  test('a baker uploads her spreadsheet, fixes the mapping, confirms and sees her products', TIMEOUT, () =>
    journey('catalogue journey', halle, async () => {
      const baker = { email: 'lafont@test.example', password: 'le-pain-du-matin', display_name: 'Mme Lafont' };
      await registerByApi(halle.baseUrl, baker);
      const admin = await newPage(browser);
      await logIn(admin, halle.baseUrl, ADMIN.email, ADMIN.password);
      const confirm = await readMailLink(halle.baseUrl, baker.email, '/account/confirm?token=');

      // Her listing, approved by the moderator.
      const shop = await newPage(browser);
      await shop.goto(confirm);
      await logIn(shop, halle.baseUrl, baker.email, baker.password);
      await shop.goto(`${halle.baseUrl}/t/marguerittes/annuaire/proposer`);
      await shop.getByLabel('Nom', { exact: true }).fill('Boulangerie Lafont');
      await shop.getByRole('button', exact('Envoyer pour validation')).click();
      await shop.getByText('En attente de validation').first().waitFor();
      const listing = new URL(shop.url()).pathname;
      await admin.goto(`${halle.baseUrl}/t/marguerittes/moderation`);
      await admin.getByRole('article').filter({ hasText: 'Boulangerie Lafont' }).getByRole('button', { name: /^Valider/ }).click();
      await admin.getByText('La fiche est validée et publiée').waitFor();

      // The back-office, then the import.
      await shop.goto(`${halle.baseUrl}${listing}`);
      await shop.getByRole('link', exact('Gérer les produits')).click();
      await shop.waitForURL(pathIs(`${listing}/produits`));
      await expectNoAxeViolations(shop, 'empty product list');
      await shop.getByRole('link', exact('Importer mon tableur')).click();
      await expectNoAxeViolations(shop, 'import page');
      await shop.getByLabel('Tableur (CSV, XLSX ou ODS)').setInputFiles(FIXTURE);
      await shop.getByRole('button', exact('Prévisualiser l’import')).click();
      await shop.getByText('11 lignes valides, 5 lignes refusées.').waitFor();
      await expectNoAxeViolations(shop, 'preview');

      // She unmatches the price column by mistake, sees the problem, and fixes it.
      await shop.getByLabel('Prix TTC', { exact: true }).selectOption('');
      await shop.getByRole('button', exact('Actualiser l’aperçu')).click();
      await shop.getByRole('alert').filter({ hasText: 'Indiquez quelle colonne contient' }).waitFor();
      await expectNoAxeViolations(shop, 'mapping with a problem');
      await shop.getByLabel('Prix TTC', { exact: true }).selectOption('price');
      await shop.getByRole('button', exact('Actualiser l’aperçu')).click();
      await shop.getByText('11 lignes valides, 5 lignes refusées.').waitFor();
      const refusedRows = await shop.locator('.refused-rows tbody tr td:first-child').allTextContents();
      assert.deepEqual(refusedRows.map((r) => r.trim()), ['13', '14', '15', '16', '18']);
      await shop.getByRole('button', exact('Importer les 11 lignes valides')).click();
      await shop.getByText('Import terminé : 11 produits ajoutés').waitFor();
      await expectNoAxeViolations(shop, 'import done');

      // The public catalogue, as a resident sees it.
      const resident = await newPage(browser);
      await resident.goto(`${halle.baseUrl}${listing}`);
      await resident.getByRole('link', exact('Voir le catalogue')).click();
      await resident.waitForURL(pathIs(`${listing}/catalogue`));
      const card = resident.locator('.product-card').filter({ hasText: 'Baguette tradition' });
      await card.waitFor();
      assert.match((await card.textContent()).replace(/\s+/g, ' '), /1,20 € la pièce/);
      await expectNoAxeViolations(resident, 'public catalogue');
      await resident.getByLabel('Rechercher un produit').fill('croissant');
      await resident.getByRole('button', exact('Rechercher')).click();
      await resident.locator('.product-card').filter({ hasText: 'Croissant pur beurre' }).waitFor();
      assert.equal(await resident.locator('.product-card').count(), 1);

      // Back in the back-office, a quick price change on the phone.
      await shop.goto(`${halle.baseUrl}${listing}/produits`);
      await expectNoAxeViolations(shop, 'product list');
      const row = shop.locator('li.panel').filter({ hasText: 'Baguette tradition' });
      await row.getByLabel('Prix TTC (€)').fill('1,25');
      await row.getByRole('button', { name: /^Enregistrer/ }).click();
      await shop.getByText('Les modifications sont enregistrées.').waitFor();
      await row.getByRole('link', { name: /^Modifier/ }).click();
      await shop.getByRole('heading', { level: 1, name: 'Modifier le produit' }).waitFor();
      assert.equal(await shop.getByLabel('Référence', { exact: true }).inputValue(), 'PAIN-01');
      await expectNoAxeViolations(shop, 'product form');
      await resident.goto(`${halle.baseUrl}${listing}/catalogue?q=baguette`);
      assert.match((await resident.locator('.product-card').first().textContent()).replace(/\s+/g, ' '), /1,25 € la pièce/);
    }),
  );
});
