// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright 2026 The Lilac developers
// The bar at the top: the user's presence for every account (POST /presence), open requests,
// and the menu (desktop notifications, language, log out).

import { post } from './api.js';
import { h } from './dom.js';
import { _, N_, format, ngettext } from './i18n.js';
import { notificationsOn, notificationsSupported, setNotifications } from './notifications.js';
import { store } from './store.js';
import { toastError } from './toasts.js';
import { languageSelect } from './view-login.js';

export const PRESENCE_LABELS = {
  available: N_('Available'),
  away: N_('Away'),
  busy: N_('Busy'),
  invisible: N_('Invisible'),
  offline: N_('Offline'),
};

export function renderTopbar(app) {
  const status = h('select', { id: 'presence-status', 'aria-label': _('Your status') },
    Object.entries(PRESENCE_LABELS).map(([value, label]) => h('option', { value }, _(label))));
  const message = h('input', {
    id: 'presence-message', type: 'text', maxlength: 256, placeholder: _('Status message'),
    'aria-label': _('Status message'), autocomplete: 'off',
  });
  const presence = h('form', { class: 'presence', dataset: { status: store.presence.status } }, status, message);

  // the presence last sent or heard from the gateway, so that Enter and the change after it
  // send it once; posts go one after the other, so the last one wanted is the one that stays
  let sent = '';
  let posting = Promise.resolve();
  function setPresence() {
    const wanted = { status: status.value, message: message.value.trim() };
    if (`${wanted.status}\n${wanted.message}` === sent) {
      return;
    }
    sent = `${wanted.status}\n${wanted.message}`;
    presence.dataset.status = wanted.status;
    posting = posting.then(async () => {
      try {
        await post('/presence', wanted);
        store.presence = wanted;
      } catch (error) {
        toastError(_('Your status could not be changed'), error);
        showPresence();
      }
    });
  }
  function showPresence() {
    status.value = store.presence.status in PRESENCE_LABELS ? store.presence.status : 'available';
    if (document.activeElement !== message) {
      message.value = store.presence.message || '';
    }
    presence.dataset.status = status.value;
    sent = `${status.value}\n${(store.presence.message || '').trim()}`;
  }
  status.addEventListener('change', setPresence);
  message.addEventListener('change', setPresence);
  presence.addEventListener('submit', (event) => {
    event.preventDefault();
    setPresence();
    message.blur();
  });

  const requests = h('button', { type: 'button', class: 'requests-button', hidden: true, onclick: () => app.showNextRequest() });
  function showRequests() {
    const count = store.requests.size;
    requests.hidden = count === 0;
    requests.textContent = format(ngettext('{count} request', '{count} requests', count), { count });
  }

  const notify = h('button', { type: 'button', class: 'menu-item', hidden: !notificationsSupported() });
  let notifyShown = false;
  function showNotify() {
    notifyShown = notificationsOn();
    notify.textContent = notifyShown ? _('Turn off desktop notifications') : _('Turn on desktop notifications');
  }
  notify.addEventListener('click', async () => {
    await setNotifications(!notifyShown);
    showNotify();
  });

  const menu = h('details', { class: 'menu' },
    h('summary', { 'aria-label': _('Menu') }, h('span', { class: 'menu-icon', 'aria-hidden': 'true' }), h('span', { class: 'menu-label' }, store.user?.name || _('Menu'))),
    h('div', { class: 'menu-panel' },
      h('p', { class: 'menu-user' }, format(_('Logged in as {name}'), { name: store.user?.name || '' })),
      notify,
      h('div', { class: 'menu-item menu-language' },
        h('label', { for: 'menu-language' }, _('Language')), languageSelect(app, 'menu-language')),
      h('a', { class: 'menu-item', href: '/m/' }, _('Light view')),
      h('button', { type: 'button', class: 'menu-item', onclick: () => app.logOut() }, _('Log out'))));
  menu.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && menu.open) {
      menu.open = false;
      menu.querySelector('summary').focus();
      event.stopPropagation();
    }
  });
  app.listen(document, 'click', (event) => {
    if (menu.open && !menu.contains(event.target)) {
      menu.open = false;
    }
  });

  const bar = h('header', { class: 'topbar' },
    h('span', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), h('span', { class: 'brand-name' }, 'Lilac')),
    presence, requests, menu);

  app.on('presence', showPresence);
  app.on('requests', showRequests);
  showPresence();
  showRequests();
  showNotify();
  return bar;
}
