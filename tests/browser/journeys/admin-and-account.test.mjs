// Administration and account upkeep as people meet them, with axe-core on every page they reach
// and on every error state: an admin sets up a territory, its communes and the members' roles and
// reads the outbox; a member resets a forgotten password, manages API keys and deletes the
// account; plus the error pages, the English pages and signing up without JavaScript.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
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

const heading1 = (page, name) => page.getByRole('heading', { level: 1, ...exact(name) });
/** An error summary (role="alert") saying `text`, inside `scope` (a page or a section). */
const alertSaying = (scope, text) => scope.getByRole('alert').filter({ hasText: text });
/** A flash message (role="status") saying `text`. */
const flashSaying = (page, text) => page.getByRole('main').getByRole('status').filter({ hasText: text });

/** Asserts that the field labelled `label` is marked invalid and described by its error. */
async function expectFieldError(scope, label, message) {
  const input = scope.getByLabel(label, { exact: true });
  assert.equal(await input.getAttribute('aria-invalid'), 'true', `"${label}" should be marked invalid`);
  const described = await input.evaluate((el) =>
    (el.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' '),
  );
  assert.ok(described.includes(message), `"${label}" should be described by "${message}", got "${described}"`);
}

describe('administration', () => {
  let halle;
  let browser;

  withHalle((h, b) => {
    halle = h;
    browser = b;
  });

  test('an admin creates a territory and a commune, gives a role and reads the outbox', TIMEOUT, () =>
    journey('admin journey', halle, async () => {
      const member = { email: 'dominique@test.example', password: 'dominique-mot-de-passe', display_name: 'Dominique Martin' };
      await registerByApi(halle.baseUrl, member);

      const page = await newPage(browser);
      const main = page.getByRole('main');
      const adminNav = main.getByRole('navigation', exact('Administration'));
      await logIn(page, halle.baseUrl, ADMIN.email, ADMIN.password);

      // The dashboard, from the header: one e-mail waits (the member's confirmation).
      await page.getByRole('banner').getByRole('link', exact('Administration')).click();
      await page.waitForURL(pathIs('/admin'));
      await heading1(page, 'Administration').waitFor();
      const pendingCard = main.locator('.card').filter({ has: page.getByRole('link', exact('E-mails en attente')) });
      assert.equal((await pendingCard.locator('.big-number').textContent()).trim(), '1');
      await expectNoAxeViolations(page, 'admin dashboard');

      // Territories: a slug with a capital and a space is refused, in French, and the form
      // keeps what was typed.
      await adminNav.getByRole('link', exact('Territoires')).click();
      await page.waitForURL(pathIs('/admin/territories'));
      await heading1(page, 'Territoires').waitFor();
      await main.getByRole('link', exact('Marguerittes')).waitFor();
      assert.equal(await page.getByLabel('Fuseau horaire', { exact: true }).inputValue(), 'Europe/Paris');
      await expectNoAxeViolations(page, 'admin territories');

      await page.getByLabel('Nom', { exact: true }).fill('Sud Yvelines');
      await page.getByLabel('Identifiant dans l’adresse', { exact: true }).fill('Sud 78');
      await page.getByLabel('Label local (facultatif)', { exact: true }).fill('Produit en Sud Yvelines');
      await page.getByLabel('Mot-dièse du label (facultatif)', { exact: true }).fill('SudYvelines');
      await page.getByRole('button', exact('Créer le territoire')).click();
      const slugError = 'L’identifiant doit faire 2 à 40 caractères : lettres minuscules sans accent, chiffres et tirets.';
      await alertSaying(page, slugError).waitFor();
      await expectFieldError(page, 'Identifiant dans l’adresse', slugError);
      assert.equal(await page.getByLabel('Nom', { exact: true }).inputValue(), 'Sud Yvelines');
      assert.equal(await page.getByLabel('Identifiant dans l’adresse', { exact: true }).inputValue(), 'Sud 78');
      await expectNoAxeViolations(page, 'territory form with a wrong slug');

      // A valid slug: the territory is created and its page opens, without communes yet.
      await page.getByLabel('Identifiant dans l’adresse', { exact: true }).fill('sud-78');
      await page.getByLabel('Fuseau horaire', { exact: true }).fill('Europe/Paris');
      await page.getByRole('button', exact('Créer le territoire')).click();
      await page.waitForURL(pathIs('/admin/territories/sud-78'));
      await heading1(page, 'Sud Yvelines').waitFor();
      await main.getByText('Aucune commune pour l’instant.').waitFor();
      await expectNoAxeViolations(page, 'new territory without communes');

      // A commune whose latitude is out of range is refused, and what was typed is kept.
      await page.getByLabel('Nom', { exact: true }).fill('Rambouillet');
      await page.getByLabel('Code INSEE', { exact: true }).fill('78517');
      await page.getByLabel('Code postal', { exact: true }).fill('78120');
      await page.getByLabel('Latitude', { exact: true }).fill('148,6');
      await page.getByLabel('Longitude', { exact: true }).fill('1,8297');
      await page.getByRole('button', exact('Ajouter la commune')).click();
      const latitudeError = 'La latitude doit être un nombre entre -90 et 90.';
      await alertSaying(page, latitudeError).waitFor();
      await expectFieldError(page, 'Latitude', latitudeError);
      assert.equal(await page.getByLabel('Latitude', { exact: true }).inputValue(), '148,6');
      assert.equal(await page.getByLabel('Code INSEE', { exact: true }).inputValue(), '78517');
      await expectNoAxeViolations(page, 'commune form with a wrong latitude');

      // Decimals written the French way are accepted; the commune shows in the table.
      await page.getByLabel('Latitude', { exact: true }).fill('48,6436');
      await page.getByRole('button', exact('Ajouter la commune')).click();
      await page.waitForURL(pathIs('/admin/territories/sud-78'));
      const communeRow = main.getByRole('table', exact('Communes')).getByRole('row').filter({ hasText: 'Rambouillet' });
      const cells = (await communeRow.getByRole('cell').allTextContents()).map((c) => c.trim());
      assert.deepEqual(cells.slice(0, 3), ['Rambouillet', '78517', '78120']);
      assert.match(cells[3], /^48,6436 ; 1,8297$/);
      assert.equal(await page.getByRole('alert').count(), 0);
      await expectNoAxeViolations(page, 'territory with a commune');

      // The public page of the new territory; the admin joins it.
      await main.getByRole('link', exact('Voir la page publique')).click();
      await page.waitForURL(pathIs('/t/sud-78'));
      await heading1(page, 'Sud Yvelines').waitFor();
      await main.getByText('Produit en Sud Yvelines').waitFor();
      await main.getByText('#SudYvelines').waitFor();
      await main.getByRole('region', exact('Communes')).getByText('Rambouillet').waitFor();
      await expectNoAxeViolations(page, 'public page of a territory, not a member');
      await main.getByRole('button', exact('Rejoindre ce territoire')).click();
      await flashSaying(page, 'Vous êtes maintenant membre de ce territoire.').waitFor();
      await main.getByText('Vous êtes membre de ce territoire.').waitFor();
      await expectNoAxeViolations(page, 'public page of a territory, just joined');

      // With two territories, the home page lists them.
      await page.getByRole('banner').getByRole('link', exact('Halle')).click();
      await page.waitForURL(pathIs('/'));
      await heading1(page, 'Choisissez votre territoire').waitFor();
      await main.getByRole('link', exact('Marguerittes')).waitFor();
      await main.getByRole('link', exact('Sud Yvelines')).waitFor();
      await expectNoAxeViolations(page, 'home listing the territories');

      // Members: a search that finds nobody, then the member.
      await page.goto(`${halle.baseUrl}/admin`);
      await adminNav.getByRole('link', exact('Membres')).click();
      await page.waitForURL(pathIs('/admin/users'));
      await heading1(page, 'Membres').waitFor();
      await expectNoAxeViolations(page, 'admin members');

      const search = page.getByRole('search');
      await search.getByLabel('Nom ou adresse', { exact: true }).fill('personne-de-ce-nom');
      await search.getByRole('button', exact('Rechercher')).click();
      await main.getByText('Aucun membre trouvé.').waitFor();
      assert.equal(await main.getByRole('article').count(), 0);
      await expectNoAxeViolations(page, 'admin members, nobody found');

      await search.getByLabel('Nom ou adresse', { exact: true }).fill('dominique');
      await search.getByRole('button', exact('Rechercher')).click();
      await page.waitForURL((url) => url.searchParams.get('q') === 'dominique');
      const card = main.getByRole('article', { name: /^Dominique Martin/ });
      await card.getByText('Adresse non confirmée').waitFor();
      assert.equal(await main.getByRole('article').count(), 1);
      await expectNoAxeViolations(page, 'admin members, search result');

      // Grant a role: it is listed with a "Retirer" button.
      await card.getByLabel('Territoire', { exact: true }).selectOption({ label: 'Sud Yvelines' });
      await card.getByLabel('Rôle', { exact: true }).selectOption({ label: 'Animateur' });
      await card.getByRole('button', { name: /^Donner le rôle/ }).click();
      await page.waitForURL(pathIs('/admin/users'));
      await flashSaying(page, 'Les rôles ont été mis à jour.').waitFor();
      const granted = card.getByRole('listitem').filter({ hasText: 'Sud Yvelines — Animateur' });
      await granted.waitFor();
      await granted.getByRole('button', { name: /^Retirer/ }).waitFor();
      await expectNoAxeViolations(page, 'admin members with a granted role');

      // ... and "Retirer" takes it away again.
      await granted.getByRole('button', { name: /^Retirer/ }).click();
      await flashSaying(page, 'Les rôles ont été mis à jour.').waitFor();
      assert.equal(await card.getByRole('listitem').filter({ hasText: 'Animateur' }).count(), 0);

      // The outbox: the member's confirmation waits, since no SMTP server is configured.
      await adminNav.getByRole('link', exact('E-mails')).click();
      await page.waitForURL(pathIs('/admin/outbox'));
      await heading1(page, 'E-mails').waitFor();
      await main.getByText('Aucun serveur d’envoi (SMTP) n’est configuré').waitFor();
      const mailRow = main.getByRole('row').filter({ hasText: member.email });
      await mailRow.getByRole('link', exact('Confirmez votre adresse e-mail')).waitFor();
      await mailRow.getByText('En attente', { exact: true }).waitFor();
      await expectNoAxeViolations(page, 'outbox');

      // Filtered on "Envoyé": nothing; on "En attente": the message.
      await page.getByLabel('État', { exact: true }).selectOption({ label: 'Envoyé' });
      await page.getByRole('button', exact('Filtrer')).click();
      await page.waitForURL((url) => url.searchParams.get('status') === 'sent');
      await main.getByText('Aucun e-mail.').waitFor();
      await expectNoAxeViolations(page, 'outbox filtered, empty');
      await page.getByLabel('État', { exact: true }).selectOption({ label: 'En attente' });
      await page.getByRole('button', exact('Filtrer')).click();
      await page.waitForURL((url) => url.searchParams.get('status') === 'pending');
      await expectNoAxeViolations(page, 'outbox filtered on pending');

      // One message.
      await mailRow.getByRole('link', exact('Confirmez votre adresse e-mail')).click();
      await page.waitForURL((url) => /^\/admin\/outbox\/\d+$/.test(url.pathname));
      await heading1(page, 'Détail de l’e-mail').waitFor();
      await main.locator('dl').getByText('Confirmez votre adresse e-mail', { exact: true }).waitFor();
      await main.locator('dl').getByText(member.email).waitFor();
      assert.match(await main.locator('pre').textContent(), /\/account\/confirm\?token=/);
      await expectNoAxeViolations(page, 'outbox message');
      await main.getByRole('link', exact('Retour aux e-mails')).click();
      await page.waitForURL(pathIs('/admin/outbox'));
    }),
  );

  test('the administration is closed to visitors and to members who are not admins', TIMEOUT, () =>
    journey('admin forbidden', halle, async () => {
      const member = { email: 'alex@test.example', password: 'alex-mot-de-passe', display_name: 'Alex' };
      await registerByApi(halle.baseUrl, member);

      // A visitor is sent to the login page, which will come back to /admin.
      const visitor = await newPage(browser);
      await visitor.goto(`${halle.baseUrl}/admin`);
      await visitor.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('next') === '/admin');

      // The member confirms the address (link read by the admin) and logs in.
      const link = await readMailLink(halle.baseUrl, member.email, '/account/confirm?token=');

      const page = await newPage(browser);
      await page.goto(link);
      await heading1(page, 'Adresse confirmée').waitFor();
      await logIn(page, halle.baseUrl, member.email, member.password);
      assert.equal(await page.getByRole('banner').getByRole('link', exact('Administration')).count(), 0);

      // /admin answers 403 with a French page.
      const response = await page.goto(`${halle.baseUrl}/admin`);
      assert.equal(response.status(), 403);
      assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
      await heading1(page, 'Accès refusé').waitFor();
      const main = page.getByRole('main');
      await main.getByText('Vous n’avez pas accès à cette page.').waitFor();
      await main.getByText('Code 403').waitFor();
      await main.getByRole('link', exact('Accueil')).waitFor();
      await page.getByRole('banner').getByRole('link', exact('Mon compte')).waitFor();
      await expectNoAxeViolations(page, 'forbidden page');

      for (const p of ['/admin/outbox', '/admin/outbox/1', '/admin/users', '/admin/territories', '/admin/territories/marguerittes']) {
        const r = await page.goto(`${halle.baseUrl}${p}`);
        assert.equal(r.status(), 403, `GET ${p} as a member`);
      }
    }),
  );

  const sqlite3 = process.env.HALLE_SQLITE3 ?? 'sqlite3';
  const hasSqlite3 = spawnSync(sqlite3, ['-version']).status === 0;

  test(
    'an e-mail given up after failed attempts is shown as failed and can be sent again',
    { ...TIMEOUT, skip: hasSqlite3 ? false : 'needs the sqlite3 command' },
    () =>
      journey('failed e-mail', halle, async () => {
        const member = { email: 'sacha@test.example', password: 'sacha-mot-de-passe', display_name: 'Sacha' };
        await registerByApi(halle.baseUrl, member);
        // Twelve SMTP failures spread over hours make a message "failed"; the test writes that
        // outcome straight into the database.
        const db = path.join(halle.tmpDir, 'halle.db');
        const sql = `update outbox set status = 'failed', attempts = 12, last_error = 'Connection refused (os error 111)' where to_address = '${member.email}';`;
        const run = spawnSync(sqlite3, ['-cmd', '.timeout 5000', db, sql], { encoding: 'utf8' });
        assert.equal(run.status, 0, `sqlite3: ${run.stderr}`);

        const page = await newPage(browser);
        const main = page.getByRole('main');
        await logIn(page, halle.baseUrl, ADMIN.email, ADMIN.password);
        await page.goto(`${halle.baseUrl}/admin`);
        const failedCard = main.locator('.card').filter({ has: page.getByRole('link', exact('E-mails en échec')) });
        assert.equal((await failedCard.locator('.big-number').textContent()).trim(), '1');
        await failedCard.getByRole('link').click();
        await page.waitForURL((url) => url.searchParams.get('status') === 'failed');
        assert.equal(await page.getByLabel('État', { exact: true }).inputValue(), 'failed');
        const row = main.getByRole('row').filter({ hasText: member.email });
        await row.getByText('Échec', { exact: true }).waitFor();
        await expectNoAxeViolations(page, 'outbox filtered on failed');

        await row.getByRole('link', exact('Confirmez votre adresse e-mail')).click();
        await heading1(page, 'Détail de l’e-mail').waitFor();
        await main.locator('dl').getByText('Connection refused (os error 111)').waitFor();
        await expectNoAxeViolations(page, 'failed outbox message');

        await main.getByRole('button', exact('Réessayer l’envoi')).click();
        await flashSaying(page, 'L’e-mail sera renvoyé.').waitFor();
        await main.locator('dl').getByText('En attente', { exact: true }).waitFor();
        assert.equal(await main.getByRole('button', exact('Réessayer l’envoi')).count(), 0);
        await expectNoAxeViolations(page, 'outbox message queued again');
      }),
  );
});

