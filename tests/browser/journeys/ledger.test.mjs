// The local currency as the territory lives it: a resident asks for 50 units by bank transfer,
// the treasurer (with her second factor, and its recovery codes shown once) imports the bank
// statement that shows the euros, the resident pays the baker by scanning her counter's QR
// code, and the baker reconverts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
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

const TIMEOUT = { timeout: 180_000 };
const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.resolve(here, '../../fixtures/releve-banque-camt053.xml');

/** RFC 6238 code (SHA-1, 6 digits, 30 s) of a base-32 secret, `offset` steps from now. */
function totp(secret, offset = 0) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + offset));
  const hmac = createHmac('sha1', key).update(counter).digest();
  const at = hmac[hmac.length - 1] & 0xf;
  const value = (hmac.readUInt32BE(at) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, '0');
}

async function confirmedMember(admin, baseUrl, person) {
  await registerByApi(baseUrl, person);
  const link = await readMailLink(baseUrl, person.email, '/account/confirm?token=');
  await admin.goto(link);
}

async function grantRole(admin, baseUrl, email, role) {
  await admin.goto(`${baseUrl}/admin/users?q=${encodeURIComponent(email)}`);
  const card = admin.getByRole('article').filter({ hasText: email });
  await card.getByLabel('Rôle').selectOption({ label: role });
  await card.getByRole('button', { name: /^Donner le rôle/ }).click();
  await admin.getByText('Les rôles ont été mis à jour.').waitFor();
}

