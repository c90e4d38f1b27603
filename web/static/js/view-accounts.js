// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright 2026 The Lilac developers
// The IM accounts: a list with live status and errors, enabling and removing; the add/edit
// form is in forms.js.

import { del, get, patch } from './api.js';
import { confirmDialog, formDialog } from './dialogs.js';
import { h, syncList } from './dom.js';
import { _, N_, format } from './i18n.js';
import { store } from './store.js';
import { toastError } from './toasts.js';

export const ACCOUNT_STATUS_LABELS = {
  offline: N_('Offline'),
  connecting: N_('Connecting…'),
  online: N_('Online'),
  error: N_('Error'),
};

export async function loadProtocols() {
  const protocols = await get('/protocols');
  store.protocols = (Array.isArray(protocols) ? protocols : [])
    .sort((a, b) => a.name.localeCompare(b.name));
}

// An Account from an answer; the status events already applied are newer than the answer.
export function mergeAccount(account, quiet) {
  store.mergeAccount(account);
  if (!quiet) {
    store.emit('accounts');
  }
}

async function reloadAccounts() {
  try {
    const accounts = await get('/accounts');
    for (const account of accounts) {
      mergeAccount(account, true);
    }
    store.emit('accounts');
  } catch {
    // the next snapshot brings them
  }
}

export function renderAccounts(app) {
  const list = h('ul', { class: 'account-list', 'aria-label': _('Your accounts') });
  const empty = h('p', { class: 'empty' }, _('No accounts yet. Add one to get online.'));
  let reloading = null;

  function createItem() {
    const item = h('li', { class: 'account' });
    item.parts = {};
    item.parts.dot = h('span', { class: 'status-dot', 'aria-hidden': 'true' });
    item.parts.name = h('span', { class: 'account-name' });
    item.parts.meta = h('span', { class: 'account-meta' });
    item.parts.error = h('span', { class: 'account-error' });
    item.parts.enabled = h('input', { type: 'checkbox', onchange: () => setEnabled(item.parts.account, item.parts.enabled.checked) });
    item.append(
      h('div', { class: 'account-main' }, item.parts.dot, h('div', { class: 'account-text' }, item.parts.name, item.parts.meta, item.parts.error)),
      h('div', { class: 'account-actions' },
        h('label', { class: 'toggle' }, item.parts.enabled, _('Enabled')),
        h('button', { type: 'button', onclick: () => formDialog('accountDialog', app, item.parts.account) }, _('Edit')),
        h('button', { type: 'button', class: 'danger', onclick: () => removeAccount(item.parts.account) }, _('Remove'))));
    return item;
  }

  function updateItem(item, account) {
    const protocol = store.protocol(account.protocol);
    const status = account.enabled ? account.status || 'offline' : 'offline';
    item.parts.account = account;
    item.dataset.status = status;
    item.parts.name.textContent = account.alias || account.username;
    item.parts.meta.textContent = [protocol ? protocol.name : account.protocol,
      account.alias ? account.username : null,
      account.enabled ? _(ACCOUNT_STATUS_LABELS[status] || status) : _('Disabled')].filter(Boolean).join(' · ');
    item.parts.error.textContent = account.error || '';
    item.parts.error.hidden = !account.error;
    item.parts.enabled.checked = Boolean(account.enabled);
    item.parts.enabled.setAttribute('aria-label', format(_('Enable {account}'), { account: account.alias || account.username }));
  }

  function draw(detail) {
    if (detail?.unknown && !reloading) {
      // an account added in another tab or device
      reloading = reloadAccounts().finally(() => {
        reloading = null;
      });
    }
    syncList(list, [...store.accounts.values()], (account) => account.id, createItem, updateItem);
    empty.hidden = store.accounts.size > 0;
  }

  async function setEnabled(account, enabled) {
    try {
      const updated = await patch(`/accounts/${encodeURIComponent(account.id)}`, { enabled });
      mergeAccount(updated);
    } catch (error) {
      toastError(_('The account could not be changed'), error);
    }
    store.emit('accounts');
  }

  async function removeAccount(account) {
    const name = account.alias || account.username;
    const sure = await confirmDialog(format(_('Remove {account}?'), { account: name }),
      _('Its conversations and their history are deleted from Lilac too.'), _('Remove'));
    if (!sure) {
      return;
    }
    try {
      await del(`/accounts/${encodeURIComponent(account.id)}`);
      store.applyEvent({ type: 'account.removed', account: account.id });
    } catch (error) {
      toastError(_('The account could not be removed'), error);
    }
  }

  app.on('accounts', draw);
  draw();
  return h('div', { class: 'panel-body' },
    h('div', { class: 'panel-tools' },
      h('button', { type: 'button', class: 'primary', onclick: () => formDialog('accountDialog', app, null) }, _('Add account'))),
    empty, list);
}
