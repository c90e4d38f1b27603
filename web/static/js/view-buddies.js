// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright 2026 The Lilac developers
// The buddy list of every account together: grouped, with presence, status message, idle time
// and the account each buddy belongs to; a filter; removing (adding is a dialog of forms.js).

import { del, query } from './api.js';
import { confirmDialog, formDialog } from './dialogs.js';
import { formatIdle, h, hiddenText, syncList } from './dom.js';
import { _, format, ngettext } from './i18n.js';
import { store } from './store.js';
import { toastError } from './toasts.js';
import { PRESENCE_LABELS } from './view-topbar.js';

const STATUS_ORDER = { available: 0, busy: 1, away: 2, invisible: 3, offline: 4 };

function buddyName(buddy) {
  return buddy.alias || buddy.name;
}

export function renderBuddies(app) {
  const filter = h('input', {
    type: 'search', id: 'buddy-filter', placeholder: _('Filter buddies'), 'aria-label': _('Filter buddies'),
    autocomplete: 'off', spellcheck: 'false',
  });
  const showOffline = h('input', { type: 'checkbox', id: 'buddy-offline' });
  const groups = h('div', { class: 'buddy-groups' });
  const empty = h('p', { class: 'empty' });

  function createGroup() {
    const group = h('section', { class: 'buddy-group' });
    group.heading = h('h3', {});
    group.list = h('ul', { class: 'buddy-list' });
    group.append(group.heading, group.list);
    return group;
  }

  function createBuddy() {
    const item = h('li', { class: 'buddy' });
    item.parts = {};
    item.parts.dot = h('span', { class: 'status-dot', 'aria-hidden': 'true' });
    item.parts.name = h('span', { class: 'buddy-name' });
    item.parts.status = hiddenText('');
    item.parts.detail = h('span', { class: 'buddy-detail' });
    item.parts.account = h('span', { class: 'buddy-account' });
    item.parts.open = h('button', { type: 'button', class: 'buddy-open', onclick: () => app.openBuddy(item.parts.buddy) },
      item.parts.dot, h('span', { class: 'buddy-text' }, h('span', { class: 'buddy-line' }, item.parts.name, item.parts.status), item.parts.detail, item.parts.account));
    item.parts.remove = h('button', { type: 'button', class: 'icon-button buddy-remove', onclick: () => removeBuddy(item.parts.buddy) }, '×');
    item.append(item.parts.open, item.parts.remove);
    return item;
  }

  function updateBuddy(item, buddy) {
    const presence = buddy.presence || {};
    const status = presence.status || 'offline';
    item.parts.buddy = buddy;
    item.dataset.status = status;
    item.parts.name.textContent = buddyName(buddy);
    item.parts.status.textContent = `, ${_(PRESENCE_LABELS[status] || status)}`;
    item.parts.detail.textContent = [presence.message, formatIdle(presence.idle)].filter(Boolean).join(' · ');
    item.parts.detail.hidden = item.parts.detail.textContent === '';
    item.parts.account.textContent = store.accountLabel(buddy.account);
    item.parts.remove.setAttribute('aria-label', format(_('Remove {buddy}'), { buddy: buddyName(buddy) }));
    item.parts.open.title = buddy.name;
  }

  function updateGroup(group, [name, buddies]) {
    const online = buddies.filter((buddy) => (buddy.presence?.status || 'offline') !== 'offline').length;
    group.heading.textContent = `${name || _('Buddies')} (${online}/${buddies.length})`;
    syncList(group.list, buddies, (buddy) => `${buddy.account}\n${buddy.name}`, createBuddy, updateBuddy);
  }

  function draw() {
    const words = filter.value.trim().toLocaleLowerCase();
    const byGroup = new Map();
    let shown = 0;
    for (const buddy of store.buddies.values()) {
      const status = buddy.presence?.status || 'offline';
      const text = `${buddy.alias} ${buddy.name} ${buddy.presence?.message || ''}`.toLocaleLowerCase();
      if (words ? !text.includes(words) : !showOffline.checked && status === 'offline') {
        continue;
      }
      if (!byGroup.has(buddy.group)) {
        byGroup.set(buddy.group, []);
      }
      byGroup.get(buddy.group).push(buddy);
      shown += 1;
    }
    for (const buddies of byGroup.values()) {
      buddies.sort((a, b) => (STATUS_ORDER[a.presence?.status] ?? 5) - (STATUS_ORDER[b.presence?.status] ?? 5) ||
        buddyName(a).localeCompare(buddyName(b)));
    }
    const sorted = [...byGroup.entries()].sort(([a], [b]) => (a || '').localeCompare(b || ''));
    syncList(groups, sorted, ([name]) => name, createGroup, updateGroup);
    if (store.buddies.size === 0) {
      empty.textContent = _('No buddies yet.');
    } else if (shown === 0) {
      empty.textContent = words ? _('No buddy matches the filter.') : format(
        ngettext('{count} buddy, all offline.', '{count} buddies, all offline.', store.buddies.size),
        { count: store.buddies.size });
    }
    empty.hidden = shown > 0;
  }

  async function removeBuddy(buddy) {
    const sure = await confirmDialog(format(_('Remove {buddy}?'), { buddy: buddyName(buddy) }),
      format(_('{buddy} is removed from the buddy list of {account}.'),
        { buddy: buddy.name, account: store.accountLabel(buddy.account) }), _('Remove'));
    if (!sure) {
      return;
    }
    try {
      await del(`/buddies?${query({ account: buddy.account, name: buddy.name })}`);
    } catch (error) {
      toastError(_('The buddy could not be removed'), error);
    }
  }

  filter.addEventListener('input', draw);
  filter.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && filter.value) {
      filter.value = '';
      draw();
      event.stopPropagation();
    }
  });
  showOffline.addEventListener('change', draw);
  app.on('buddies', draw);
  app.on('accounts', draw);
  draw();
  return h('div', { class: 'panel-body' },
    h('div', { class: 'panel-tools' },
      filter,
      h('div', { class: 'panel-tools-row' },
        h('label', { class: 'toggle' }, showOffline, _('Show offline buddies')),
        h('button', { type: 'button', onclick: () => formDialog('addBuddyDialog') }, _('Add buddy')))),
    empty, groups);
}
