// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright 2026 The Lilac developers
// The open conversations (IMs and chats) with their unread counts, and the dialogs that start
// one: joining a room (POST /chats) and writing to someone.

import { get, post, query } from './api.js';
import { field, openDialog } from './dialogs.js';
import { formatDateTime, h, hiddenText, syncList } from './dom.js';
import { _, format, ngettext } from './i18n.js';
import { store } from './store.js';
import { toastError } from './toasts.js';
import { accountChoices } from './view-buddies.js';

export function renderConversations(app) {
  const list = h('ul', { class: 'conversation-list', 'aria-label': _('Conversations') });
  const empty = h('p', { class: 'empty' }, _('No conversations yet. Pick a buddy or join a room.'));

  function createItem() {
    const item = h('li', { class: 'conversation-entry' });
    item.parts = {};
    item.parts.kind = h('span', { class: 'conversation-kind', 'aria-hidden': 'true' });
    item.parts.title = h('span', { class: 'conversation-title' });
    item.parts.meta = h('span', { class: 'conversation-meta' });
    item.parts.badge = h('span', { class: 'badge', 'aria-hidden': 'true' });
    item.parts.unread = hiddenText('');
    item.parts.button = h('button', { type: 'button', class: 'conversation-item', onclick: () => app.select(item.parts.conversation.id) },
      item.parts.kind, h('span', { class: 'conversation-text' }, item.parts.title, item.parts.meta), item.parts.badge, item.parts.unread);
    item.append(item.parts.button);
    return item;
  }

  function updateItem(item, conversation) {
    const unread = conversation.unread || 0;
    item.parts.conversation = conversation;
    item.dataset.conversation = conversation.id;
    item.dataset.type = conversation.type;
    item.parts.kind.textContent = conversation.type === 'chat' ? '#' : '@';
    item.parts.title.textContent = store.conversationTitle(conversation);
    item.parts.meta.textContent = [conversation.type === 'chat' ? _('Room') : null, store.accountLabel(conversation.account)]
      .filter(Boolean).join(' · ');
    item.parts.badge.textContent = unread > 99 ? '99+' : String(unread);
    item.parts.badge.hidden = unread === 0;
    item.parts.button.dataset.unread = String(unread);
    item.parts.unread.textContent = unread ? `, ${format(ngettext('{count} unread message', '{count} unread messages', unread), { count: unread })}` : '';
    if (app.current === conversation.id) {
      item.parts.button.setAttribute('aria-current', 'true');
    } else {
      item.parts.button.removeAttribute('aria-current');
    }
  }

  function draw() {
    const conversations = store.conversationList();
    syncList(list, conversations, (conversation) => conversation.id, createItem, updateItem);
    empty.hidden = conversations.length > 0;
  }

  app.on('conversations', draw);
  app.on('accounts', draw);
  app.on('buddies', draw);
  app.on('selection', draw);
  draw();
  const search = h('input', {
    type: 'search', id: 'history-search', placeholder: _('Search messages'), 'aria-label': _('Search messages'),
    autocomplete: 'off', enterkeyhint: 'search',
  });
  const searchForm = h('form', { class: 'search-form', role: 'search' }, search);
  searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (search.value.trim()) {
      searchDialog(app, search.value.trim());
    }
  });
  return h('div', { class: 'panel-body' },
    h('div', { class: 'panel-tools' },
      searchForm,
      h('div', { class: 'panel-tools-row' },
        h('button', { type: 'button', onclick: () => newConversationDialog(app) }, _('New message')),
        h('button', { type: 'button', onclick: () => joinRoomDialog(app) }, _('Join a room')))),
    empty, list);
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

function requireAccount(what) {
  if (store.accounts.size === 0) {
    toastError(what, new Error(_('Add an account first.')));
    return false;
  }
  return true;
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
