// Mutual aid as people meet it: a volunteer driver offers transport; a care home searches
// "transport" within 10 km, finds the ad and writes; the volunteer replies; the care home sees
// the reply appear in the open conversation (live with JavaScript) and after a reload. The
// driver finds the message by the unread badge on the menu's "Messages" link.
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

describe('mutual aid', () => {
  let halle;
  let browser;

  withHalle((h, b) => {
    halle = h;
    browser = b;
  });

  test('a driver offers transport, a care home finds it within 10 km and writes, the driver replies', TIMEOUT, () =>
    journey('aid journey', halle, async () => {
      const driver = { email: 'karim@test.example', password: 'je-conduis-le-mardi', display_name: 'Karim' };
      const home = { email: 'ehpad@test.example', password: 'les-oliviers-ehpad', display_name: 'EHPAD Les Oliviers' };
      await registerByApi(halle.baseUrl, driver);
      await registerByApi(halle.baseUrl, home);

      // The admin gives the territory its commune, and reads the confirmation links.
      const admin = await newPage(browser);
      await logIn(admin, halle.baseUrl, ADMIN.email, ADMIN.password);
      await admin.goto(`${halle.baseUrl}/admin/territories/marguerittes`);
      await admin.getByLabel('Nom', { exact: true }).fill('Marguerittes');
      await admin.getByLabel('Code INSEE', { exact: true }).fill('30156');
      await admin.getByLabel('Code postal', { exact: true }).fill('30320');
      await admin.getByLabel('Latitude', { exact: true }).fill('43,8601');
      await admin.getByLabel('Longitude', { exact: true }).fill('4,4432');
      await admin.getByRole('button', exact('Ajouter la commune')).click();
      await admin.getByRole('table', exact('Communes')).getByText('Marguerittes').waitFor();
      const confirmDriver = await readMailLink(halle.baseUrl, driver.email, '/account/confirm?token=');
      const confirmHome = await readMailLink(halle.baseUrl, home.email, '/account/confirm?token=');

      // The driver posts an offer of transport.
      const karim = await newPage(browser);
      await karim.goto(confirmDriver);
      await logIn(karim, halle.baseUrl, driver.email, driver.password);
      await karim.goto(`${halle.baseUrl}/t/marguerittes/entraide`);
      await expectNoAxeViolations(karim, 'empty mutual aid search');
      await karim.getByRole('link', exact('Publier une annonce')).click();
      await karim.waitForURL(pathIs('/t/marguerittes/entraide/publier'));
      await expectNoAxeViolations(karim, 'ad form');
      // A mistake first: the form comes back with a French error and what was typed.
      await karim.getByLabel('Titre').fill('Transport vers Nîmes le mardi');
      await karim.getByRole('button', exact('Publier l’annonce')).click();
      await karim.getByRole('alert').getByText('Choisissez un domaine dans la liste.').waitFor();
      assert.equal(await karim.getByLabel('Titre').inputValue(), 'Transport vers Nîmes le mardi');
      await expectNoAxeViolations(karim, 'ad form with errors');
      await karim.getByLabel('Offre', { exact: true }).check();
      await karim.getByLabel('Domaine').selectOption('transport');
      await karim.getByLabel('Description').fill('Voiture 5 places.\n\nRendez-vous médicaux, marché, visites.');
      await karim.getByLabel('Commune', { exact: true }).selectOption({ label: 'Marguerittes' });
      await karim.getByRole('button', exact('Publier l’annonce')).click();
      await karim.getByText('Votre annonce est publiée.').waitFor();
      await expectNoAxeViolations(karim, 'published ad, seen by its author');

      // The care home searches "transport" within 10 km of Marguerittes.
      const ehpad = await newPage(browser);
      await ehpad.goto(confirmHome);
      await logIn(ehpad, halle.baseUrl, home.email, home.password);
      await ehpad.goto(`${halle.baseUrl}/t/marguerittes`);
      await ehpad.getByRole('link', exact('Entraide : offres et demandes d’aide')).click();
      await ehpad.waitForURL(pathIs('/t/marguerittes/entraide'));
      await ehpad.getByRole('searchbox', exact('Rechercher une annonce')).fill('transport');
      await ehpad.getByLabel('Autour de').selectOption({ label: 'Marguerittes' });
      await ehpad.getByLabel('Distance').selectOption({ label: 'À moins de 10 km' });
      await ehpad.getByRole('button', exact('Rechercher')).click();
      await ehpad.waitForURL((url) => url.searchParams.get('rayon') === '10');
      await expectNoAxeViolations(ehpad, 'search results');
      await ehpad.getByRole('link', exact('Transport vers Nîmes le mardi')).click();
      await expectNoAxeViolations(ehpad, 'ad page with the contact form');
      await ehpad.getByLabel('Votre message').fill('Bonjour, deux résidents ont rendez-vous à Nîmes mardi. Seriez-vous disponible ?');
      await ehpad.getByRole('button', exact('Envoyer le message')).click();
      await ehpad.waitForURL((url) => url.pathname.startsWith('/messages/'));
      await ehpad.getByText('Votre message est envoyé.').waitFor();
      await expectNoAxeViolations(ehpad, 'conversation, first message');
      const conversation = new URL(ehpad.url()).pathname;

      // The driver sees the badge on "Messages" in the menu, opens the list and replies.
      await karim.reload();
      await karim.getByRole('link', exact('Messages (1 conversation non lue)')).click();
      await karim.waitForURL(pathIs('/messages'));
      await karim.getByText('1 message non lu', { exact: true }).waitFor();
      await expectNoAxeViolations(karim, 'conversations list');
      await karim.getByRole('link', exact('EHPAD Les Oliviers')).click();
      await karim.waitForURL(pathIs(conversation));
      // Read now: the menu's link has no count any more.
      await karim.getByRole('link', exact('Messages')).waitFor();
      await karim.getByText('Seriez-vous disponible ?', { exact: false }).waitFor();
      await karim.getByLabel('Votre réponse').fill('Oui, je passe à 9 h à l’EHPAD.');
      await karim.getByRole('button', exact('Envoyer')).click();
      await karim.getByText('Oui, je passe à 9 h à l’EHPAD.').waitFor();
      await expectNoAxeViolations(karim, 'conversation after the reply');

      // The care home's open page shows the reply by itself, then after a reload too.
      await ehpad.getByText('Oui, je passe à 9 h à l’EHPAD.').waitFor({ timeout: 15_000 });
      await ehpad.reload();
      await ehpad.getByText('Oui, je passe à 9 h à l’EHPAD.').waitFor();
      await expectNoAxeViolations(ehpad, 'conversation with the reply');
      // Nobody's email address shows.
      const text = await ehpad.locator('body').textContent();
      assert.ok(!text.includes(driver.email), 'the driver’s address is not shown');
    }),
  );
});
