'use strict';
// Helpers of the browser tests (tests/e2e/run.sh runs them): start `mneedle serve` on a free
// loopback port and stop it whatever happens, drive Debian's chromium with playwright-core
// (never a downloaded browser), save screenshots, run axe-core in a page.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const SOURCE = process.env.MN_SOURCE_DIR;
const MNEEDLE = process.env.MNEEDLE;
const WORK = process.env.MN_E2E_TMP; // run.sh's temporary directory, removed by it
const ARTEFACTS = process.env.MN_E2E_ARTEFACTS;
const CHROMIUM = process.env.MN_CHROMIUM || '/usr/bin/chromium';
for (const [k, v] of Object.entries({ MN_SOURCE_DIR: SOURCE, MNEEDLE, MN_E2E_TMP: WORK, MN_E2E_ARTEFACTS: ARTEFACTS }))
  if (!v) throw new Error(`${k} is not set: run the browser tests through tests/e2e/run.sh`);
const modules = path.join(SOURCE, 'node_modules');
const { chromium, request: pwRequest } = require(path.join(modules, 'playwright-core'));
const AXE_SOURCE = fs.readFileSync(path.join(modules, 'axe-core', 'axe.min.js'), 'utf8');

// How long the server may take to print its address (a demo database plans every example
// client first; under valgrind-free optimised builds this takes well under a second, the
// margin is for a loaded machine).
const START_TIMEOUT_MS = 60000;
// How long a stopped server may take to finish its requests in flight before SIGKILL.
const STOP_TIMEOUT_MS = 10000;

// Starts `mneedle serve ARGS --port 0` and resolves, once it printed its address ("mneedle:
// serving on http://127.0.0.1:PORT/") and what @p ready matches, to { url, proc, out() }.
// The pid goes to WORK/server.pid so run.sh can kill a server this process failed to stop
// (it kills nothing else).
function startServer(args, { env = {}, ready = /./ } = {}) {
  const proc = spawn(MNEEDLE, ['serve', ...args, '--bind', '127.0.0.1', '--port', '0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  fs.writeFileSync(path.join(WORK, 'server.pid'), `${proc.pid}\n`);
  let text = '';
  const server = { proc, url: null, out: () => text, exited: null };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stopServer(server).finally(() => reject(new Error(`mneedle serve printed no address in ${START_TIMEOUT_MS} ms:\n${text}`)));
    }, START_TIMEOUT_MS);
    const look = (chunk) => {
      text += chunk.toString();
      const m = /serving on http:\/\/127\.0\.0\.1:(\d+)\//.exec(text);
      if (m && ready.test(text) && !server.url) {
        server.url = `http://127.0.0.1:${m[1]}`;
        clearTimeout(timer);
        resolve(server);
      }
    };
    proc.stdout.on('data', look);
    proc.stderr.on('data', look);
    proc.on('exit', (code, signal) => {
      server.exited = { code, signal };
      if (!server.url) {
        clearTimeout(timer);
        try { fs.unlinkSync(path.join(WORK, 'server.pid')); } catch { /* already gone */ }
        reject(new Error(`mneedle serve exited (${code ?? signal}) before printing its address:\n${text}`));
      }
    });
    proc.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

// Stops the server: SIGTERM, then SIGKILL if it has not exited in STOP_TIMEOUT_MS. Resolves
// with how it exited.
function stopServer(server) {
  const { proc } = server;
  if (server.exited) return Promise.resolve(server.exited);
  return new Promise((resolve) => {
    const kill = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
    proc.once('exit', (code, signal) => {
      clearTimeout(kill);
      server.exited = { code, signal };
      try { fs.unlinkSync(path.join(WORK, 'server.pid')); } catch { /* already gone */ }
      resolve(server.exited);
    });
    proc.kill('SIGTERM');
  });
}

// Debian's chromium, headless. As root chromium needs --no-sandbox; otherwise the sandbox stays.
function launchBrowser() {
  const args = process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [];
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}

// A full-page screenshot kept as a test artefact: ARTEFACTS/NAME.png.
async function screenshot(page, name) {
  fs.mkdirSync(ARTEFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTEFACTS, `${name}.png`), fullPage: true });
}

// axe-core over the page as it stands (WCAG 2.x A and AA rules and best practices); returns
// the violations of impact serious or critical, each as "rule (impact): target...".
async function axeSerious(page) {
  // evaluate() goes through the DevTools protocol, so the pages' Content-Security-Policy (no
  // inline script) does not block the injected checker, and the page is left as it was.
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help}; ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

// Runs /usr/bin/python3 with a script and arguments; returns { status, stdout, stderr }.
function python(script, args) {
  return spawnSync('/usr/bin/python3', ['-c', script, ...args], { encoding: 'utf8' });
}

module.exports = { SOURCE, MNEEDLE, WORK, ARTEFACTS, startServer, stopServer, launchBrowser, screenshot, axeSerious, python, pwRequest };
