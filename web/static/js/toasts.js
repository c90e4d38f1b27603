// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright 2026 The Lilac developers
// Short notices in a corner: libpurple's notifications, errors of the page's own requests.

import { ApiError } from './api.js';
import { h } from './dom.js';
import { _, format } from './i18n.js';

const LIFETIMES = { info: 8000, warning: 15000, error: 0 };
const MAX_TOASTS = 5;

let region = null;

// The live region toasts go to; made once per page build.
export function toastRegion() {
  region = h('section', { class: 'toasts', 'aria-label': _('Notifications'), 'aria-live': 'polite' });
  return region;
}

export function toast(level, title, text = '') {
  if (!region) {
    return null;
  }
  const item = h('div', { class: `toast toast-${level}`, role: level === 'error' ? 'alert' : 'status' },
    h('div', { class: 'toast-body' },
      title ? h('strong', { class: 'toast-title' }, title) : null,
      text ? h('p', { class: 'toast-text' }, text) : null),
    h('button', {
      type: 'button', class: 'icon-button toast-close', 'aria-label': _('Dismiss'),
      onclick: () => item.remove(),
    }, '×'));
  region.append(item);
  while (region.children.length > MAX_TOASTS) {
    region.firstElementChild.remove();
  }
  const lifetime = LIFETIMES[level] ?? LIFETIMES.info;
  if (lifetime) {
    setTimeout(() => item.remove(), lifetime);
  }
  return item;
}

const unsupportedShown = new Set();

// What went wrong, in words for the user.
export function errorText(error) {
  if (error instanceof ApiError && error.unsupported) {
    return _('This gateway cannot do that yet.');
  }
  if (error instanceof ApiError && error.status === 0) {
    return _('The gateway cannot be reached. Check your connection and try again.');
  }
  if (error instanceof ApiError) {
    return format(_('The gateway answered: {detail}'), { detail: error.message });
  }
  return error?.message || String(error);
}

// Tells the user that something they did failed. An endpoint this gateway lacks is said once.
export function toastError(what, error) {
  if (error instanceof ApiError && error.unsupported) {
    if (unsupportedShown.has(what)) {
      return;
    }
    unsupportedShown.add(what);
  }
  toast('error', what, errorText(error));
}
