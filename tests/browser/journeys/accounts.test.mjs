// Accounts as a person meets them: sign up, confirm the address, log in, change language, log out.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN,
  exact,
  expectNoAxeViolations,
  journey,
  logIn,
  newContext,
  pathIs,
  readMailLink,
  withHalle,
} from '../lib/harness.mjs';

const TIMEOUT = { timeout: 120_000 };

describe('accounts', () => {
  let halle;
  let browser;

  withHalle((h, b) => {
    halle = h;
    browser = b;
  });

  test('a visitor signs up, confirms the address, logs in, reads the site in English and logs out', TIMEOUT, () =>
    journey('sign-up journey', halle, async () => {
      const email = 'camille@test.example';
      const password = 'un-mot-de-passe-solide';
      const page = await (await newContext(browser)).newPage();
      const header = page.getByRole('banner');

      // The home page, anonymous.
      await page.goto(`${halle.baseUrl}/`);
      assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
      await expectNoAxeViolations(page, 'home');

      // The sign-up form.
      await header.getByRole('link', exact('Créer un compte')).click();
      await page.waitForURL(pathIs('/register'));
      await expectNoAxeViolations(page, 'register form');

      // A too-short password is refused by the server (the browser's own check is switched off).
      const submit = page.getByRole('button', exact('Créer mon compte'));
      await page.getByLabel(/^Adresse e-mail/).fill(email);
      await page.getByLabel(/^Nom affiché/).fill('Camille');
      await page.getByLabel(/^Mot de passe/).fill('court');
      await submit.evaluate((button) => (button.form.noValidate = true));
      await submit.click();
      await page.getByRole('alert').filter({ hasText: 'au moins 10 caractères' }).waitFor();
      await expectNoAxeViolations(page, 'register form with an error');

      // A good password: the account is created and waits for its confirmation.
      await page.getByLabel(/^Adresse e-mail/).fill(email);
      await page.getByLabel(/^Nom affiché/).fill('Camille');
      await page.getByLabel(/^Mot de passe/).fill(password);
      await submit.click();
      await page.getByRole('heading', { level: 1, ...exact('Vérifiez votre boîte mail') }).waitFor();
      await expectNoAxeViolations(page, 'check your mail');

      // The visitor finds the confirmation link in her mailbox.
      const link = await readMailLink(halle.baseUrl, email, '/account/confirm');
      assert.ok(
        link.startsWith(`${halle.baseUrl}/`),
        `with HALLE_PUBLIC_URL unset, mail links must use the address the server listens on (${halle.baseUrl}), got ${link}`,
      );

      // The visitor opens the link.
      await page.goto(link);
      await page.getByRole('heading', { level: 1, ...exact('Adresse confirmée') }).waitFor();
      await expectNoAxeViolations(page, 'address confirmed');

      // ... and logs in.
      await page.getByRole('main').getByRole('link', exact('Se connecter')).click();
      await page.waitForURL(pathIs('/login'));
      await expectNoAxeViolations(page, 'login form');
      await page.getByLabel(/^Adresse e-mail/).fill(email);
      await page.getByLabel(/^Mot de passe/).fill(password);
      await page.getByRole('button', exact('Se connecter')).click();
      await page.waitForURL(pathIs('/account'));
      await page.getByRole('heading', { level: 1, ...exact('Mon compte') }).waitFor();
      await page.getByRole('main').getByText(email).first().waitFor();
      await header.getByRole('link', exact('Mon compte')).waitFor();
      await expectNoAxeViolations(page, 'account');

      // English, from the header.
      const english = header.getByRole('link', exact('English'));
      assert.equal(await english.getAttribute('hreflang'), 'en');
      await english.click();
      await page.waitForFunction(() => document.documentElement.lang === 'en');
      await header.getByRole('link', exact('My account')).waitFor();
      await header.getByRole('button', exact('Log out')).waitFor();
      await header.getByRole('link', exact('Français')).waitFor();
      await expectNoAxeViolations(page, 'a page in English');

      // Logging out brings the login link back.
      await header.getByRole('button', exact('Log out')).click();
      const login = header.getByRole('link', { name: /^(Log in|Se connecter)$/ });
      await login.waitFor();
      assert.equal(new URL(await login.evaluate((a) => a.href)).pathname, '/login');
      assert.equal(await header.getByRole('link', { name: /^(My account|Mon compte)$/ }).count(), 0);
    }),
  );

  test('a wrong password is refused and the visitor stays logged out', TIMEOUT, () =>
    journey('wrong password', halle, async () => {
      const page = await (await newContext(browser)).newPage();
      const header = page.getByRole('banner');
      await page.goto(`${halle.baseUrl}/login`);
      await page.getByLabel(/^Adresse e-mail/).fill(ADMIN.email);
      await page.getByLabel(/^Mot de passe/).fill('not-the-password');
      await page.getByRole('button', exact('Se connecter')).click();
      await page.getByRole('alert').filter({ hasText: 'Adresse e-mail ou mot de passe incorrect' }).waitFor();
      await expectNoAxeViolations(page, 'login with a wrong password');
      await header.getByRole('link', exact('Se connecter')).waitFor();
      assert.equal(await header.getByRole('link', exact('Mon compte')).count(), 0);
      assert.notEqual(new URL(page.url()).pathname, '/account');
    }),
  );
});
