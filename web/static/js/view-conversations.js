// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright 2026 The Lilac developers
// The open conversations (IMs and chats) with their unread counts, and the buttons of the
// dialogs that start one or search them (in forms.js).

import { formDialog } from './dialogs.js';
import { h, hiddenText, syncList } from './dom.js';
import { _, format, ngettext } from './i18n.js';
import { store } from './store.js';

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
      formDialog('searchDialog', app, search.value.trim());
    }
  });
  return h('div', { class: 'panel-body' },
    h('div', { class: 'panel-tools' },
      searchForm,
      h('div', { class: 'panel-tools-row' },
        h('button', { type: 'button', onclick: () => formDialog('newConversationDialog', app) }, _('New message')),
        h('button', { type: 'button', onclick: () => formDialog('joinRoomDialog', app) }, _('Join a room')))),
    empty, list);
}