describe('account maintenance', () => {
  let halle;
  let browser;

  withHalle((h, b) => {
    halle = h;
    browser = b;
  });

  test('a member resets a forgotten password, manages API keys, changes the password and deletes the account', TIMEOUT, () =>
    journey('account maintenance journey', halle, async () => {
      const member = { email: 'claude@test.example', password: 'premier-mot-de-passe', display_name: 'Claude' };
      const resetPassword = 'deuxieme-mot-de-passe';
      const finalPassword = 'troisieme-mot-de-passe';
      await registerByApi(halle.baseUrl, member);

      const page = await newPage(browser);
      const main = page.getByRole('main');
      const header = page.getByRole('banner');

      // Forgotten password, from the login page.
      await page.goto(`${halle.baseUrl}/login`);
      await main.getByRole('link', exact('Mot de passe oublié ?')).click();
      await page.waitForURL(pathIs('/password/forgot'));
      await heading1(page, 'Mot de passe oublié').waitFor();
      await expectNoAxeViolations(page, 'forgotten password form');
      await page.getByLabel('Adresse e-mail', { exact: true }).fill(member.email);
      await page.getByRole('button', exact('Envoyer le lien')).click();
      await main.getByText('Si un compte utilise cette adresse, un lien valable une heure vient d’y être envoyé.').waitFor();
      await expectNoAxeViolations(page, 'reset link sent');

      // The member finds the link in her mailbox.
      const link = await readMailLink(halle.baseUrl, member.email, '/password/reset?token=');

      // A too-short password is refused; a good one is saved.
      await page.goto(link);
      await heading1(page, 'Choisir un nouveau mot de passe').waitFor();
      await expectNoAxeViolations(page, 'new password form');
      const shortError = 'Le mot de passe doit contenir au moins 10 caractères.';
      await page.getByLabel('Nouveau mot de passe', { exact: true }).fill('court');
      await page.getByRole('button', exact('Enregistrer le mot de passe')).click();
      await alertSaying(page, shortError).waitFor();
      await expectFieldError(page, 'Nouveau mot de passe', shortError);
      await expectNoAxeViolations(page, 'new password too short');
      await page.getByLabel('Nouveau mot de passe', { exact: true }).fill(resetPassword);
      await page.getByRole('button', exact('Enregistrer le mot de passe')).click();
      await main.getByText('Votre mot de passe est changé. Par sécurité, toutes vos sessions ont été déconnectées.').waitFor();
      await expectNoAxeViolations(page, 'password reset done');

      // The link has served: opening it again says so at once.
      await page.goto(link);
      await heading1(page, 'Lien non valable').waitFor();
      await main.getByText('Ce lien n’est plus valable : il a déjà servi ou il a expiré.').waitFor();
      await main.getByRole('link', exact('Mot de passe oublié ?')).waitFor();
      await expectNoAxeViolations(page, 'reset link already used');

      // Log in with the new password (the reset also confirmed the address).
      await logIn(page, halle.baseUrl, member.email, resetPassword);
      await heading1(page, 'Mon compte').waitFor();
      await main.getByText(member.email).first().waitFor();

      // API keys: a key needs a name; the secret is shown once; it opens the API until revoked.
      const tokens = main.getByRole('region', exact('Clés d’accès à l’API'));
      await tokens.getByRole('button', exact('Créer une clé')).click();
      const nameError = 'Donnez un nom à la clé (60 caractères au plus).';
      await alertSaying(tokens, nameError).waitFor();
      await expectFieldError(tokens, 'Nom de la clé', nameError);
      await expectNoAxeViolations(page, 'API key without a name');

      await tokens.getByLabel('Nom de la clé', { exact: true }).fill('Tableur de la boutique');
      await tokens.getByRole('button', exact('Créer une clé')).click();
      const secret = (await tokens.locator('code.secret').textContent()).trim();
      assert.ok(secret.length >= 20, `a key secret, got "${secret}"`);
      const keyRow = tokens.getByRole('row').filter({ hasText: 'Tableur de la boutique' });
      await keyRow.getByText('jamais', { exact: true }).waitFor();
      assert.equal(await tokens.getByRole('alert').count(), 0);
      await expectNoAxeViolations(page, 'API key created');

      const me = () => fetch(`${halle.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${secret}` } });
      const meResponse = await me();
      assert.equal(meResponse.status, 200);
      assert.equal((await meResponse.json()).email, member.email);

      await keyRow.getByRole('button', { name: /^Révoquer/ }).click();
      await page.waitForURL(pathIs('/account'));
      await flashSaying(page, 'La clé a été révoquée.').waitFor();
      assert.equal(await tokens.getByRole('row').filter({ hasText: 'Tableur de la boutique' }).count(), 0);
      assert.equal(await page.locator('code.secret').count(), 0);
      await expectNoAxeViolations(page, 'API key revoked');
      assert.equal((await me()).status, 401);

      // Changing the e-mail address needs the right password (this section has its own
      // "Mot de passe actuel" field).
      const emailSection = main.getByRole('region', exact('Changer d’adresse e-mail'));
      const wrongPassword = 'pas-le-bon-mot-de-passe';
      const currentError = 'Le mot de passe actuel est incorrect.';
      await emailSection.getByLabel('Nouvelle adresse e-mail', { exact: true }).fill('claude.nouvelle@test.example');
      await emailSection.getByLabel('Mot de passe actuel', { exact: true }).fill(wrongPassword);
      await emailSection.getByRole('button', exact('Envoyer le lien de confirmation')).click();
      await alertSaying(emailSection, currentError).waitFor();
      await expectFieldError(emailSection, 'Mot de passe actuel', currentError);
      await expectNoAxeViolations(page, 'e-mail change with a wrong password');

      // Changing the password with a wrong current password: the error shows in that section only.
      const passwordSection = main.getByRole('region', exact('Changer de mot de passe'));
      await passwordSection.getByLabel('Mot de passe actuel', { exact: true }).fill(wrongPassword);
      await passwordSection.getByLabel('Nouveau mot de passe', { exact: true }).fill(finalPassword);
      await passwordSection.getByRole('button', exact('Changer le mot de passe')).click();
      await alertSaying(passwordSection, currentError).waitFor();
      assert.equal(await emailSection.getByRole('alert').count(), 0);
      await expectNoAxeViolations(page, 'password change with a wrong current password');

      // ... and with the right one.
      await passwordSection.getByLabel('Mot de passe actuel', { exact: true }).fill(resetPassword);
      await passwordSection.getByLabel('Nouveau mot de passe', { exact: true }).fill(finalPassword);
      await passwordSection.getByRole('button', exact('Changer le mot de passe')).click();
      await page.waitForURL(pathIs('/account'));
      await flashSaying(page, 'Votre mot de passe est changé. Vos autres sessions ont été déconnectées.').waitFor();
      await expectNoAxeViolations(page, 'password changed');

      // My data: the export is a JSON file about me.
      const dataSection = main.getByRole('region', exact('Mes données'));
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        dataSection.getByRole('link', exact('Télécharger mes données')).click(),
      ]);
      const exported = JSON.parse(await readFile(await download.path(), 'utf8'));
      assert.ok(JSON.stringify(exported).includes(member.email), 'the export contains the address');

      // Deleting the account: a wrong password is refused, the right one deletes it.
      await dataSection.getByRole('link', exact('Supprimer mon compte')).click();
      await page.waitForURL(pathIs('/account/delete'));
      await heading1(page, 'Supprimer mon compte').waitFor();
      await expectNoAxeViolations(page, 'delete account form');
      await page.getByLabel('Mot de passe actuel', { exact: true }).fill(wrongPassword);
      await page.getByRole('button', exact('Supprimer définitivement mon compte')).click();
      await alertSaying(page, currentError).waitFor();
      await expectFieldError(page, 'Mot de passe actuel', currentError);
      await expectNoAxeViolations(page, 'delete account with a wrong password');
      await page.getByLabel('Mot de passe actuel', { exact: true }).fill(finalPassword);
      await page.getByRole('button', exact('Supprimer définitivement mon compte')).click();
      await heading1(page, 'Compte supprimé').waitFor();
      await header.getByRole('link', exact('Se connecter')).waitFor();
      assert.equal(await header.getByRole('link', exact('Mon compte')).count(), 0);
      await expectNoAxeViolations(page, 'account deleted');

      // Logging in no longer works.
      await page.goto(`${halle.baseUrl}/login`);
      await page.getByLabel('Adresse e-mail', { exact: true }).fill(member.email);
      await page.getByLabel('Mot de passe', { exact: true }).fill(finalPassword);
      await page.getByRole('button', exact('Se connecter')).click();
      await alertSaying(page, 'Adresse e-mail ou mot de passe incorrect.').waitFor();
      assert.equal(new URL(page.url()).pathname, '/login');
      const account = await page.goto(`${halle.baseUrl}/account`);
      assert.equal(new URL(account.url()).pathname, '/login');
    }),
  );

  test('an unconfirmed member asks for a new confirmation link; an old link is refused', TIMEOUT, () =>
    journey('confirmation links', halle, async () => {
      const member = { email: 'morgan@test.example', password: 'morgan-mot-de-passe', display_name: 'Morgan' };
      await registerByApi(halle.baseUrl, member);
      const page = await newPage(browser);
      const main = page.getByRole('main');

      // Logging in before confirming says why it fails and offers a new link.
      await page.goto(`${halle.baseUrl}/login`);
      await page.getByLabel('Adresse e-mail', { exact: true }).fill(member.email);
      await page.getByLabel('Mot de passe', { exact: true }).fill(member.password);
      await page.getByRole('button', exact('Se connecter')).click();
      const unconfirmed = alertSaying(page, 'Votre adresse e-mail n’est pas encore confirmée.');
      await unconfirmed.waitFor();
      await expectNoAxeViolations(page, 'login with an unconfirmed address');

      await unconfirmed.getByRole('link', exact('Recevoir un nouveau lien de confirmation')).click();
      await page.waitForURL(pathIs('/confirm/resend'));
      await heading1(page, 'Recevoir un nouveau lien').waitFor();
      await expectNoAxeViolations(page, 'resend confirmation form');
      await page.getByLabel('Adresse e-mail', { exact: true }).fill(member.email);
      await page.getByRole('button', exact('Envoyer le lien')).click();
      await main.getByText('Si un compte non confirmé utilise cette adresse, un nouveau lien vient d’y être envoyé.').waitFor();
      await expectNoAxeViolations(page, 'confirmation link sent again');

      // The newest link confirms the address; opening it again says it has served.
      const link = await readMailLink(halle.baseUrl, member.email, '/account/confirm?token=');
      await page.goto(link);
      await heading1(page, 'Adresse confirmée').waitFor();
      const again = await page.goto(link);
      assert.ok(again.status() >= 400, `a used link answers an error status, got ${again.status()}`);
      await heading1(page, 'Lien non valable').waitFor();
      await expectNoAxeViolations(page, 'confirmation link already used');

      // A made-up link too.
      const bogus = await page.goto(`${halle.baseUrl}/account/confirm?token=n-importe-quoi`);
      assert.equal(bogus.status(), 400);
      await heading1(page, 'Lien non valable').waitFor();
      await main.getByRole('link', exact('Recevoir un nouveau lien de confirmation')).waitFor();
      await expectNoAxeViolations(page, 'bogus confirmation link');
    }),
  );
});

