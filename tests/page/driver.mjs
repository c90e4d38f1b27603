// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright 2026 The Lilac developers
// Drives Debian's Chromium for tests/page/test_page.py: one JSON command a line on stdin, one JSON
// answer a line on stdout ({"id","ok","value"} or {"id","ok":false,"error"}). The commands are thin
// wrappers around playwright-core, so that the test itself (peers, gateway restarts, checks) is
// written once, in Python, with the integration harness. No browser is ever downloaded.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.LILAC_CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DEFAULT_TIMEOUT = 15000;

// What the page does that a test wants to know, recorded before any script of the page runs.
// (Playwright adds this through the DevTools protocol, so the page's CSP does not apply to it.)
const RECORDER = `(() => {
  const record = window.__lilacTest = { notifications: [], violations: [], alerts: [], permissionRequests: [] };
  document.addEventListener('securitypolicyviolation', (event) => {
    record.violations.push({ directive: event.violatedDirective, blocked: event.blockedURI, sample: event.sample });
  });
  for (const name of ['alert', 'confirm', 'prompt']) {
    const original = window[name];
    window[name] = function (...args) {
      record.alerts.push({ name, args: args.map(String) });
      return original.apply(this, args);
    };
  }
  if (window.Notification) {
    const Original = window.Notification;
    const Recorded = function (title, options) {
      record.notifications.push({ title: String(title), body: String((options && options.body) || ''), tag: String((options && options.tag) || '') });
      return new Original(title, options);
    };
    Object.defineProperty(Recorded, 'permission', { get: () => Original.permission });
    // the browser's question: whether a click asked it (transient user activation), and the
    // answer the test chose for the person in front of it (see the permissionPrompt command)
    Recorded.requestPermission = async (...args) => {
      record.permissionRequests.push({
        activation: Boolean(navigator.userActivation && navigator.userActivation.isActive),
        permission: Original.permission,
      });
      if (window.__lilacPermissionPrompt) {
        await window.__lilacPermissionPrompt('notifications');
      }
      return Original.requestPermission(...args);
    };
    Recorded.prototype = Original.prototype;
    window.Notification = Recorded;
  }
})();`;

const contexts = new Map();
const promptAnswers = new Map();   // context name -> what the person answers the browser's question
const pages = new Map();
const profiles = [];
let mainContext = null;

function pageRecord(name) {
  const page = pages.get(name);
  if (!page) {
    throw new Error(`no page named ${name}`);
  }
  return page;
}

function watch(name, page) {
  const record = { page, dialogs: [], errors: [], console: [], responses: [], failures: [] };
  page.on('dialog', (dialog) => {
    record.dialogs.push({ type: dialog.type(), message: dialog.message() });
    dialog.dismiss().catch(() => {});
  });
  page.on('pageerror', (error) => record.errors.push(String(error.stack || error)));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      record.console.push(`${message.type()}: ${message.text()}`);
    }
  });
  page.on('requestfailed', (request) => {
    record.failures.push({ url: request.url(), time: Date.now(), error: request.failure()?.errorText || '' });
  });
  page.on('response', async (response) => {
    const entry = { url: response.url(), status: response.status(), headers: response.headers(), size: null };
    record.responses.push(entry);
    try {
      entry.size = (await response.body()).length;
    } catch {
      entry.size = null;
    }
  });
  pages.set(name, record);
  return record;
}

async function launch(options) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'lilac-chromium-'));
  profiles.push(profile);
  mainContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    ...options,
  });
  mainContext.setDefaultTimeout(DEFAULT_TIMEOUT);
  await prepare('main', mainContext);
  return mainContext.browser().version();
}

async function newContext(name, options) {
  const context = await mainContext.browser().newContext({ viewport: { width: 1280, height: 800 }, ...options });
  context.setDefaultTimeout(DEFAULT_TIMEOUT);
  await prepare(name, context);
}

// The recorder, and the person's answer to a permission prompt: "granted" grants the permission
// to the asking page's origin before the browser's own requestPermission runs; anything else
// leaves the browser to answer.
async function prepare(name, context) {
  await context.addInitScript(RECORDER);
  await context.exposeBinding('__lilacPermissionPrompt', async (source, permission) => {
    if (promptAnswers.get(name) === 'granted') {
      await context.grantPermissions([permission], { origin: new URL(source.page.url()).origin });
    }
  });
  contexts.set(name, context);
}

