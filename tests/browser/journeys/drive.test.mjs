// The drive as a resident and a baker meet it: the resident fills a cart at two shops, takes the
// next slot at each, confirms and gets the email with the calendar file; the baker accepts the
// order, prints the picking list and marks it ready; the resident sees "ready". Then a visitor
// fills a cart, sees the slots before having an account, creates it from the checkout and comes
// back to the checkout, her cart and her slots kept, once she has confirmed her address.
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

const TIMEOUT = { timeout: 180_000 };

async function api(baseUrl, token, method, path, body) {
  const response = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function tokenOf(baseUrl, email, password) {
  const response = await fetch(`${baseUrl}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password, name: 'journey' }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()).token;
}

describe('drive', () => {
  let halle;
  let browser;

  withHalle((h, b) => {
    halle = h;
    browser = b;
  });

  test('a resident orders at two shops, the baker prepares, the resident sees "ready"', TIMEOUT, () =>
    journey('drive journey', halle, async () => {
      const base = halle.baseUrl;
      const baker = { email: 'lafont@test.example', password: 'le-pain-du-matin', display_name: 'Mme Lafont' };
      const resident = { email: 'jeanne@test.example', password: 'jeanne-du-village', display_name: 'Jeanne Martin' };
      await registerByApi(base, baker);
      await registerByApi(base, resident);
      const admin = await newPage(browser);
      await logIn(admin, base, ADMIN.email, ADMIN.password);
      const confirmBaker = await readMailLink(base, baker.email, '/account/confirm?token=');
      const confirmResident = await readMailLink(base, resident.email, '/account/confirm?token=');
      await admin.goto(confirmBaker);
      await admin.goto(confirmResident);

      // The two shops, their products and slots, set up through the API.
      const adminToken = await tokenOf(base, ADMIN.email, ADMIN.password);
      const bakerToken = await tokenOf(base, baker.email, baker.password);
      const bakery = await api(base, bakerToken, 'POST', '/territories/marguerittes/businesses', {
        name: 'Boulangerie Lafont', kind: 'artisan', click_and_collect: true,
      });
      await api(base, adminToken, 'POST', `/businesses/${bakery.id}/approve`);
      const farm = await api(base, adminToken, 'POST', '/territories/marguerittes/businesses', {
        name: 'Ferme des Garrigues', kind: 'producer', click_and_collect: true,
      });
      if (farm.state !== 'published') await api(base, adminToken, 'POST', `/businesses/${farm.id}/approve`);
      await api(base, bakerToken, 'POST', `/businesses/${bakery.id}/products`, {
        reference: 'PAIN-01', name: 'Baguette tradition', unit: 'piece', price_cents: 120, stock: 30,
      });
      await api(base, adminToken, 'POST', `/businesses/${farm.id}/products`, {
        reference: 'OEUFS-6', name: 'Œufs plein air', unit: 'box', price_cents: 350, stock: 12,
      });
      const farmPoint = await api(base, adminToken, 'POST', `/businesses/${farm.id}/pickup-points`, {
        name: 'Place du marché', address: 'Place de la Mairie',
      });
      await api(base, adminToken, 'POST', `/businesses/${farm.id}/slot-templates`, {
        pickup_point_id: farmPoint.id, weekdays: [1, 2, 3, 4, 5, 6, 7], start: '16:00', end: '19:00', slot_minutes: 60, capacity: 4,
      });

      // The baker sets her slots up on her phone: her shop, Tuesday to Saturday mornings.
      const shop = await newPage(browser);
      await logIn(shop, base, baker.email, baker.password);
      await shop.goto(`${base}/t/marguerittes/annuaire/${bakery.id}/drive/reglages`);
      await expectNoAxeViolations(shop, 'drive settings, empty');
      await shop.getByLabel('Nom du point de retrait').fill('La boutique');
      await shop.getByLabel('Adresse', { exact: true }).fill('3 rue de la Poste');
      await shop.getByRole('button', exact('Ajouter le point de retrait')).click();
      await shop.getByText('Point de retrait ajouté.').waitFor();
      for (const day of ['Lundi', 'Mardi', 'Mercredi', 'Jeudi', 'Vendredi', 'Samedi', 'Dimanche']) {
        await shop.getByRole('checkbox', exact(day)).check();
      }
      await shop.getByLabel('Début', { exact: true }).first().fill('07:00');
      await shop.getByLabel('Fin', { exact: true }).first().fill('21:00');
      await shop.getByRole('button', exact('Ajouter ces créneaux')).click();
      await shop.getByText('Créneaux ajoutés.').waitFor();
      await expectNoAxeViolations(shop, 'drive settings with slots');

      // The resident fills her cart at the two shops.
      const home = await newPage(browser);
      await logIn(home, base, resident.email, resident.password);
      await home.goto(`${base}/t/marguerittes/annuaire/${bakery.id}/catalogue`);
      const bread = home.locator('.product-card').filter({ hasText: 'Baguette tradition' });
      await bread.getByLabel('Quantité').fill('2');
      await bread.getByRole('button', { name: /^Ajouter au panier/ }).click();
      await bread.getByText('Ajouté ✓').waitFor();
      await expectNoAxeViolations(home, 'catalogue with the add-to-cart forms');
      await home.goto(`${base}/t/marguerittes/annuaire/${farm.id}/catalogue`);
      const eggs = home.locator('.product-card').filter({ hasText: 'Œufs plein air' });
      await eggs.getByRole('button', { name: /^Ajouter au panier/ }).click();
      await eggs.getByText('Ajouté ✓').waitFor();
      await home.getByRole('link', exact('Panier (3 articles)')).click();
      await home.getByRole('heading', { level: 2, name: 'Boulangerie Lafont' }).waitFor();
      assert.match((await home.locator('.big-number').textContent()).replace(/\s+/g, ' '), /5,90 €/);
      await expectNoAxeViolations(home, 'cart');

      // She takes the next available slot at each shop, one tap each, reviews, confirms.
      await home.getByRole('link', exact('Choisir mes créneaux')).click();
      await expectNoAxeViolations(home, 'slot picker');
      for (const name of ['Boulangerie Lafont', 'Ferme des Garrigues']) {
        const section = home.locator('section').filter({ has: home.getByRole('heading', { level: 2, name }) });
        const next = section.getByRole('radio', { name: /^Prochain retrait/ });
        await next.check();
        assert.ok(await next.isChecked(), `the next slot of ${name} is chosen`);
      }
      await home.getByRole('button', exact('Voir le récapitulatif')).click();
      await home.getByRole('heading', { level: 1, name: 'Récapitulatif de la commande' }).waitFor();
      await expectNoAxeViolations(home, 'summary');
      await home.getByRole('button', exact('Commander avec obligation de paiement')).click();
      await home.getByText('Merci, votre commande est confirmée !').waitFor();
      await expectNoAxeViolations(home, 'confirmation');
      assert.equal(await home.locator('.order-cards li').count(), 2);

      // The confirmation email carries the calendar file.
      await admin.goto(`${base}/admin/outbox`);
      await admin.locator('table tr').filter({ hasText: resident.email }).filter({ hasText: 'Boulangerie Lafont' })
        .locator('a[href*="/admin/outbox/"]').first().click();
      await admin.getByText(/commande-\d+\.ics/).waitFor();
      assert.match(await admin.locator('pre').textContent(), /2 × Baguette tradition/);

      // The baker signs in at the counter: her space shows the new order first; she accepts it,
      // prints the picking list, marks it ready.
      const counter = await newPage(browser);
      await logIn(counter, base, baker.email, baker.password);
      await counter.getByRole('heading', { level: 1, name: 'Mon espace' }).waitFor();
      await expectNoAxeViolations(counter, 'merchant space');
      const waiting = counter.getByRole('heading', { name: /^Commandes à accepter/ });
      assert.match(await waiting.textContent(), /Commandes à accepter : 1/);
      await counter.locator('.order-cards li').first().getByRole('link', { name: /Jeanne Martin/ }).click();
      await counter.getByRole('heading', { level: 1, name: /Boulangerie Lafont/ }).waitFor();
      await expectNoAxeViolations(counter, 'order for the merchant');
      await counter.getByRole('button', exact('Accepter')).click();
      await counter.getByText('État de la commande mis à jour.').waitFor();
      const orderUrl = counter.url();
      await counter.getByRole('link', exact('Liste de préparation de ce créneau')).click();
      await counter.getByRole('heading', { level: 1, name: /Liste de préparation/ }).waitFor();
      await counter.getByRole('button', exact('Imprimer')).waitFor();
      assert.match((await counter.locator('.picking-lines').first().textContent()).replace(/\s+/g, ' '), /2 × Baguette tradition/);
      await expectNoAxeViolations(counter, 'picking list');
      await counter.goto(orderUrl);
      await counter.getByRole('button', exact('Marquer prête')).click();
      await counter.getByText('État de la commande mis à jour.').waitFor();

      // The resident sees "ready".
      await home.goto(`${base}/mes-commandes`);
      const row = home.locator('.order-cards li').filter({ hasText: 'Boulangerie Lafont' });
      assert.match(await row.textContent(), /Prête/);
      await row.getByRole('link').click();
      await home.getByRole('status').filter({ hasText: 'Prête' }).waitFor();
      await expectNoAxeViolations(home, 'order page, ready');
    }),
  );
  test('a visitor picks her slots, creates her account from the checkout and comes back to it', TIMEOUT, () =>
    journey('visitor checkout journey', halle, async () => {
      const base = halle.baseUrl;
      const visitor = { email: 'nadia@test.example', password: 'nadia-du-marche', name: 'Nadia' };

      // Two shops open every day, set up through the API.
      const adminToken = await tokenOf(base, ADMIN.email, ADMIN.password);
      const shops = [];
      for (const [name, product, price] of [
        ['Fournil du Moulin', 'Pain de campagne', 310],
        ['Rucher des Garrigues', 'Miel de garrigue', 1050],
      ]) {
        const shop = await api(base, adminToken, 'POST', '/territories/marguerittes/businesses', {
          name, kind: 'artisan', click_and_collect: true,
        });
        if (shop.state !== 'published') await api(base, adminToken, 'POST', `/businesses/${shop.id}/approve`);
        await api(base, adminToken, 'POST', `/businesses/${shop.id}/products`, {
          reference: 'P-1', name: product, unit: 'piece', price_cents: price, stock: 20,
        });
        const point = await api(base, adminToken, 'POST', `/businesses/${shop.id}/pickup-points`, {
          name: 'Au magasin', address: 'Grand-Rue',
        });
        await api(base, adminToken, 'POST', `/businesses/${shop.id}/slot-templates`, {
          pickup_point_id: point.id, weekdays: [1, 2, 3, 4, 5, 6, 7], start: '08:00', end: '20:00', slot_minutes: 30, capacity: 4,
        });
        shops.push({ ...shop, product });
      }

      // A visitor, not signed in, fills her cart at both shops.
      const page = await newPage(browser);
      for (const shop of shops) {
        await page.goto(`${base}/t/marguerittes/annuaire/${shop.id}/catalogue`);
        const card = page.locator('.product-card').filter({ hasText: shop.product });
        await card.getByRole('button', { name: /^Ajouter au panier/ }).click();
        await card.getByText('Ajouté ✓').waitFor();
      }
      await page.goto(`${base}/panier`);
      await page.getByRole('link', exact('Choisir mes créneaux')).click();
      await page.waitForURL(pathIs('/panier/commande'));
      await expectNoAxeViolations(page, 'slot picker for a visitor');

      // At the bakery, the next slot in one tap; at the beekeeper, a time in the days after.
      const section = (name) => page.locator('section').filter({ has: page.getByRole('heading', { level: 2, name }) });
      await section('Fournil du Moulin').getByRole('radio', { name: /^Prochain retrait/ }).check();
      const honey = section('Rucher des Garrigues');
      await honey.getByRole('button', exact('Voir plus de jours')).click();
      await honey.getByRole('button', exact('Jours précédents')).waitFor();
      assert.equal(new URL(page.url()).pathname, '/panier/commande', 'htmx swapped only that shop\'s days');
      assert.ok(await honey.locator('.picker').evaluate((picker) => picker.contains(document.activeElement)), 'focus stays in the picker');
      const day = honey.locator('details.day').nth(1);
      await day.locator('summary').click();
      const time = day.getByRole('radio').first();
      const chosenTime = await time.getAttribute('value');
      await time.check();
      await expectNoAxeViolations(page, 'slot picker, second week');

      // Ordering asks her to sign in or create her account; she creates it.
      await page.getByRole('button', exact('Commander')).click();
      await page.waitForURL(pathIs('/login'));
      await page.getByRole('status').filter({ hasText: 'créez votre compte' }).waitFor();
      await expectNoAxeViolations(page, 'login asked before ordering');
      await page.getByRole('main').getByRole('link', exact('Créer un compte')).click();
      await page.waitForURL(pathIs('/register'));
      await page.getByLabel(/^Adresse e-mail/).fill(visitor.email);
      await page.getByLabel(/^Nom affiché/).fill(visitor.name);
      await page.getByLabel(/^Mot de passe/).fill(visitor.password);
      await page.getByRole('button', exact('Créer mon compte')).click();
      await page.getByRole('heading', { level: 1, ...exact('Vérifiez votre boîte mail') }).waitFor();

      // She confirms her address from the mail, signs in, and is back at the checkout.
      await page.goto(await readMailLink(base, visitor.email, '/account/confirm?'));
      await page.getByRole('heading', { level: 1, ...exact('Adresse confirmée') }).waitFor();
      await expectNoAxeViolations(page, 'address confirmed, on the way to the checkout');
      await page.getByRole('main').getByRole('link', exact('Se connecter')).click();
      await page.getByLabel(/^Adresse e-mail/).fill(visitor.email);
      await page.getByLabel(/^Mot de passe/).fill(visitor.password);
      await page.getByRole('button', exact('Se connecter')).click();
      await page.waitForURL(pathIs('/panier/commande'));
      await page.getByRole('heading', { level: 2, name: 'Fournil du Moulin' }).waitFor();
      assert.ok(await section('Fournil du Moulin').getByRole('radio', { name: /^Prochain retrait/ }).isChecked());
      assert.ok(await page.locator(`input[name="slot_${shops[1].id}"][value="${chosenTime}"]`).isChecked(), 'her slot at the beekeeper is kept');
      await expectNoAxeViolations(page, 'checkout after signing up');

      // And orders.
      await page.getByRole('button', exact('Voir le récapitulatif')).click();
      await page.getByRole('heading', { level: 1, name: 'Récapitulatif de la commande' }).waitFor();
      await page.getByRole('button', exact('Commander avec obligation de paiement')).click();
      await page.getByText('Merci, votre commande est confirmée !').waitFor();
    }),
  );
});
