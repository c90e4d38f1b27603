// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright 2026 The Lilac developers
// The unread count in the window title, and desktop notifications for messages that arrive while
// the user looks elsewhere (asked for on a click, as browsers require, and switchable off).

import { _, format } from './i18n.js';
import { store } from './store.js';

const STORAGE_KEY = 'lilac.notifications';

// The window's title, with the unread count before it; index.html's title is the same string
// (the gateway translates it).
export function updateTitle() {
  const unread = store.totalUnread();
  // TRANSLATORS: the page's title (the window, the tab): the program's name, with words that
  // say what it is when they help
  const title = _('Lilac');
  document.title = unread > 0 ? `(${unread}) ${title}` : title;
}

export function notificationsSupported() {
  return 'Notification' in window;
}

function wanted() {
  try {
    return localStorage.getItem(STORAGE_KEY) !== 'off';
  } catch {
    return true;
  }
}

export function notificationsOn() {
  return notificationsSupported() && Notification.permission === 'granted' && wanted();
}

function remember(on) {
  try {
    localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
  } catch {
    // the choice lasts for this page only
  }
}

// Called from a click: switches off, or on (asking the browser for permission the first time).
// Returns whether they are on afterwards.
export async function setNotifications(on) {
  if (!notificationsSupported()) {
    return false;
  }
  if (!on) {
    remember(false);
    return false;
  }
  if (Notification.permission !== 'granted' && (await Notification.requestPermission()) !== 'granted') {
    return false;
  }
  remember(true);
  return true;
}

// A message came in: tell the desktop when the user is not looking at its conversation.
// Every tab shows it under the same tag, so the desktop shows it once.
export function notifyMessage(message, conversation, looking, onClick) {
  if (!notificationsOn() || looking || message.direction !== 'in' || message.system) {
    return;
  }
  if (conversation.type === 'chat') {
    // a room speaks all day: only lines that name the user (their nick is the user name's first part)
    const nick = (store.accounts.get(conversation.account)?.username || '').split('@')[0].toLowerCase();
    if (!nick || !message.text.toLowerCase().includes(nick)) {
      return;
    }
  }
  const title = conversation.type === 'chat'
    ? format(_('{sender} in {room}'), { sender: message.from, room: store.conversationTitle(conversation) })
    : store.conversationTitle(conversation);
  const body = message.text.length > 200 ? `${message.text.slice(0, 200)}…` : message.text;
  try {
    const notification = new Notification(title, { body, tag: `lilac-${message.id}`, lang: document.documentElement.lang });
    notification.onclick = () => {
      window.focus();
      onClick();
      notification.close();
    };
  } catch {
    // some browsers only allow notifications from a service worker: the title still counts
  }
}
