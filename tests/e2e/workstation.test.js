'use strict';
// The workstation in a real browser (issue: `mneedle serve`, section Tests): a practitioner
// signs in, creates a client, plans, opens the report, charts a session with the pre-filled
// settings, records a score and an adverse event on its own, re-plans, exports the calendar and
// signs out; a request without a session goes to sign-in, a forged POST is refused, a read-only
// user cannot chart, and axe-core finds no serious or critical violation on the main pages.
// Page ids and form field names are the ones docs/serve.md lists.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const net = require('node:net');
const lib = require('./lib.js');

// Records are dated: "today" is fixed for the server so the course below starts on it and
// visit 1 is due the day it is charted (docs/records.md: SOURCE_DATE_EPOCH).
const TODAY = '2027-04-01';
const SOURCE_DATE_EPOCH = String(Date.parse(`${TODAY}T00:00:00Z`) / 1000);
const CLIENT = 'e2e-amelia';
const CLIENT_NAME = 'Amelia E2E-Test';
const READER = { user: 'reader', password: 'read-only-pass-9431' };
// Each step (and the start and stop) may take this long, the whole suite this long: a loaded
// 2-core machine, and the PDF report printed by WeasyPrint.
const STEP_TIMEOUT_MS = 120000;
const SUITE_TIMEOUT_MS = 900000;
const step = (name, fn) => it(name, { timeout: STEP_TIMEOUT_MS }, fn);

let server, browser, admin, page, adminPassword;

const field = (p, name) => p.locator(`[name="${name}"]`);
const byId = (p, id) => p.locator(`[id="${id}"]`);

const shot = (p, name) => lib.screenshot(p, name);

// Signs in on a fresh page of @p context; returns the page.
async function signIn(context, user, password) {
  const p = await context.newPage();
  await p.goto(`${server.url}/signin`);
  await field(p, 'user').fill(user);
  await field(p, 'password').fill(password);
  await Promise.all([p.waitForNavigation(), byId(p, 'signin-submit').click()]);
  return p;
}

// The client's record as the API gives it (the CLI's `history --json` shape).
async function history(context) {
  const r = await context.request.get(`${server.url}/api/v1/clients/${CLIENT}/history`);
  assert.equal(r.status(), 200, `history API: ${r.status()} ${await r.text()}`);
  return r.json();
}

// The CSRF token of the page's forms (every signed-in page has the sign-out form).
async function csrfOf(p) {
  return p.locator('#signout-form [name="csrf"]').inputValue();
}

