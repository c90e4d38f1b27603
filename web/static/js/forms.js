// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright 2026 The Lilac developers
// The dialogs that start something: adding or editing an account (drawn from what GET
// /protocols says each protocol plugin needs: user name parts, typed options), adding a buddy,
// joining a room, writing to someone, and the search of the history. This module is imported
// the first time one of them opens (formDialog of dialogs.js), so it is not part of the page's
// first load.

import { get, patch, post, query } from './api.js';
import { field, openDialog } from './dialogs.js';
import { formatDateTime, h } from './dom.js';
import { _, format } from './i18n.js';
import { store } from './store.js';
import { toastError } from './toasts.js';
import { loadProtocols, mergeAccount } from './view-accounts.js';

// ----------------------------------------------------------------------------- Accounts

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

// ------------------------------------------------------------------ Buddies, rooms, messages

// Whether there is an account to do what with; says so when not.
function requireAccount(what) {
  if (store.accounts.size === 0) {
    toastError(what, new Error(_('Add an account first.')));
    return false;
  }
  return true;
}

function accountChoices(onlineOnly) {
  const accounts = [...store.accounts.values()].filter((account) => !onlineOnly || account.status === 'online');
  return accounts.map((account) => h('option', { value: account.id }, store.accountLabel(account.id)));
}

export function addBuddyDialog() {
  if (!requireAccount(_('No buddy can be added'))) {
    return;
  }
  const account = h('select', {}, accountChoices(false));
  const name = h('input', { type: 'text', required: true, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' });
  const alias = h('input', { type: 'text', autocomplete: 'off' });
  const group = h('input', { type: 'text', autocomplete: 'off', list: 'buddy-group-names' });
  const groupNames = h('datalist', { id: 'buddy-group-names' },
    [...new Set([...store.buddies.values()].map((buddy) => buddy.group).filter(Boolean))].map((value) => h('option', { value })));
  openDialog({
    title: _('Add a buddy'),
    className: 'buddy-dialog',
    content: [
      field(_('Account'), account),
      field(_('Buddy name'), name, _('The address on the network, e.g. friend@example.org.')),
      field(_('Alias'), alias),
      field(_('Group'), group),
      groupNames,
    ],
    actions: [{ label: _('Cancel'), value: 'cancel' }, { label: _('Add'), value: 'add', primary: true }],
    onSubmit: async () => {
      const body = { account: account.value, name: name.value.trim() };
      if (alias.value.trim()) {
        body.alias = alias.value.trim();
      }
      if (group.value.trim()) {
        body.group = group.value.trim();
      }
      await post('/buddies', body);
    },
  });
}

// The messages of every conversation that match words (GET /history?q=), newest first; one opens
// its conversation.
export async function searchDialog(app, words) {
  let answer;
  try {
    answer = await get(`/history?${query({ q: words, limit: 50 })}`);
  } catch (error) {
    toastError(_('The history could not be searched'), error);
    return;
  }
  const messages = (answer?.messages || []).slice().reverse();
  let dialog = null;
  const results = h('ul', { class: 'search-results' }, messages.map((message) => {
    const conversation = store.conversations.get(message.conversation);
    const where = conversation ? store.conversationTitle(conversation) : message.from;
    return h('li', {}, h('button', {
      type: 'button', class: 'search-result', disabled: !conversation,
      onclick: () => {
        dialog.close();
        app.showPanel('conversations');
        app.select(message.conversation);
      },
    },
    h('span', { class: 'search-where' }, where, ' · ', formatDateTime(message.time)),
    h('span', { class: 'search-text' }, `${message.direction === 'out' ? _('You') : message.from}: ${message.text}`)));
  }));
  dialog = openDialog({
    title: format(_('Messages with “{words}”'), { words }),
    className: 'search-dialog',
    content: [messages.length ? results : h('p', { class: 'empty' }, _('No message matches.'))],
  });
}

export function joinRoomDialog(app) {
  if (!requireAccount(_('No room can be joined'))) {
    return;
  }
  const online = accountChoices(true);
  const account = h('select', {}, online.length ? online : accountChoices(false));
  const room = h('input', { type: 'text', required: true, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' });
  const nick = h('input', { type: 'text', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { type: 'password', autocomplete: 'off' });
  openDialog({
    title: _('Join a room'),
    className: 'join-dialog',
    content: [
      field(_('Account'), account),
      field(_('Room'), room, _('An IRC channel such as #lilac, or an XMPP room such as room@conference.example.org.')),
      field(_('Nickname'), nick, _('Optional: the account’s own name is used otherwise.')),
      field(_('Room password'), password, _('Only for rooms that have one.')),
    ],
    actions: [{ label: _('Cancel'), value: 'cancel' }, { label: _('Join'), value: 'join', primary: true }],
    onSubmit: async () => {
      const body = { account: account.value, room: room.value.trim() };
      if (nick.value.trim()) {
        body.nick = nick.value.trim();
      }
      if (password.value) {
        body.password = password.value;
      }
      const answer = await post('/chats', body);
      if (answer?.conversation) {
        app.select(answer.conversation);
      }
    },
  });
}

export function newConversationDialog(app) {
  if (!requireAccount(_('No message can be written'))) {
    return;
  }
  const account = h('select', {}, accountChoices(false));
  const name = h('input', { type: 'text', required: true, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' });
  openDialog({
    title: _('New message'),
    content: [
      field(_('Account'), account),
      field(_('To'), name, _('The address on the network, e.g. friend@example.org.')),
    ],
    actions: [{ label: _('Cancel'), value: 'cancel' }, { label: _('Write'), value: 'write', primary: true }],
    onSubmit: () => app.openIm(account.value, name.value.trim()),
  });
}
