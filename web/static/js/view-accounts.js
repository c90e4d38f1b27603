// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright 2026 The Lilac developers
// The IM accounts: a list with live status and errors, and the add/edit form, drawn from what
// GET /protocols says each protocol plugin needs (user name parts, typed options).

import { del, get, patch, post } from './api.js';
import { confirmDialog, field, openDialog } from './dialogs.js';
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
function mergeAccount(account, quiet) {
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
        h('button', { type: 'button', onclick: () => accountDialog(app, item.parts.account) }, _('Edit')),
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
      h('button', { type: 'button', class: 'primary', onclick: () => accountDialog(app, null) }, _('Add account'))),
    empty, list);
}

// ----------------------------------------------------------------------------- The form

function optionInput(option, value) {
  const id = `account-option-${option.key}`;
  switch (option.type) {
    case 'bool':
      return h('input', { id, type: 'checkbox', checked: Boolean(value) });
    case 'int':
      return h('input', { id, type: 'number', step: 1, inputmode: 'numeric', value: value ?? '' });
    case 'list':
      return h('select', { id }, (option.choices || []).map((choice) =>
        h('option', { value: choice.value, selected: choice.value === value }, choice.label)));
    default:
      return h('input', { id, type: 'text', value: value ?? '', autocomplete: 'off', spellcheck: 'false' });
  }
}

function optionValue(option, input) {
  switch (option.type) {
    case 'bool':
      return input.checked;
    case 'int': {
      const number = Number.parseInt(input.value, 10);
      if (input.value.trim() !== '' && !Number.isFinite(number)) {
        throw new Error(format(_('“{label}” must be a whole number.'), { label: option.label }));
      }
      return Number.isFinite(number) ? number : option.default ?? 0;
    }
    default:
      return input.value;
  }
}

// The part of the form that depends on the protocol: user name parts and options.
function protocolFields(protocol, account) {
  const options = account ? account.options || {} : {};
  const inputs = {};
  const nodes = [];
  if (!account) {
    inputs.username = h('input', { name: 'username', required: true, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' });
    nodes.push(field(_('User name'), inputs.username));
    inputs.splits = (protocol.user_splits || []).map((split) => {
      const input = h('input', { value: split.default || '', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' });
      nodes.push(field(split.label, input));
      return input;
    });
  }
  inputs.options = (protocol.options || []).map((option) => {
    const input = optionInput(option, option.key in options ? options[option.key] : option.default);
    return { option, input };
  });
  const optionNodes = inputs.options.map(({ option, input }) => field(option.label, input));
  return { inputs, nodes, optionNodes };
}

export function accountDialog(app, account) {
  if (store.protocols.length === 0) {
    loadProtocols().then(() => accountDialog(app, account),
      (error) => toastError(_('The list of networks could not be loaded'), error));
    return;
  }
  const editing = Boolean(account);
  const protocolSelect = h('select', { id: 'account-protocol', disabled: editing },
    store.protocols.map((protocol) => h('option', {
      value: protocol.id, selected: editing ? protocol.id === account.protocol : protocol.id === 'prpl-jabber',
    }, protocol.name)));
  const password = h('input', {
    type: 'password', autocomplete: 'new-password',
    placeholder: editing ? _('Unchanged') : '',
  });
  const alias = h('input', { type: 'text', value: account?.alias || '', autocomplete: 'off' });
  const enabled = h('input', { type: 'checkbox', checked: editing ? Boolean(account.enabled) : true });
  const specific = h('div', { class: 'protocol-fields' });
  const optionsBox = h('div', { class: 'protocol-options' });
  const details = h('details', { class: 'options' }, h('summary', {}, _('Advanced options')), optionsBox);
  let current = null;

  function drawProtocol() {
    const protocol = store.protocol(protocolSelect.value);
    current = protocolFields(protocol, account);
    specific.replaceChildren(...current.nodes);
    optionsBox.replaceChildren(...current.optionNodes);
    details.hidden = current.optionNodes.length === 0;
  }
  protocolSelect.addEventListener('change', drawProtocol);
  drawProtocol();

  const content = [
    field(_('Network'), protocolSelect),
    editing ? h('p', { class: 'field-static' }, h('span', { class: 'field-label' }, _('User name')), account.username) : null,
    specific,
    field(_('Password'), password, editing ? _('Leave empty to keep the stored password.') : null),
    field(_('Alias'), alias, _('A name for this account in Lilac (optional).')),
    field(_('Enabled'), enabled),
    details,
  ];

  // the whole account when adding; only what changed when editing (so that an alias does not
  // reconnect anything)
  function collect() {
    const protocol = store.protocol(protocolSelect.value);
    const options = {};
    let optionsChanged = false;
    for (const { option, input } of current.inputs.options) {
      options[option.key] = optionValue(option, input);
      const before = editing && option.key in (account.options || {}) ? account.options[option.key] : option.default;
      optionsChanged ||= options[option.key] !== before;
    }
    const body = { alias: alias.value.trim(), options, enabled: enabled.checked };
    if (password.value !== '') {
      body.password = password.value;
    }
    if (editing) {
      if (body.alias === (account.alias || '')) {
        delete body.alias;
      }
      if (!optionsChanged) {
        delete body.options;
      }
      if (body.enabled === Boolean(account.enabled)) {
        delete body.enabled;
      }
    }
    if (!editing) {
      let username = current.inputs.username.value.trim();
      (protocol.user_splits || []).forEach((split, index) => {
        const part = current.inputs.splits[index].value.trim();
        if (part !== '') {
          username += split.separator + part;
        }
      });
      body.protocol = protocol.id;
      body.username = username;
      body.password = password.value;
    }
    return body;
  }

  openDialog({
    title: editing ? format(_('Edit {account}'), { account: account.alias || account.username }) : _('Add an account'),
    className: 'account-dialog',
    content,
    actions: [{ label: _('Cancel'), value: 'cancel' }, { label: editing ? _('Save') : _('Add'), value: 'save', primary: true }],
    onSubmit: async () => {
      const body = collect();
      if (editing && Object.keys(body).length === 0) {
        return;
      }
      const saved = editing
        ? await patch(`/accounts/${encodeURIComponent(account.id)}`, body)
        : await post('/accounts', body);
      mergeAccount(saved);
      app.showPanel('accounts');
    },
  });
}
