// The directory as people meet it: a merchant proposes a listing, a moderator approves it, a
// resident finds it by searching without accents and sees it on the map.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
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

describe('directory', () => {
  let halle;
  let browser;

  withHalle((h, b) => {
    halle = h;
    browser = b;
  });

  test('a merchant proposes a listing, a moderator approves it, a resident finds it and sees it on the map', TIMEOUT, () =>
    journey('directory journey', halle, async () => {
      const merchant = { email: 'epicerie@test.example', password: 'une-epicerie-solidaire', display_name: 'Nadia' };
      await registerByApi(halle.baseUrl, merchant);
      const admin = await newPage(browser);
      await logIn(admin, halle.baseUrl, ADMIN.email, ADMIN.password);
      const confirm = await readMailLink(halle.baseUrl, merchant.email, '/account/confirm?token=');

      // The merchant confirms the address, logs in and proposes the listing.
      const shop = await newPage(browser);
      await shop.goto(confirm);
      await logIn(shop, halle.baseUrl, merchant.email, merchant.password);
      await shop.goto(`${halle.baseUrl}/t/marguerittes/annuaire`);
      await expectNoAxeViolations(shop, 'empty directory');
      await shop.getByRole('link', exact('Inscrire ma structure')).click();
      await shop.waitForURL(pathIs('/t/marguerittes/annuaire/proposer'));
      await expectNoAxeViolations(shop, 'proposal form');
      await shop.getByLabel('Nom', { exact: true }).fill('Épicerie Solidaire');
      await shop.getByLabel('Type de structure').selectOption('merchant');
      await shop.getByLabel('Présentation').fill('Produits locaux en vrac.\n\nPaniers sur commande.');
      await shop.getByLabel('Commune ou ville').fill('Marguerittes');
      // The pin is placed by tapping the map, which writes the coordinates.
      await shop.getByText('Touchez la carte à l’endroit de votre boutique').waitFor();
      await shop.getByRole('region', exact('Carte pour placer la fiche')).click({ position: { x: 120, y: 90 } });
      assert.match(await shop.locator('#latitude').inputValue(), /^4\d,\d{5}$/);
      assert.match(await shop.locator('#longitude').inputValue(), /^\d,\d{5}$/);
      await shop.getByLabel('Retrait de commandes').check();
      await shop.getByLabel('Statut', { exact: true }).selectOption('pickup_only');
      await shop.getByLabel('Mardi, Première plage, ouverture').fill('08:30');
      await shop.getByLabel('Mardi, Première plage, fermeture').fill('12:30');
      await shop.getByRole('button', exact('Envoyer pour validation')).click();
      await shop.getByText('Merci ! Votre fiche a été envoyée aux animateurs').waitFor();
      await shop.getByText('En attente de validation').first().waitFor();
      await expectNoAxeViolations(shop, 'pending listing');
      const listing = new URL(shop.url()).pathname;

      // Not visible to residents yet.
      const resident = await newPage(browser);
      const hidden = await resident.goto(`${halle.baseUrl}${listing}`);
      assert.equal(hidden.status(), 404);

      // The moderator approves it from the queue.
      await admin.goto(`${halle.baseUrl}/t/marguerittes/moderation`);
      await expectNoAxeViolations(admin, 'moderation queue');
      const card = admin.getByRole('article').filter({ hasText: 'Épicerie Solidaire' });
      await card.getByRole('button', { name: /^Valider/ }).click();
      await admin.getByText('La fiche est validée et publiée').waitFor();
      await expectNoAxeViolations(admin, 'queue after approval');

      // A resident searches without accents from the home page.
      await resident.goto(`${halle.baseUrl}/`);
      await expectNoAxeViolations(resident, 'home with the directory entry');
      await resident.getByRole('searchbox', exact('Rechercher dans l’annuaire')).fill('epicerie solidaire');
      await resident.getByRole('button', exact('Rechercher')).click();
      await resident.waitForURL(pathIs('/t/marguerittes/annuaire'));
      const result = resident.getByRole('link', exact('Épicerie Solidaire'));
      await result.waitFor();
      await expectNoAxeViolations(resident, 'search results');
      await result.click();
      await resident.waitForURL(pathIs(listing));
      await resident.getByRole('heading', { level: 1, name: 'Épicerie Solidaire' }).waitFor();
      await resident.getByText('Retrait de commandes').first().waitFor();
      await expectNoAxeViolations(resident, 'business page');

      // ... and on the map.
      await resident.getByRole('link', exact('Voir sur la carte')).click();
      await resident.waitForURL(pathIs('/t/marguerittes/annuaire/carte'));
      await resident.locator('.leaflet-marker-icon[title="Épicerie Solidaire"]').waitFor();
      const entry = resident.locator('#directory-map-list li').filter({ hasText: 'Épicerie Solidaire' });
      await entry.waitFor();
      assert.match(await entry.textContent(), /Retrait uniquement/, 'the status is named in French, not by its code');
      await expectNoAxeViolations(resident, 'map page');
    }),
  );

  test('the directory works without JavaScript and its filters keep their values', TIMEOUT, () =>
    journey('directory without JavaScript', halle, async () => {
      const page = await newPage(browser, { javaScriptEnabled: false });
      await page.goto(`${halle.baseUrl}/t/marguerittes/annuaire?ouvert=1&statut=open`);
      assert.equal(await page.getByLabel('Ouvert maintenant').isChecked(), true);
      assert.equal(await page.getByLabel('Statut').inputValue(), 'open');
      await page.goto(`${halle.baseUrl}/t/marguerittes/annuaire/carte`);
      await page.getByText('La carte a besoin de JavaScript').waitFor();
      // axe needs JavaScript: the same filtered page is checked in a normal browser.
      const checked = await newPage(browser);
      await checked.goto(`${halle.baseUrl}/t/marguerittes/annuaire?ouvert=1&statut=open&q=rien`);
      await checked.getByText('Aucune structure ne correspond à cette recherche.').waitFor();
      await expectNoAxeViolations(checked, 'filtered directory with no result');
    }),
  );
});