function locator(page, chain) {
  let target = page;
  for (const [method, ...args] of chain) {
    target = target[method](...args);
  }
  return target;
}

const COMMANDS = {
  launch: ({ options }) => launch(options || {}),
  context: ({ name, options }) => newContext(name, options || {}),
  offline: ({ context, offline }) => contexts.get(context || 'main').setOffline(Boolean(offline)),
  permissionPrompt: ({ context, answer }) => {
    promptAnswers.set(context || 'main', answer);
  },
  permissions: ({ context, permissions, origin }) => contexts.get(context || 'main').grantPermissions(permissions, { origin }),
  page: async ({ name, context }) => {
    const page = await contexts.get(context || 'main').newPage();
    watch(name, page);
  },
  closePage: ({ page }) => pageRecord(page).page.close(),
  closeContext: ({ name }) => contexts.get(name).close(),
  // page.METHOD(...args), e.g. goto, reload, bringToFront, setViewportSize, title, waitForFunction
  call: ({ page, method, args }) => pageRecord(page).page[method](...(args || [])),
  // a value computed in the page: the expression is evaluated as is (a string, not a function)
  evaluate: ({ page, expression }) => pageRecord(page).page.evaluate(expression),
  // page.locator(...)/getByLabel(...)/... chained, then METHOD(...args) on the result
  locate: ({ page, chain, method, args }) => locator(pageRecord(page).page, chain)[method](...(args || [])),
  // clicks what the chain names and waits for the download it starts: its name, size and SHA-256
  download: async ({ page, chain }) => {
    const target = pageRecord(page).page;
    const [download] = await Promise.all([target.waitForEvent('download'), locator(target, chain).click()]);
    const failure = await download.failure();
    if (failure) {
      throw new Error(`the download failed: ${failure}`);
    }
    const data = fs.readFileSync(await download.path());
    await download.delete();
    return {
      name: download.suggestedFilename(),
      size: data.length,
      sha256: crypto.createHash('sha256').update(data).digest('hex'),
    };
  },
  keyboard: ({ page, method, args }) => pageRecord(page).page.keyboard[method](...(args || [])),
  screenshot: ({ page, file, fullPage }) => pageRecord(page).page.screenshot({ path: file, fullPage: Boolean(fullPage) }).then(() => file),
  record: async ({ page }) => {
    const entry = pageRecord(page);
    let inPage = null;
    try {
      inPage = await entry.page.evaluate('window.__lilacTest');
    } catch {
      inPage = null;
    }
    return {
      dialogs: entry.dialogs, errors: entry.errors, console: entry.console, responses: entry.responses,
      failures: entry.failures, page: inPage,
    };
  },
  clearResponses: ({ page }) => {
    pageRecord(page).responses = [];
  },
  close: async () => {
    for (const context of [...contexts.values()].reverse()) {
      await context.close().catch(() => {});
    }
    contexts.clear();
    for (const profile of profiles) {
      fs.rmSync(profile, { recursive: true, force: true });
    }
  },
};

// Playwright objects (a Response from goto, an ElementHandle) are not sent back, only plain values.
function plain(value) {
  if (value === undefined || value === null) {
    return null;
  }
  if (typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype) {
    return null;
  }
  return value;
}

function answer(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

async function run(line) {
  let command;
  try {
    command = JSON.parse(line);
  } catch (error) {
    answer({ id: null, ok: false, error: `not JSON: ${error.message}` });
    return;
  }
  try {
    const handler = COMMANDS[command.op];
    if (!handler) {
      throw new Error(`unknown command ${command.op}`);
    }
    const value = await handler(command);
    answer({ id: command.id, ok: true, value: plain(value) });
  } catch (error) {
    answer({ id: command.id, ok: false, error: String(error && error.message ? error.message : error) });
  }
}

const input = readline.createInterface({ input: process.stdin });
let queue = Promise.resolve();
input.on('line', (line) => {
  queue = queue.then(() => run(line));
});
input.on('close', () => {
  queue.then(() => COMMANDS.close()).finally(() => process.exit(0));
});
