// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright 2026 The Lilac developers
// The open conversation: its messages (grouped, with times, system lines and safe links; older
// ones loaded when scrolling up), typing both ways, the composer (Enter sends, Shift+Enter adds a
// line) and, for chats, the topic and the members.

import { ApiError, del, get, post, query } from './api.js';
import { compareIds, formatDay, formatDateTime, formatTime, h, hiddenText, linkify, sameDay } from './dom.js';
import { _, format, ngettext } from './i18n.js';
import { store } from './store.js';
import { toast, toastError } from './toasts.js';
import { PRESENCE_LABELS } from './view-topbar.js';

const PAGE = 50;
const GROUP_GAP = 5 * 60 * 1000;
const PAUSED_AFTER = 5000;
const TYPING_REFRESH = 10000;

function normalizeMessage(message) {
  return {
    id: String(message.id), conversation: message.conversation, account: message.account,
    from: message.from || '', text: message.text || '', direction: message.direction,
    system: Boolean(message.system), time: message.time || Date.now(),
  };
}

export function renderChat(app) {
  let target = null;          // { id } of an open conversation, or { account, name } of one to start
  let lastRendered = null;    // the newest message shown
  let typingState = 'none';
  let typingSentAt = 0;
  let typingTimer = null;
  let typingUnsupported = false;
  const reading = new Set();

  const title = h('h2', { class: 'chat-title', id: 'chat-title' });
  const subtitle = h('p', { class: 'chat-subtitle' });
  const back = h('button', { type: 'button', class: 'back-button', 'aria-label': _('Back'), onclick: () => app.select(null) },
    h('span', { 'aria-hidden': 'true' }, '‹ '), h('span', { class: 'back-label' }, _('Back')));
  const membersButton = h('button', { type: 'button', 'aria-expanded': 'false', 'aria-controls': 'chat-members', onclick: toggleMembers });
  const closeButton = h('button', { type: 'button', onclick: closeConversation });
  const older = h('button', { type: 'button', class: 'older-button', onclick: () => loadHistory(true) }, _('Load older messages'));
  const log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-labelledby': 'chat-title', tabindex: '0' });
  const typingLine = h('p', { class: 'typing', 'aria-live': 'polite' });
  const textarea = h('textarea', { id: 'composer', rows: 1, 'aria-label': _('Message'), placeholder: _('Write a message'), autocomplete: 'off' });
  const fileInput = h('input', { type: 'file', hidden: true, onchange: sendFile });
  const fileButton = h('button', { type: 'button', class: 'icon-button file-button', 'aria-label': _('Send a file'), title: _('Send a file'), onclick: () => fileInput.click() }, '+');
  const sendButton = h('button', { type: 'submit', class: 'primary send-button' }, _('Send'));
  const composer = h('form', { class: 'composer' }, fileButton, fileInput, textarea, sendButton);
  const topic = h('p', { class: 'members-topic' });
  const membersTitle = h('h3', { id: 'chat-members-title' });
  const membersList = h('ul', { class: 'members-list', 'aria-labelledby': 'chat-members-title' });
  const rejoin = h('div', { class: 'members-note', hidden: true },
    h('p', {}, _('You are not in this room now (the network was reconnected).')),
    h('button', { type: 'button', onclick: rejoinRoom }, _('Join again')));
  const members = h('aside', { class: 'members', id: 'chat-members', 'aria-label': _('Room details') },
    h('h3', {}, _('Topic')), topic, membersTitle, rejoin, membersList);
  const emptyPane = h('div', { class: 'chat-empty' },
    h('span', { class: 'brand-mark large', 'aria-hidden': 'true' }),
    h('p', {}, _('Pick a conversation or a buddy to start.')),
    h('p', { class: 'hint' }, _('Alt+Up and Alt+Down switch conversations; Esc closes dialogs.')));
  const pane = h('section', { class: 'chat', hidden: true, 'aria-labelledby': 'chat-title' },
    h('header', { class: 'chat-header' }, back, h('div', { class: 'chat-heading' }, title, subtitle),
      h('div', { class: 'chat-actions' }, membersButton, closeButton)),
    h('div', { class: 'chat-body' },
      h('div', { class: 'chat-main' }, log, typingLine, composer),
      members));
  const root = h('main', { class: 'conversation-pane', id: 'conversation' }, emptyPane, pane);

  // ------------------------------------------------------------------------ Helpers

  function conversation() {
    return target?.id ? store.conversations.get(target.id) || null : null;
  }

  function draftKey(of = target) {
    if (!of) {
      return null;
    }
    return of.id ? of.id : `new:${of.account}\n${of.name}`;
  }

  function saveDraft() {
    const key = draftKey();
    if (!key) {
      return;
    }
    if (textarea.value) {
      app.drafts.set(key, textarea.value);
    } else {
      app.drafts.delete(key);
    }
  }

  function senderName(message) {
    if (message.direction === 'out') {
      return _('You');
    }
    const current = conversation();
    if (current && current.type === 'im') {
      const buddy = store.buddy(message.account, message.from) || store.buddy(current.account, current.name);
      if (buddy && buddy.alias) {
        return buddy.alias;
      }
      return message.from.replace(/\/.*$/, '') || current.title;
    }
    return message.from;
  }

  function nearBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  }

  function scrollToBottom() {
    log.scrollTop = log.scrollHeight;
  }

  // ------------------------------------------------------------------------ Messages

  function continues(previous, message) {
    return previous && !previous.system && !message.system && previous.from === message.from &&
      previous.direction === message.direction && message.time - previous.time < GROUP_GAP &&
      sameDay(previous.time, message.time);
  }

  // a message the gateway could not store (a full disk): it is not in the history
  function unsavedNote(message) {
    return message.unsaved ? h('small', { class: 'message-unsaved' }, _('not saved in history')) : null;
  }

  function messageNode(message, previous) {
    const time = h('time', { datetime: new Date(message.time).toISOString(), title: formatDateTime(message.time) },
      formatTime(message.time));
    if (message.system) {
      return h('div', { class: 'message system', dataset: { id: message.id } },
        h('span', { class: 'message-text' }, linkify(message.text)), ' ', time, unsavedNote(message));
    }
    const grouped = continues(previous, message);
    return h('article', {
      class: `message ${message.direction === 'out' ? 'out' : 'in'}${grouped ? ' continued' : ''}`,
      dataset: { id: message.id },
    },
    h('header', { class: grouped ? 'message-header visually-hidden' : 'message-header' },
      h('span', { class: 'message-from' }, senderName(message)), ' ', time),
    h('p', { class: 'message-text' }, linkify(message.text)), unsavedNote(message));
  }

  function dayNode(time) {
    return h('div', { class: 'day', role: 'separator' }, h('span', {}, formatDay(time)));
  }

  function renderLog(keepScroll) {
    const entry = store.messagesOf(target.id);
    const fromBottom = log.scrollHeight - log.scrollTop;
    const nodes = [];
    let previous = null;
    older.hidden = !(entry.loaded && entry.more);
    older.disabled = entry.loading;
    nodes.push(older);
    if (!entry.loaded) {
      nodes.push(h('p', { class: 'log-note' }, _('Loading messages…')));
    } else if (entry.list.length === 0) {
      nodes.push(h('p', { class: 'log-note' }, _('No messages yet.')));
    }
    for (const message of entry.list) {
      if (!previous || !sameDay(previous.time, message.time)) {
        nodes.push(dayNode(message.time));
      }
      nodes.push(messageNode(message, previous));
      previous = message;
    }
    log.replaceChildren(...nodes);
    lastRendered = previous;
    if (keepScroll) {
      log.scrollTop = log.scrollHeight - fromBottom;
    } else {
      scrollToBottom();
    }
  }

  function appendMessage(message) {
    const entry = store.messagesOf(target.id);
    if (!entry.loaded) {
      return;
    }
    if (lastRendered && compareIds(message.id, lastRendered.id) <= 0) {
      renderLog(true);
      return;
    }
    const follow = nearBottom() || message.direction === 'out';
    log.querySelector('.log-note')?.remove();
    if (!lastRendered || !sameDay(lastRendered.time, message.time)) {
      log.append(dayNode(message.time));
    }
    log.append(messageNode(message, lastRendered));
    lastRendered = message;
    if (follow) {
      scrollToBottom();
    }
  }

  async function loadHistory(olderPage) {
    const id = target?.id;
    if (!id) {
      return;
    }
    const entry = store.messagesOf(id);
    if (entry.loading || (olderPage && !entry.more)) {
      return;
    }
    entry.loading = true;
    older.disabled = true;
    const before = olderPage && entry.list.length ? entry.list[0].id : undefined;
    try {
      const answer = await get(`/history?${query({ conversation: id, before, limit: PAGE })}`);
      const messages = (answer?.messages || []).map(normalizeMessage);
      const newest = entry.list[entry.list.length - 1];
      if (!olderPage && newest && messages.length && answer.more && compareIds(messages[0].id, newest.id) > 0) {
        // more than a page was missed while away: start again from the newest page
        entry.list = [];
        entry.ids.clear();
      }
      if (olderPage || !entry.loaded || entry.list.length === 0) {
        entry.more = Boolean(answer?.more);
      }
      store.addMessages(id, messages, { loaded: true });
      entry.stale = false;
    } catch (error) {
      entry.loaded = true;
      if (error instanceof ApiError && error.unsupported) {
        entry.more = false;
      }
      toastError(_('Messages could not be loaded'), error);
    } finally {
      entry.loading = false;
    }
    if (target?.id === id) {
      renderLog(olderPage || entry.list.length > PAGE);
      if (!olderPage) {
        scrollToBottom();
      }
      markRead();
    }
  }

  // ------------------------------------------------------------------------ Read marks

  function markRead() {
    const current = conversation();
    if (!current || !current.unread || !app.looking() || reading.has(current.id)) {
      return;
    }
    reading.add(current.id);
    post(`/conversations/${encodeURIComponent(current.id)}/read`, { seq: store.seq })
      .catch((error) => {
        if (error instanceof ApiError && error.unsupported) {
          // an older gateway: the count is this tab's only
          current.unread = 0;
          store.emit('conversations', { read: current.id });
        }
        toastError(_('The conversation could not be marked as read'), error);
      })
      .finally(() => reading.delete(current.id));
  }

  // ------------------------------------------------------------------------ Typing

  function sendTyping(state) {
    const current = conversation();
    if (typingUnsupported || !current || current.type !== 'im' || (state === typingState && state !== 'typing')) {
      return;
    }
    typingState = state;
    typingSentAt = Date.now();
    post('/typing', { conversation: current.id, state }).catch((error) => {
      if (error instanceof ApiError && error.unsupported) {
        typingUnsupported = true;
        toastError(_('Typing notifications are not available'), error);
      }
    });
  }

  function onInput() {
    clearTimeout(typingTimer);
    if (textarea.value === '') {
      sendTyping('none');
      return;
    }
    if (typingState !== 'typing' || Date.now() - typingSentAt > TYPING_REFRESH) {
      sendTyping('typing');
    }
    typingTimer = setTimeout(() => sendTyping('paused'), PAUSED_AFTER);
  }

  function stopTyping() {
    clearTimeout(typingTimer);
    if (typingState !== 'none') {
      sendTyping('none');
    }
    typingState = 'none';
  }

  function drawTyping() {
    const typing = target?.id ? store.typing.get(target.id) : null;
    if (!typing || typing.until < Date.now()) {
      typingLine.textContent = '';
      return;
    }
    const name = senderName({ direction: 'in', from: typing.from || '', account: conversation()?.account });
    typingLine.textContent = typing.state === 'typing'
      ? format(_('{name} is typing…'), { name })
      : format(_('{name} stopped typing.'), { name });
  }

  // ------------------------------------------------------------------------ Sending

  async function send() {
    const text = textarea.value;
    if (text.trim() === '' || !target) {
      return;
    }
    const sending = target;
    textarea.value = '';
    app.drafts.delete(draftKey(sending));
    resizeComposer();
    stopTyping();
    try {
      if (sending.id) {
        await post('/messages', { conversation: sending.id, text });
      } else {
        await post('/messages', { account: sending.account, to: sending.name, text });
      }
    } catch (error) {
      toastError(_('The message could not be sent'), error);
      if (draftKey() === draftKey(sending) && textarea.value === '') {
        textarea.value = text;
        resizeComposer();
      }
    }
  }

  async function sendFile() {
    const file = fileInput.files[0];
    fileInput.value = '';
    if (!file || !target) {
      return;
    }
    const current = conversation();
    const account = current ? current.account : target.account;
    const to = current ? current.name : target.name;
    try {
      await app.sendFile(account, to, file);
      toast('info', _('Sending a file'), file.name);
    } catch (error) {
      toastError(_('The file could not be sent'), error);
    }
  }

  function resizeComposer() {
    textarea.style.height = 'auto';
    textarea.style.height = `${Math.min(textarea.scrollHeight, 200)}px`;
  }

  // ------------------------------------------------------------------------ Header, members

  function drawHeader() {
    const current = conversation();
    if (current) {
      const buddy = current.type === 'im' ? store.buddy(current.account, current.name) : null;
      const presence = buddy?.presence;
      title.textContent = store.conversationTitle(current);
      subtitle.textContent = current.type === 'chat'
        ? [current.topic, store.accountLabel(current.account)].filter(Boolean).join(' · ')
        : [current.name !== title.textContent ? current.name : null,
          presence ? _(PRESENCE_LABELS[presence.status] || presence.status) : null,
          presence?.message, store.accountLabel(current.account)].filter(Boolean).join(' · ');
      closeButton.textContent = current.type === 'chat' ? _('Leave') : _('Close');
      closeButton.hidden = false;
      membersButton.hidden = current.type !== 'chat';
      fileButton.hidden = current.type === 'chat';
      pane.dataset.type = current.type;
    } else {
      title.textContent = target.name;
      subtitle.textContent = format(_('New conversation from {account}'), { account: store.accountLabel(target.account) });
      closeButton.textContent = _('Cancel');
      membersButton.hidden = true;
      fileButton.hidden = false;
      pane.dataset.type = 'im';
    }
  }

  function drawMembers() {
    const current = conversation();
    if (!current || current.type !== 'chat') {
      return;
    }
    const names = [...current.members].sort((a, b) => a.localeCompare(b));
    topic.textContent = current.topic || _('No topic is set.');
    membersTitle.textContent = format(ngettext('{count} member', '{count} members', names.length), { count: names.length });
    membersButton.textContent = format(_('Members ({count})'), { count: names.length });
    membersList.replaceChildren(...names.map((name) => h('li', {}, name)));
    rejoin.hidden = names.length > 0;
    drawHeader();
  }

  async function rejoinRoom() {
    const current = conversation();
    if (!current) {
      return;
    }
    try {
      await post('/chats', { account: current.account, room: current.name });
    } catch (error) {
      toastError(_('The room could not be joined'), error);
    }
  }

  function toggleMembers() {
    const open = pane.classList.toggle('members-open');
    membersButton.setAttribute('aria-expanded', String(open));
    if (open) {
      members.setAttribute('tabindex', '-1');
      members.focus();
    }
  }

  async function closeConversation() {
    const current = conversation();
    if (!current) {
      app.select(null);
      return;
    }
    try {
      await del(`/conversations/${encodeURIComponent(current.id)}`);
      if (store.conversations.has(current.id)) {
        store.removeConversation(current.id);
      }
    } catch (error) {
      toastError(current.type === 'chat' ? _('The room could not be left') : _('The conversation could not be closed'), error);
    }
  }

  // ------------------------------------------------------------------------ Showing

  function show(next) {
    if (target) {
      saveDraft();
      stopTyping();
    }
    target = next;
    pane.classList.remove('members-open');
    membersButton.setAttribute('aria-expanded', 'false');
    emptyPane.hidden = Boolean(target);
    pane.hidden = !target;
    if (!target) {
      return;
    }
    textarea.value = app.drafts.get(draftKey()) || '';
    resizeComposer();
    drawHeader();
    drawMembers();
    drawTyping();
    if (target.id) {
      const entry = store.messagesOf(target.id);
      renderLog(false);
      if (!entry.loaded || entry.stale) {
        loadHistory(false);
      } else {
        markRead();
      }
    } else {
      lastRendered = null;
      log.replaceChildren(h('p', { class: 'log-note' }, _('Write the first message below.')));
    }
  }

  // a conversation we started appeared: follow it with the draft
  function adopt(id) {
    const opened = store.conversations.get(id);
    if (!target || target.id || !opened || opened.type !== 'im' || opened.account !== target.account ||
      store.findConversation(target.account, 'im', target.name)?.id !== id) {
      return false;
    }
    const draft = textarea.value;
    app.drafts.delete(draftKey());
    app.select(id);
    if (draft) {
      textarea.value = draft;
    }
    return true;
  }

  // ------------------------------------------------------------------------ Wiring

  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
  textarea.addEventListener('input', () => {
    resizeComposer();
    onInput();
    saveDraft();
  });
  composer.addEventListener('submit', (event) => {
    event.preventDefault();
    send();
    textarea.focus();
  });
  log.addEventListener('scroll', () => {
    if (log.scrollTop < 40 && target?.id) {
      const entry = store.messagesOf(target.id);
      if (entry.loaded && entry.more && !entry.loading) {
        loadHistory(true);
      }
    }
  });
  members.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && pane.classList.contains('members-open')) {
      toggleMembers();
      membersButton.focus();
      event.stopPropagation();
    }
  });

  app.on('messages', ({ conversation: id, message }) => {
    if (target?.id === id) {
      appendMessage(message);
      drawTyping();
      markRead();
    }
  });
  app.on('conversations', (detail) => {
    if (detail?.opened && adopt(detail.opened)) {
      return;
    }
    if (detail?.closed && target?.id === detail.closed) {
      app.select(null);
      return;
    }
    if (target?.id) {
      if (!store.conversations.has(target.id)) {
        app.select(null);
        return;
      }
      drawHeader();
      if (detail?.message === target.id) {
        markRead();
      }
    }
  });
  app.on('typing', (id) => {
    if (target?.id === id) {
      drawTyping();
    }
  });
  app.on('members', (id) => {
    if (target?.id === id) {
      drawMembers();
    }
  });
  app.on('buddies', () => target && drawHeader());
  app.on('snapshot', () => {
    if (target?.id && store.conversations.has(target.id)) {
      show(target);
    }
  });
  app.on('looking', () => markRead());
  const typingExpiry = setInterval(drawTyping, 5000);
  app.onDispose(() => {
    clearInterval(typingExpiry);
    saveDraft();
  });

  root.show = show;
  root.adopt = adopt;
  root.focusComposer = () => textarea.focus();
  root.current = () => target;
  return root;
}