describe('other pages', () => {
  let halle;
  let browser;

  withHalle((h, b) => {
    halle = h;
    browser = b;
  });

  test('an unknown address gets the French 404 page', TIMEOUT, () =>
    journey('not found', halle, async () => {
      const page = await newPage(browser);
      const response = await page.goto(`${halle.baseUrl}/t/nulle-part`);
      assert.equal(response.status(), 404);
      assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
      await heading1(page, 'Page introuvable').waitFor();
      const main = page.getByRole('main');
      await main.getByText('Cette page n’existe pas, ou plus.').waitFor();
      await main.getByText('Code 404').waitFor();
      await main.getByRole('link', exact('Accueil')).click();
      await page.waitForURL(pathIs('/'));
      await page.goBack();
      await expectNoAxeViolations(page, 'not found page');
    }),
  );

  test('the sign-up form and the account page read well in English', TIMEOUT, () =>
    journey('english pages', halle, async () => {
      // The sign-up form, switched from the header, and its errors.
      const visitor = await newPage(browser);
      await visitor.goto(`${halle.baseUrl}/register`);
      await visitor.getByRole('banner').getByRole('link', exact('English')).click();
      await visitor.waitForFunction(() => document.documentElement.lang === 'en');
      await heading1(visitor, 'Sign up').waitFor();
      await expectNoAxeViolations(visitor, 'register in English');
      await visitor.getByRole('button', exact('Create my account')).click();
      await visitor.getByRole('alert').waitFor();
      assert.equal(await visitor.locator('html').getAttribute('lang'), 'en');
      await expectNoAxeViolations(visitor, 'register in English with errors');

      // The account page, switched from the header.
      const page = await newPage(browser);
      await logIn(page, halle.baseUrl, ADMIN.email, ADMIN.password);
      await page.getByRole('banner').getByRole('link', exact('English')).click();
      await page.waitForFunction(() => document.documentElement.lang === 'en');
      await page.waitForURL(pathIs('/account'));
      await heading1(page, 'My account').waitFor();
      await page.getByRole('main').getByRole('region', exact('API access keys')).waitFor();
      await expectNoAxeViolations(page, 'account in English');
    }),
  );

  test('without JavaScript, a visitor signs up from the home page, confirms and logs in', TIMEOUT, () =>
    journey('no javascript', halle, async () => {
      const email = 'jo@test.example';
      const password = 'jo-mot-de-passe-sans-js';
      const page = await newPage(browser, { javaScriptEnabled: false });
      const main = page.getByRole('main');

      await page.goto(`${halle.baseUrl}/`);
      await heading1(page, 'Marguerittes').waitFor();
      assert.equal(await page.evaluate(() => typeof window.htmx), 'undefined', 'the page scripts must not run');
      await main.getByRole('region', exact('Rejoignez la halle')).getByRole('link', exact('Créer un compte')).click();
      await page.waitForURL((url) => url.pathname === '/register' && url.searchParams.get('territory') === 'marguerittes');

      // The server checks the form on its own.
      await page.getByLabel('Adresse e-mail', { exact: true }).fill(email);
      await page.getByLabel('Nom affiché', { exact: true }).fill('Jo');
      await page.getByLabel('Mot de passe', { exact: true }).fill('court');
      await page.getByRole('button', exact('Créer mon compte')).click();
      await alertSaying(page, 'Le mot de passe doit contenir au moins 10 caractères.').waitFor();
      assert.equal(await page.getByLabel('Adresse e-mail', { exact: true }).inputValue(), email);

      await page.getByLabel('Mot de passe', { exact: true }).fill(password);
      await page.getByRole('button', exact('Créer mon compte')).click();
      await heading1(page, 'Vérifiez votre boîte mail').waitFor();

      const link = await readMailLink(halle.baseUrl, email, '/account/confirm?token=');

      await page.goto(link);
      await heading1(page, 'Adresse confirmée').waitFor();
      await main.getByRole('link', exact('Se connecter')).click();
      await page.waitForURL(pathIs('/login'));
      await page.getByLabel('Adresse e-mail', { exact: true }).fill(email);
      await page.getByLabel('Mot de passe', { exact: true }).fill(password);
      await page.getByRole('button', exact('Se connecter')).click();
      await page.waitForURL(pathIs('/account'));
      // Signed up from Marguerittes' page, Jo is a member there.
      await main.getByRole('region', exact('Mes territoires')).getByText('Marguerittes — Membre').waitFor();

      await page.getByRole('banner').getByRole('button', exact('Se déconnecter')).click();
      await page.getByRole('banner').getByRole('link', exact('Se connecter')).waitFor();
    }),
  );
});

describe('a new instance', () => {
  let halle;
  let browser;

  withHalle((h, b) => {
    halle = h;
    browser = b;
  }, { withTerritory: false });

  test('without any territory, the home page says so and leads the admin to create one', TIMEOUT, () =>
    journey('empty instance', halle, async () => {
      const visitor = await newPage(browser);
      await visitor.goto(`${halle.baseUrl}/`);
      await heading1(visitor, 'Bienvenue sur Halle').waitFor();
      await expectNoAxeViolations(visitor, 'home without territory, visitor');

      const page = await newPage(browser);
      await logIn(page, halle.baseUrl, ADMIN.email, ADMIN.password);
      await page.goto(`${halle.baseUrl}/`);
      await heading1(page, 'Bienvenue sur Halle').waitFor();
      await expectNoAxeViolations(page, 'home without territory, admin');
      await page.getByRole('main').getByRole('link', exact('Créer un territoire')).click();
      await page.waitForURL(pathIs('/admin/territories'));
      await page.getByRole('heading', { level: 2, ...exact('Créer un territoire') }).waitFor();
    }),
  );
});
