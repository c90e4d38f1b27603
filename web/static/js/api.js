// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright 2026 The Lilac developers
// The HTTP API (shared/API.md): JSON in and out, the login's CSRF value on every request that
// changes something, and one error type for everything that can go wrong.

const BASE = '/api/v1';

// The CSRF value of this login: kept in memory only (the session cookie itself is HttpOnly).
let csrf = null;

export function setCsrf(value) {
  csrf = value;
}

export class ApiError extends Error {
  // status 0 means the gateway could not be reached at all.
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = code || (status === 0 ? 'network' : 'unknown');
  }

  // The gateway does not have this endpoint (yet): an older or newer API.
  get unsupported() {
    return (this.status === 404 && this.message === 'no such resource') || this.status === 405 ||
      this.status === 501;
  }
}

// One request; resolves to the parsed body (null for 204), rejects with an ApiError.
// options: body (sent as JSON), raw (a Blob/File sent as is), signal, timeout (ms).
export async function request(method, path, options = {}) {
  const headers = {};
  let body;
  if (options.raw !== undefined) {
    body = options.raw;
    headers['Content-Type'] = 'application/octet-stream';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['Content-Type'] = 'application/json';
  }
  if (method !== 'GET' && method !== 'HEAD' && csrf) {
    headers['X-Lilac-Csrf'] = csrf;
  }
  const controller = new AbortController();
  const abort = () => controller.abort();
  const timer = options.timeout ? setTimeout(abort, options.timeout) : null;
  if (options.signal) {
    if (options.signal.aborted) {
      abort();
    }
    options.signal.addEventListener('abort', abort, { once: true });
  }
  let response;
  let text;
  try {
    response = await fetch(BASE + path, {
      method,
      headers,
      body,
      credentials: 'same-origin',
      cache: 'no-store',
      signal: controller.signal,
    });
    text = await response.text();
  } catch (error) {
    throw new ApiError(0, options.signal?.aborted ? 'aborted' : 'network', error.message);
  } finally {
    if (timer) {
      clearTimeout(timer);
    }
    options.signal?.removeEventListener('abort', abort);
  }
  let data = null;
  if (text !== '') {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const error = data && typeof data.error === 'object' ? data.error : {};
    throw new ApiError(response.status, error.code, error.message || response.statusText);
  }
  return data;
}

export const get = (path, options) => request('GET', path, options);
export const post = (path, body, options = {}) => request('POST', path, { ...options, body });
export const patch = (path, body, options = {}) => request('PATCH', path, { ...options, body });
export const del = (path, options) => request('DELETE', path, options);

// "a=1&b=x" from an object, leaving out undefined values.
export function query(values) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== null) {
      params.set(key, String(value));
    }
  }
  return params.toString();
}
