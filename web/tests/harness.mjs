// Shared helpers of the browser tests: a free port, the real demo server
// (`hotspot serve --demo`), headless Chromium, and a clean shutdown. `HOTSPOT_BIN` overrides
// the server binary, `CHROMIUM` the browser (default Debian's `/usr/bin/chromium`).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const WEB = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = resolve(WEB, '..');
export const BIN = process.env.HOTSPOT_BIN ?? join(ROOT, 'target', 'debug', 'hotspot');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
/** The demo builds its store from the fixtures first: allow a slow debug build. */
export const STARTUP_MS = 180_000;

/** A TCP port free on loopback now. */
export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** Starts `hotspot serve --demo` on `port`; resolves to `{child, url}` once it serves. */
export function startServer(port) {
  return new Promise((ok, fail) => {
    const child = spawn(BIN, ['serve', '--demo', '--addr', `127.0.0.1:${port}`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => fail(new Error(`no "Serving the map at" line within ${STARTUP_MS} ms; output so far:\n${out}`)), STARTUP_MS);
    const onData = (chunk) => {
      out += chunk;
      const m = /Serving the map at (http:\/\/\S+?)\/?(\s|$)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok({ child, url: m[1] });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => { clearTimeout(timer); fail(new Error(`cannot start ${BIN}: ${e.message} (build it with \`cargo build\`, or set HOTSPOT_BIN)`)); });
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`${BIN} exited with ${code} before serving:\n${out}`)); });
  });
}

/** Stops a server started by `startServer` (SIGTERM, then SIGKILL after 10 s). */
export async function stopServer(child) {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((ok) => child.once('exit', ok));
  child.kill('SIGTERM');
  const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(forced);
}

/** Headless Chromium with a fresh profile (1280 × 800 unless `viewport` says otherwise);
 * `close()` also removes the profile. */
export async function launchBrowser({ viewport = { width: 1280, height: 800 } } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'hotspot-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport,
    acceptDownloads: true,
    reducedMotion: 'reduce',
  });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