describe('the workstation in chromium', { timeout: SUITE_TIMEOUT_MS }, () => {
  before(async () => {
    server = await lib.startServer(['--demo', '--db', path.join(lib.WORK, 'demo.db')], {
      env: { SOURCE_DATE_EPOCH }, ready: /one-time password \S+\n/,
    });
    // --demo prints "sign in as admin with the one-time password PASSWORD".
    const m = /one-time password (\S+)/.exec(server.out());
    assert.ok(m, `no admin password in the server's output:\n${server.out()}`);
    adminPassword = m[1];
    browser = await lib.launchBrowser();
    admin = await browser.newContext();
  }, { timeout: STEP_TIMEOUT_MS });

  after(async () => {
    // Whatever happened above: the browser closes, the server stops and its port is closed.
    if (browser) await browser.close().catch(() => {});
    if (!server) return;
    const port = Number(new URL(server.url).port);
    const how = await lib.stopServer(server);
    assert.ok(how.code === 0 || how.signal === 'SIGTERM', `the server ended badly: ${JSON.stringify(how)}\n${server.out()}`);
    await new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => { s.destroy(); reject(new Error(`port ${port} still accepts connections`)); });
      s.on('error', () => resolve());
    });
  }, { timeout: STEP_TIMEOUT_MS });

  step('sends a request without a session to sign-in', async () => {
    const anon = await browser.newContext();
    const p = await anon.newPage();
    await p.goto(`${server.url}/clients/amelia-1`);
    assert.equal(new URL(p.url()).pathname, '/signin');
    assert.equal(new URL(p.url()).searchParams.get('next'), '/clients/amelia-1');
    await p.locator('#signin-form').waitFor();
    const api = await anon.request.get(`${server.url}/api/v1/clients`);
    assert.equal(api.status(), 401, 'the API answers a request without a session');
    await shot(p, '01-signin');
    await anon.close();
  });

  step('refuses a wrong password and signs in with the right one', async () => {
    const wrong = await signIn(admin, 'admin', `${adminPassword}x`);
    assert.equal(new URL(wrong.url()).pathname, '/signin');
    assert.match(await byId(wrong, 'message').innerText(), /wrong user name or password/i);
    await wrong.close();
    page = await signIn(admin, 'admin', adminPassword);
    assert.equal(new URL(page.url()).pathname, '/clients');
    assert.match(await byId(page, 'who').innerText(), /admin/);
    const cookies = await admin.cookies(server.url);
    const sess = cookies.find((c) => c.name === 'mneedle');
    assert.ok(sess && sess.httpOnly && sess.sameSite === 'Strict', `session cookie: ${JSON.stringify(cookies)}`);
    assert.ok((await page.locator('#client-list tbody tr').count()) > 0, 'the demo database lists no client');
    await shot(page, '02-clients');
  });

  step('creates a client, with an error shown beside its field first', async () => {
    await page.goto(`${server.url}/clients`);
    await Promise.all([page.waitForNavigation(), byId(page, 'new-client').click()]);
    await shot(page, '03-client-new');
    const values = {
      id: CLIENT, 'client.name': CLIENT_NAME, 'client.age': '46', 'client.fitzpatrick': '9',
      'lifestyle.sun': 'moderate', 'clinic.device': 'skinpen', 'clinic.start': TODAY,
      'clinic.price_per_session': '300', 'clinic.currency': 'GBP',
      'concern0.concern': 'fine-lines-wrinkles', 'concern0.zones': 'forehead, cheek',
      'concern0.severity': 'moderate',
      // The questionnaire was answered today, nothing to declare: without it screening defers.
      'history.date': TODAY,
    };
    for (const [k, v] of Object.entries(values)) await field(page, k).fill(v);
    await field(page, 'client.sex').selectOption('female');
    await Promise.all([page.waitForNavigation(), byId(page, 'client-save').click()]);
    // Phototype 9 does not exist: the loader's message lands beside the field, nothing saved.
    const err = byId(page, 'error-client.fitzpatrick');
    assert.match(await err.innerText(), /fitzpatrick|1.*6/i);
    assert.equal(await field(page, 'client.name').inputValue(), CLIENT_NAME, 'the form lost what was typed');
    await shot(page, '04-client-error');
    await field(page, 'client.fitzpatrick').fill('2');
    await Promise.all([page.waitForNavigation(), byId(page, 'client-save').click()]);
    assert.equal(new URL(page.url()).pathname, `/clients/${CLIENT}`);
    assert.match(await byId(page, 'client-summary').innerText(), new RegExp(CLIENT_NAME));
  });

  step('plans the course and saves the plan', async () => {
    await page.goto(`${server.url}/clients/${CLIENT}`);
    await Promise.all([page.waitForNavigation(), byId(page, 'open-plan').click()]);
    assert.match(await byId(page, 'plan-text').innerText(), /Forehead/);
    await shot(page, '05-plan');
    await Promise.all([page.waitForNavigation(), byId(page, 'plan-save-submit').click()]);
    assert.match(await byId(page, 'message').innerText(), /saved/i);
    const h = await history(admin);
    assert.ok(h.planned && h.planned.length > 0, `no planned visit after saving: ${JSON.stringify(h).slice(0, 300)}`);
  });

  step('opens the report (HTML, and the PDF)', async () => {
    await page.goto(`${server.url}/clients/${CLIENT}/plan`);
    const href = await byId(page, 'report-html').getAttribute('href');
    const report = await admin.newPage();
    const r = await report.goto(new URL(href, server.url).href);
    assert.equal(r.status(), 200);
    assert.match(await report.content(), /Forehead/);
    await shot(report, '06-report');
    await report.close();
    // The PDF takes WeasyPrint a few seconds: the server answers 202 with a page that says it
    // is being prepared and refreshes itself, until the PDF is ready.
    const pdfHref = await byId(page, 'report-pdf').getAttribute('href');
    const pdfUrl = new URL(pdfHref, server.url).href;
    let pdf = await admin.request.get(pdfUrl, { timeout: STEP_TIMEOUT_MS });
    let waited = 0;
    while (pdf.status() === 202) {
      const body = await pdf.text();
      assert.match(body, /id="progress"/);
      assert.match(body, /http-equiv="refresh"/);
      await new Promise((resolve) => setTimeout(resolve, 500));
      waited += 500;
      assert.ok(waited < STEP_TIMEOUT_MS, 'the PDF was not ready in time');
      pdf = await admin.request.get(pdfUrl, { timeout: STEP_TIMEOUT_MS });
    }
    assert.equal(pdf.status(), 200, await pdf.text());
    assert.match(pdf.headers()['content-type'], /application\/pdf/);
    assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
  });

  step('charts a session with the pre-filled settings, refusing a depth beyond the cap first', async () => {
    const planned = (await history(admin)).planned[0];
    await page.goto(`${server.url}/clients/${CLIENT}`);
    await Promise.all([page.waitForNavigation(), byId(page, 'chart-session').click()]);
    await byId(page, 'planned-visit').waitFor();
    assert.equal(await field(page, 'date').inputValue(), TODAY);
    assert.equal(await field(page, 'device').inputValue(), 'skinpen', 'the device is not pre-filled');
    // The form holds visit 1's settings as planned.
    const rows = planned.settings || planned.zones;
    assert.ok(rows && rows.length > 0, `visit 1 has no settings: ${JSON.stringify(planned)}`);
    for (let k = 0; k < rows.length; k++) {
      assert.equal(await field(page, `zone${k}`).inputValue(), rows[k].zone);
      assert.equal(Number(await field(page, `depth${k}`).inputValue()), rows[k].depth_mm);
      assert.equal(Number(await field(page, `passes${k}`).inputValue()), rows[k].passes);
    }
    await shot(page, '07-session-form');
    // Adverse events are stated each time, never pre-filled: the clinician writes "none".
    assert.equal(await field(page, 'adverse_events').inputValue(), '', 'adverse events are pre-filled');
    await field(page, 'adverse_events').fill('none');
    // Beyond the zone's cap without a reason: refused with the reason why, nothing recorded.
    const depth0 = await field(page, 'depth0').inputValue();
    await field(page, 'depth0').fill('2.5');
    await Promise.all([page.waitForNavigation(), byId(page, 'session-save').click()]);
    assert.match(await byId(page, 'error').innerText(), /override|beyond|cap|maximum/i);
    assert.equal((await history(admin)).sessions.length, 0, 'a refused session was recorded');
    await field(page, 'depth0').fill(depth0);
    await Promise.all([page.waitForNavigation(), byId(page, 'session-save').click()]);
    assert.equal(new URL(page.url()).pathname, `/clients/${CLIENT}`);
    assert.match(await byId(page, 'message').innerText(), /session recorded/i);
    const h = await history(admin);
    assert.equal(h.sessions.length, 1);
    assert.equal(h.sessions[0].date, TODAY);
    assert.deepEqual(h.sessions[0].zones.map((z) => [z.zone, z.depth_mm, z.passes]),
      rows.map((z) => [z.zone, z.depth_mm, z.passes]));
    await shot(page, '08-client-after-session');
  });

  step('records an assessment', async () => {
    await page.goto(`${server.url}/clients/${CLIENT}`);
    await Promise.all([page.waitForNavigation(), byId(page, 'record-assessment').click()]);
    await shot(page, '09-assessment-form');
    const scale = await field(page, 'scale').locator('option').first().getAttribute('value');
    await field(page, 'scale').selectOption(scale);
    await field(page, 'score').fill('2');
    await Promise.all([page.waitForNavigation(), byId(page, 'assessment-save').click()]);
    assert.match(await byId(page, 'message').innerText(), /score recorded/i);
    assert.equal(await page.locator('#scores tbody tr').count(), 1);
    const h = await history(admin);
    assert.equal(h.assessments.length, 1);
    assert.equal(h.assessments[0].scale, scale);
  });

  step('records an adverse event reported after the session, on its own', async () => {
    await page.goto(`${server.url}/clients/${CLIENT}`);
    await Promise.all([page.waitForNavigation(), byId(page, 'record-adverse-event').click()]);
    assert.equal(new URL(page.url()).pathname, `/clients/${CLIENT}/adverse-events/new`);
    assert.equal(await field(page, 'date').inputValue(), TODAY);
    await field(page, 'session').selectOption('1');
    await field(page, 'kind').selectOption('post-inflammatory-hyperpigmentation');
    await field(page, 'severity').selectOption('moderate');
    await shot(page, '09b-adverse-event-form');
    await Promise.all([page.waitForNavigation(), byId(page, 'adverse-event-save').click()]);
    assert.equal(new URL(page.url()).pathname, `/clients/${CLIENT}`);
    assert.match(await byId(page, 'message').innerText(), /adverse event recorded/i);
    const row = page.locator('#adverse-events tbody tr', { hasText: /hyperpigmentation/i });
    assert.equal(await row.count(), 1);
    assert.match(await row.innerText(), /moderate/);
    const events = (await history(admin)).adverse_events.filter((e) => e.event !== 'none');
    assert.deepEqual(events.map((e) => [e.date, e.session, e.kind, e.severity, e.resolved]),
      [[TODAY, 1, 'post-inflammatory-hyperpigmentation', 'moderate', undefined]]);
  });

  step('re-plans from what was done', async () => {
    await page.goto(`${server.url}/clients/${CLIENT}`);
    await Promise.all([page.waitForNavigation(), byId(page, 'open-replan').click()]);
    await shot(page, '10-replan');
    await Promise.all([page.waitForNavigation(), byId(page, 'replan-submit').click()]);
    assert.match(await byId(page, 'message').innerText(), /re-planned/i);
    assert.ok((await byId(page, 'replan-text').innerText()).length > 0);
  });

  // The hyperpigmentation recorded above is open, and it holds the client (docs/records.md,
  // "Holds"): the calendar, a list of appointments to keep, leaves the held client's visits out.
  step('exports the calendar, which parses, names no one, and books no visit while held', async () => {
    await page.goto(`${server.url}/clients/${CLIENT}`);
    const href = await byId(page, 'export-ics').getAttribute('href');
    const r = await admin.request.get(new URL(href, server.url).href);
    assert.equal(r.status(), 200);
    assert.match(r.headers()['content-type'], /text\/calendar/);
    const file = path.join(lib.WORK, 'export.ics');
    fs.writeFileSync(file, await r.body());
    // A real parser (python3-icalendar), as the command line's export test does.
    const check = lib.python(
      'import sys, icalendar\n' +
      'raw = open(sys.argv[1], "rb").read()\n' +
      'cal = icalendar.Calendar.from_ical(raw)\n' +
      'ev = [e for e in cal.walk("VEVENT")]\n' +
      'assert cal.get("PRODID") and not ev, ev\n' +
      'assert sys.argv[2].encode() not in raw, "a name in the calendar"\n' +
      'print(len(ev))\n', [file, CLIENT_NAME]);
    assert.equal(check.status, 0, check.stderr);
    assert.equal(Number(check.stdout), 0);
  });

  step('refuses a forged POST without the token, and one from another site', async () => {
    const before = (await history(admin)).sessions.length;
    const form = { date: TODAY, device: 'skinpen', zone0: 'forehead', depth0: '0.5', passes0: '2', adverse_events: 'none' };
    const url = `${server.url}/clients/${CLIENT}/sessions`;
    const forged = await admin.request.post(url, { form, maxRedirects: 0 });
    assert.equal(forged.status(), 403, 'a POST without the CSRF token was not refused');
    const csrf = await csrfOf(page);
    // One hex digit changed (to a different digit: a token ending in 0 must not be "forged" into
    // itself, which made this check fail one run in sixteen).
    const last = csrf.slice(-1);
    const forgedToken = `${csrf.slice(0, -1)}${last === '0' ? '1' : '0'}`;
    assert.notEqual(forgedToken, csrf);
    const wrong = await admin.request.post(url, { form: { ...form, csrf: forgedToken }, maxRedirects: 0 });
    assert.equal(wrong.status(), 403, 'a POST with a wrong CSRF token was not refused');
    const cross = await admin.request.post(url, {
      form: { ...form, csrf }, maxRedirects: 0,
      headers: { Origin: 'http://evil.example', 'Sec-Fetch-Site': 'cross-site' },
    });
    assert.equal(cross.status(), 403, 'a cross-site POST with the token was not refused');
    assert.equal((await history(admin)).sessions.length, before, 'a refused POST recorded a session');
    // The control: the same token in a same-origin form is accepted (the refusals above are
    // the token's and origin's doing, not a broken form). Another day: the forehead's session
    // of today is recorded already, and a session recorded twice is refused. A day before
    // today's is sooner than the minimum interval, which needs a reason (docs/records.md).
    const good = await admin.request.post(url, {
      form: { ...form, date: '2027-03-31', csrf, override: 'control request, a day apart' }, maxRedirects: 0,
    });
    assert.equal(good.status(), 303, await good.text());
    assert.equal((await history(admin)).sessions.length, before + 1);
    // Today's forehead session sent again (a double submit): refused, nothing recorded, even
    // with a reason given for the control's short interval.
    const again = await admin.request.post(url, {
      form: { ...form, csrf, override: 'control request, a day apart' }, maxRedirects: 0,
    });
    assert.equal(again.status(), 422, 'a session recorded twice was accepted');
    assert.match(await again.text(), /already recorded/);
    assert.equal((await history(admin)).sessions.length, before + 1);
  });

  step('lets a read-only user read but not chart', async () => {
    await page.goto(`${server.url}/users`);
    await shot(page, '11-users');
    // The add form's fields (each user's row has its own password field for a reset).
    const add = (name) => page.locator(`#user-add [name="${name}"]`);
    await add('name').fill(READER.user);
    await add('password').fill(READER.password);
    await add('role').selectOption('read-only');
    await Promise.all([page.waitForNavigation(), byId(page, 'user-save').click()]);
    assert.ok(!(await byId(page, 'error').count()), await page.content());
    assert.match(await byId(page, 'message').innerText(), /user added/i);
    const ctx = await browser.newContext();
    const rp = await signIn(ctx, READER.user, READER.password);
    assert.equal(new URL(rp.url()).pathname, '/clients');
    await rp.goto(`${server.url}/clients/${CLIENT}`);
    assert.equal(await byId(rp, 'chart-session').count(), 0, 'a read-only user is offered charting');
    assert.equal(await byId(rp, 'record-adverse-event').count(), 0, 'a read-only user is offered the adverse-event form');
    assert.equal(await rp.locator('#adverse-events tbody tr', { hasText: /hyperpigmentation/i }).count(), 1,
      'a read-only user does not see the adverse events');
    assert.equal(await byId(rp, 'new-client').count(), 0);
    const form = await rp.goto(`${server.url}/clients/${CLIENT}/sessions/new`);
    assert.equal(form.status(), 403);
    await rp.goto(`${server.url}/clients/${CLIENT}`);
    const before = (await history(ctx)).sessions.length;
    const post = await ctx.request.post(`${server.url}/clients/${CLIENT}/sessions`, {
      form: { csrf: await csrfOf(rp), date: TODAY, device: 'skinpen', zone0: 'forehead', depth0: '0.5', passes0: '2', adverse_events: 'none' },
      maxRedirects: 0,
    });
    assert.equal(post.status(), 403, 'a read-only user charted a session');
    assert.equal((await history(ctx)).sessions.length, before);
    // The admin disables the reader: the reader's session ends at once; enabled again, the
    // same password signs in.
    await page.goto(`${server.url}/users`);
    await Promise.all([page.waitForNavigation(), byId(page, `disable-${READER.user}`).click()]);
    assert.match(await byId(page, 'message').innerText(), /disabled; 1 session ended/);
    assert.equal(await byId(page, `state-${READER.user}`).innerText(), 'disabled (by an admin)');
    assert.equal(await byId(page, `why-${READER.user}`).innerText(), '(by an admin)');
    await rp.goto(`${server.url}/clients`);
    assert.equal(new URL(rp.url()).pathname, '/signin', 'a disabled user kept the session');
    await Promise.all([page.waitForNavigation(), byId(page, `enable-${READER.user}`).click()]);
    assert.match(await byId(page, 'message').innerText(), /enabled/);
    const again = await signIn(ctx, READER.user, READER.password);
    assert.equal(new URL(again.url()).pathname, '/clients');
    await ctx.close();
  });

  step('finds no serious or critical accessibility violation on the main pages', async () => {
    const pages = new Map([
      ['clients', '/clients'], ['client', `/clients/${CLIENT}`], ['client-new', '/clients/new'],
      ['client-edit', `/clients/${CLIENT}/edit`], ['plan', `/clients/${CLIENT}/plan`],
      ['report', `/clients/${CLIENT}/report.html`], ['session-form', `/clients/${CLIENT}/sessions/new`],
      ['assessment-form', `/clients/${CLIENT}/assessments/new`],
      ['adverse-event-form', `/clients/${CLIENT}/adverse-events/new`], ['replan', `/clients/${CLIENT}/replan`],
      ['recall', '/recall'], ['catalog', '/catalog'], ['users', '/users'], ['account', '/account'],
    ]);
    const found = [];
    const p = await admin.newPage();
    for (const [name, url] of pages) {
      const r = await p.goto(`${server.url}${url}`);
      assert.equal(r.status(), 200, `${url}: ${r.status()}`);
      assert.equal(new URL(p.url()).pathname, url, `${url} went elsewhere`);
      await lib.screenshot(p, `a11y-${name}`);
      for (const v of await lib.axeSerious(p)) found.push(`${url}: ${v}`);
    }
    await p.close();
    const anon = await browser.newContext();
    const sp = await anon.newPage();
    await sp.goto(`${server.url}/signin`);
    for (const v of await lib.axeSerious(sp)) found.push(`/signin: ${v}`);
    await anon.close();
    assert.deepEqual(found, []);
  });

  step('signs out, and the old session no longer opens a page', async () => {
    await page.goto(`${server.url}/clients`);
    const old = await admin.cookies(server.url);
    await Promise.all([page.waitForNavigation(), byId(page, 'signout').click()]);
    assert.equal(new URL(page.url()).pathname, '/signin');
    assert.match(await byId(page, 'message').innerText(), /signed out/i);
    await shot(page, '12-signed-out');
    await page.goto(`${server.url}/clients`);
    assert.equal(new URL(page.url()).pathname, '/signin');
    // The old cookie, replayed from another browser, is dead on the server too.
    const replay = await browser.newContext();
    await replay.addCookies(old);
    const rp = await replay.newPage();
    await rp.goto(`${server.url}/clients`);
    assert.equal(new URL(rp.url()).pathname, '/signin');
    await replay.close();
  });
});
