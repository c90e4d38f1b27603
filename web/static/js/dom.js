// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright 2026 The Lilac developers
// Building the page: elements made with h(), text always inserted as text (never parsed as HTML),
// links found in message text, times and idle durations in the page's language.

import { _, format, getLanguage, languageTag, ngettext } from './i18n.js';

// h('button', { class: 'x', onclick: f, 'aria-label': 'y' }, 'text', child, [more])
// Attributes: on* are listeners; true/false toggle boolean attributes; null/undefined are skipped.
// Children: strings become text nodes; arrays are flattened; null/false are skipped.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'value' || name === 'checked' || name === 'selected') {
      element[name] = value;
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

export function clear(element) {
  element.replaceChildren();
  return element;
}

let nextId = 0;
export function uniqueId(prefix) {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

// Text seen by screen readers only.
export function hiddenText(text) {
  return h('span', { class: 'visually-hidden' }, text);
}

// Keeps a list's children in step with items without rebuilding the ones that stay (so focus
// and scroll positions survive): key(item) names a child, create(item) makes one,
// update(node, item) refreshes it.
export function syncList(list, items, key, create, update) {
  const existing = new Map();
  for (const child of list.children) {
    existing.set(child.dataset.key, child);
  }
  let cursor = list.firstElementChild;
  for (const item of items) {
    const name = String(key(item));
    let node = existing.get(name);
    if (node) {
      existing.delete(name);
      update(node, item);
    } else {
      node = create(item);
      node.dataset.key = name;
      update(node, item);
    }
    if (node !== cursor) {
      list.insertBefore(node, cursor);
    } else {
      cursor = cursor.nextElementSibling;
    }
  }
  for (const node of existing.values()) {
    node.remove();
  }
}

// ---------------------------------------------------------------------------------- Links

const LINK = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?'")\]}>]+$/;

function trimLink(candidate) {
  let link = candidate;
  // keep a closing bracket that closes one opened inside the link (Wikipedia-style URLs)
  while (TRAILING.test(link)) {
    const last = link.slice(-1);
    const opener = { ')': '(', ']': '[', '}': '{' }[last];
    if (opener && link.split(opener).length >= link.split(last).length) {
      break;
    }
    link = link.slice(0, -1);
  }
  return link;
}

function safeHref(link) {
  try {
    const url = new URL(/^www\./i.test(link) ? `https://${link}` : link);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

// Text with its http(s) links as <a> elements; everything is inserted as text.
export function linkify(text) {
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    const link = trimLink(match[0]);
    const href = safeHref(link);
    if (!href) {
      continue;
    }
    if (match.index > last) {
      nodes.push(document.createTextNode(text.slice(last, match.index)));
    }
    nodes.push(h('a', { href, target: '_blank', rel: 'noopener noreferrer nofollow' }, link));
    last = match.index + link.length;
  }
  if (last < text.length) {
    nodes.push(document.createTextNode(text.slice(last)));
  }
  return nodes;
}

// ---------------------------------------------------------------------------------- Times

function locale() {
  return languageTag(getLanguage());
}

export function formatTime(time) {
  return new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit' }).format(new Date(time));
}

export function formatDateTime(time) {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(time));
}

export function sameDay(a, b) {
  const first = new Date(a);
  const second = new Date(b);
  return first.getFullYear() === second.getFullYear() && first.getMonth() === second.getMonth() &&
    first.getDate() === second.getDate();
}

export function formatDay(time) {
  const now = Date.now();
  if (sameDay(time, now)) {
    return _('Today');
  }
  if (sameDay(time, now - 86400000)) {
    return _('Yesterday');
  }
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'full' }).format(new Date(time));
}

// Idle time: libpurple gives the moment idleness began (seconds since the epoch) or a duration.
export function formatIdle(idle) {
  if (!idle) {
    return '';
  }
  const seconds = idle > 1e9 ? Math.max(0, Date.now() / 1000 - idle) : idle;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return format(ngettext('idle {count} minute', 'idle {count} minutes', minutes), { count: minutes });
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 48) {
    return format(ngettext('idle {count} hour', 'idle {count} hours', hours), { count: hours });
  }
  const days = Math.floor(hours / 24);
  return format(ngettext('idle {count} day', 'idle {count} days', days), { count: days });
}

// Compares message ids (decimal strings of any length).
export function compareIds(a, b) {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
