// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright 2026 The Lilac developers
// The unread count in the window title, and desktop notifications for messages that arrive while
// the user looks elsewhere (asked for on a click, as browsers require, and switchable off).

import { _, format } from './i18n.js';
import { store } from './store.js';

const STORAGE_KEY = 'lilac.notifications';
const BASE_TITLE = 'Lilac';

export function updateTitle() {
  const unread = store.totalUnread();
  document.title = unread > 0 ? `(${unread}) ${BASE_TITLE}` : BASE_TITLE;
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

// Called from a click: asks the browser for permission the first time, else switches on and off.
export async function toggleNotifications() {
  if (!notificationsSupported()) {
    return false;
  }
  if (Notification.permission === 'granted') {
    const on = !wanted();
    try {
      localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
    } catch {
      // the choice lasts for this page only
    }
    return on;
  }
  const permission = await Notification.requestPermission();
  if (permission === 'granted') {
    try {
      localStorage.setItem(STORAGE_KEY, 'on');
    } catch {
      // the choice lasts for this page only
    }
  }
  return permission === 'granted';
}

// A message came in: tell the desktop when the user is not looking at its conversation.
// Every tab shows it under the same tag, so the desktop shows it once.
export function notifyMessage(message, conversation, looking, onClick) {
  if (!notificationsOn() || looking || message.direction !== 'in' || message.system) {
    return;
  }
  const title = conversation.type === 'chat'
    ? format(_('{sender} in {room}'), { sender: message.from, room: conversation.title })
    : conversation.title;
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