describe('local currency', () => {
  let halle;
  let browser;

  withHalle((h, b) => {
    halle = h;
    browser = b;
  });

  test('a member gets 50 units by transfer, pays the baker by her QR code, and the baker reconverts', TIMEOUT, () =>
    journey('ledger journey', halle, async () => {
      const base = halle.baseUrl;
      const jeanne = { email: 'jeanne@test.example', password: 'mon-beau-jardin', display_name: 'Jeanne Martin' };
      const baker = { email: 'lafont@test.example', password: 'le-pain-du-matin', display_name: 'Mme Lafont' };
      const treasurer = { email: 'marc@test.example', password: 'les-comptes-justes', display_name: 'Marc' };

      // The admin turns the currency on and gives the roles.
      const admin = await newPage(browser);
      await logIn(admin, base, ADMIN.email, ADMIN.password);
      await admin.goto(`${base}/t/marguerittes/monnaie/activer`);
      await expectNoAxeViolations(admin, 'enable the currency');
      await admin.getByLabel('Nom de la monnaie').fill('Bulle');
      await admin.getByLabel(/^Symbole/).fill('B');
      await admin.getByRole('button', exact('Activer la monnaie')).click();
      await admin.getByText('La monnaie locale est activée.').waitFor();
      for (const person of [jeanne, baker, treasurer]) await confirmedMember(admin, base, person);
      await grantRole(admin, base, jeanne.email, 'Membre');
      await grantRole(admin, base, baker.email, 'Commerçant ou producteur');
      await grantRole(admin, base, treasurer.email, 'Trésorier');

      // The baker's listing, approved, then her counter accepts the currency.
      const shop = await newPage(browser);
      await logIn(shop, base, baker.email, baker.password);
      await shop.goto(`${base}/t/marguerittes/annuaire/proposer`);
      await shop.getByLabel('Nom', { exact: true }).fill('Boulangerie Lafont');
      await shop.getByRole('button', exact('Envoyer pour validation')).click();
      await shop.getByText('En attente de validation').first().waitFor();
      const listingId = new URL(shop.url()).pathname.split('/').pop();
      await admin.goto(`${base}/t/marguerittes/moderation`);
      await admin.getByRole('article').filter({ hasText: 'Boulangerie Lafont' }).getByRole('button', { name: /^Valider/ }).click();
      await admin.getByText('La fiche est validée et publiée').waitFor();
      await shop.goto(`${base}/t/marguerittes/monnaie/structure/${listingId}`);
      await expectNoAxeViolations(shop, 'business opt-in');
      await shop.getByRole('button', exact('Accepter la monnaie locale')).click();
      await shop.getByText('Votre structure accepte maintenant la monnaie locale.').waitFor();
      await expectNoAxeViolations(shop, 'business counter');

      // Jeanne asks for 50 units and reads the code to write in her transfer.
      const member = await newPage(browser);
      await logIn(member, base, jeanne.email, jeanne.password);
      await member.goto(`${base}/t/marguerittes/monnaie`);
      await expectNoAxeViolations(member, 'empty wallet');
      await member.getByLabel('Montant en euros').fill('50');
      await member.getByRole('button', exact('Demander des unités')).click();
      await member.getByText('Votre demande est enregistrée.').waitFor();
      const reference = (await member.locator('code.reference').first().textContent()).trim();
      assert.match(reference, /^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
      await expectNoAxeViolations(member, 'wallet with a pending request');

      // Her bank sends the euros: the statement carries her code (in lower case) for 50.00 EUR.
      const fixture = await readFile(FIXTURE, 'utf8');
      const statement = fixture.replace('K7Q2-M9XD', reference.toLowerCase());

      // The treasurer sets up her second factor, then imports the statement.
      const treasury = await newPage(browser);
      await logIn(treasury, base, treasurer.email, treasurer.password);
      await treasury.goto(`${base}/t/marguerittes/monnaie/tresorerie`);
      await treasury.waitForURL(pathIs('/account/2fa'));
      await expectNoAxeViolations(treasury, 'two-factor set-up');
      const secret = (await treasury.locator('#totp-secret').textContent()).trim();
      await treasury.getByLabel(/^Code à 6 chiffres/).fill(totp(secret));
      await treasury.getByRole('button', exact('Activer la double authentification')).click();
      // Her recovery codes are shown once, then she goes on to the treasury.
      await treasury.getByRole('heading', { name: 'Vos codes de secours' }).waitFor();
      assert.equal(await treasury.locator('#recovery-codes code').count(), 10);
      await expectNoAxeViolations(treasury, 'recovery codes');
      await treasury.getByRole('link', { name: /^J’ai mis mes codes de secours à l’abri/ }).click();
      await treasury.waitForURL(pathIs('/t/marguerittes/monnaie/tresorerie'));
      await expectNoAxeViolations(treasury, 'treasury dashboard');
      await treasury.getByLabel(/^Fichier du relevé/).setInputFiles({
        name: 'releve.xml',
        mimeType: 'application/xml',
        buffer: Buffer.from(statement),
      });
      await treasury.getByRole('button', exact('Importer le relevé')).click();
      await treasury.getByRole('heading', { name: 'Relevé importé' }).waitFor();
      assert.match(await treasury.locator('#report-issued').textContent(), /Demandes de change honorées : 1 \(50,00\sB\)/);
      await expectNoAxeViolations(treasury, 'import report');
      assert.match(await treasury.locator('#circulation').textContent(), /50,00\sB/);

      // Jeanne has her units; she scans the baker's counter QR code (its address) and pays.
      await member.goto(`${base}/t/marguerittes/monnaie`);
      assert.match(await member.locator('#balance').textContent(), /50,00\sB/);
      await shop.goto(`${base}/t/marguerittes/monnaie/structure/${listingId}`);
      const qr = shop.getByRole('img', { name: /QR code pour payer/ });
      await qr.waitFor();
      const counter = await shop.locator('#counter-link').getAttribute('href');
      await member.goto(`${base}${counter}`);
      await expectNoAxeViolations(member, 'payment request');
      await member.getByLabel(/^Montant/).fill('12,50');
      await member.getByRole('button', { name: /^Payer Boulangerie Lafont/ }).click();
      await member.getByRole('heading', { name: 'Vérifiez votre paiement' }).waitFor();
      await expectNoAxeViolations(member, 'payment confirmation');
      await member.getByRole('button', exact('Confirmer le paiement')).click();
      await member.getByRole('heading', { name: 'Reçu' }).waitFor();
      await expectNoAxeViolations(member, 'receipt');
      await member.goto(`${base}/t/marguerittes/monnaie`);
      assert.match(await member.locator('#balance').textContent(), /37,50\sB/);
      await expectNoAxeViolations(member, 'wallet with history');

      // The baker reconverts her 12,50 units; the payout waits for the treasurer.
      await shop.goto(`${base}/t/marguerittes/monnaie/structure/${listingId}`);
      assert.match(await shop.locator('#balance').textContent(), /12,50\sB/);
      await shop.getByLabel(/^Unités à reconvertir/).fill('12,50');
      await shop.getByRole('button', exact('Reconvertir')).click();
      await shop.getByText('Reconversion enregistrée').waitFor();
      assert.match(await shop.locator('#balance').textContent(), /0,00\sB/);
      await expectNoAxeViolations(shop, 'business after reconversion');
      await treasury.goto(`${base}/t/marguerittes/monnaie/tresorerie`);
      await treasury.getByRole('heading', { name: 'Versements à faire par virement' }).waitFor();
      assert.match(await treasury.locator('table').filter({ hasText: 'Boulangerie Lafont' }).textContent(), /R-\d{4}-\d{4}/);
      await treasury.getByText('Contrôle du grand livre : tout concorde.').waitFor();

      // Jeanne pays the baker 5,00 by mistake; the treasurer corrects it from its reference.
      await member.goto(`${base}${counter}`);
      await member.getByLabel(/^Montant/).fill('5');
      await member.getByRole('button', { name: /^Payer Boulangerie Lafont/ }).click();
      await member.getByRole('button', exact('Confirmer le paiement')).click();
      await member.getByRole('heading', { name: 'Reçu' }).waitFor();
      const mistaken = (await member.locator('dd code').textContent()).trim();
      await treasury.goto(`${base}/t/marguerittes/monnaie/tresorerie#corriger`);
      await treasury.getByLabel(/^Référence du virement/).fill(mistaken);
      await treasury.getByLabel(/^Motif de la correction/).fill('Paiement en double');
      await treasury.getByRole('button', exact('Voir le virement')).click();
      await treasury.getByRole('heading', { name: 'Corriger ce virement ?' }).waitFor();
      assert.match(await treasury.locator('#correction-effect').textContent(), /5,00\sB/);
      await expectNoAxeViolations(treasury, 'correction preview');
      await treasury.getByRole('button', exact('Confirmer la correction')).click();
      await treasury.getByText('Correction enregistrée.').waitFor();
      await member.goto(`${base}/t/marguerittes/monnaie`);
      assert.match(await member.locator('#balance').textContent(), /37,50\sB/);
      await treasury.getByText('Contrôle du grand livre : tout concorde.').waitFor();

      // From her account page, the treasurer replaces her recovery codes with a code of the app.
      await treasury.getByRole('link', exact('Mon compte')).click();
      await treasury.getByRole('link', exact('Double authentification et codes de secours')).click();
      await treasury.waitForURL(pathIs('/account/2fa'));
      assert.equal(await treasury.locator('#recovery-left').textContent(), 'Il vous reste 10 codes de secours sur 10.');
      await expectNoAxeViolations(treasury, 'second factor, enabled');
      await treasury.getByLabel(/^Code à 6 chiffres/).fill(totp(secret, 1));
      await treasury.getByRole('button', exact('Obtenir de nouveaux codes de secours')).click();
      await treasury.locator('#recovery-codes').waitFor();
      assert.equal(await treasury.locator('#recovery-codes code').count(), 10);
      await expectNoAxeViolations(treasury, 'new recovery codes');
    }),
  );
});
