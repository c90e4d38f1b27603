// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright 2026 The Lilac developers
// The open conversations (IMs and chats) with their unread counts, and the dialogs that start
// one: joining a room (POST /chats) and writing to someone.

import { post } from './api.js';
import { field, openDialog } from './dialogs.js';
import { h, hiddenText, syncList } from './dom.js';
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
    item.parts.title.textContent = conversation.title || conversation.name;
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
  app.on('selection', draw);
  draw();
  return h('div', { class: 'panel-body' },
    h('div', { class: 'panel-tools panel-tools-row' },
      h('button', { type: 'button', onclick: () => newConversationDialog(app) }, _('New message')),
      h('button', { type: 'button', onclick: () => joinRoomDialog(app) }, _('Join a room'))),
    empty, list);
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
