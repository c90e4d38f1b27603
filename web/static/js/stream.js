// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright 2026 The Lilac developers
// Snapshot, then stream: GET /state, then GET /events?since=SEQ in a loop, each event applied
// once. A "resync" (or another epoch: the gateway restarted) reloads /state; a failed request
// is retried with backoff while the page says it is reconnecting. Nothing here reloads the page.

import { ApiError, get, query } from './api.js';
import { store } from './store.js';

const POLL_SECONDS = 25;
const FIRST_DELAY = 500;
const MAX_DELAY = 30000;

function backoff(failures) {
  const delay = Math.min(MAX_DELAY, FIRST_DELAY * 2 ** (failures - 1));
  return Math.round(delay * (0.8 + Math.random() * 0.4));
}

export class Stream {
  // onState({ state: 'connected'|'reconnecting', retryAt, failures }); onEnded(): the login ended;
  // onSnapshot(): a /state was applied.
  constructor({ onState, onEnded, onSnapshot }) {
    this.onState = onState;
    this.onEnded = onEnded;
    this.onSnapshot = onSnapshot;
    this.running = false;
    this.controller = null;
    this.wake = null;
    this.failures = 0;
    this.needSnapshot = true;
  }

  start() {
    if (this.running) {
      return;
    }
    this.running = true;
    this.needSnapshot = true;
    this.loop();
  }

  stop() {
    this.running = false;
    this.controller?.abort();
    this.wake?.();
  }

  // Skips the wait before the next try (the "retry now" button, the browser going online).
  retryNow() {
    this.wake?.();
  }

  // The next poll starts over from a fresh /state.
  resync() {
    this.needSnapshot = true;
    this.controller?.abort();
  }

  async loop() {
    while (this.running) {
      this.controller = new AbortController();
      try {
        await this.step(this.controller.signal);
        if (this.failures) {
          this.failures = 0;
          this.onState({ state: 'connected' });
        }
      } catch (error) {
        if (!this.running) {
          break;
        }
        if (error instanceof ApiError && error.status === 401) {
          this.running = false;
          this.onEnded();
          break;
        }
        if (error instanceof ApiError && error.code === 'aborted') {
          continue;
        }
        this.failures += 1;
        const delay = backoff(this.failures);
        this.onState({ state: 'reconnecting', retryAt: Date.now() + delay, failures: this.failures });
        await this.sleep(delay);
      }
    }
  }

  async step(signal) {
    if (this.needSnapshot) {
      const state = await get('/state', { signal, timeout: 30000 });
      store.applySnapshot(state);
      this.needSnapshot = false;
      this.onSnapshot?.();
      return;
    }
    const path = `/events?${query({ since: store.seq, epoch: store.epoch, timeout: POLL_SECONDS })}`;
    const answer = await get(path, { signal, timeout: (POLL_SECONDS + 20) * 1000 });
    const events = Array.isArray(answer?.events) ? answer.events : [];
    if ((answer?.epoch && answer.epoch !== store.epoch) || events.some((event) => event.type === 'resync')) {
      this.needSnapshot = true;
      return;
    }
    for (const event of events) {
      store.applyEvent(event);
    }
    if (typeof answer?.next === 'number' && answer.next > store.seq) {
      store.seq = answer.next;
    }
  }

  sleep(delay) {
    return new Promise((resolve) => {
      const timer = setTimeout(done, delay);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }
}
