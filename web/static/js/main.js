// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright 2026 The Lilac developers
// The page: logging in and out, the layout (lists beside the open conversation; one at a time on
// a phone), the connection bar, keyboard shortcuts, and the views wired to the store.

import { ApiError, del, get, patch, setCsrf } from './api.js';
import { h } from './dom.js';
import { _, availableLanguages, format, getLanguage, preferredLanguage, rememberLanguage, setLanguage } from './i18n.js';
import { notifyMessage, updateTitle } from './notifications.js';
import { store } from './store.js';
import { Stream } from './stream.js';
import { toast, toastError, toastRegion } from './toasts.js';
import { loadProtocols, renderAccounts } from './view-accounts.js';
import { renderBuddies } from './view-buddies.js';
import { renderChat } from './view-chat.js';
import { renderConversations } from './view-conversations.js';
import { renderLogin } from './view-login.js';
import { createRequests } from './view-requests.js';
import { renderTopbar } from './view-topbar.js';
import { renderTransfers, sendFile } from './view-transfers.js';

const PANELS = ['conversations', 'buddies', 'accounts'];
const NOTICE_KEY = 'lilac.notice';

function readStorage(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function writeStorage(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // private browsing: kept for this page only
  }
}

const app = {
  root: document.getElementById('app'),
  drafts: new Map(),        // conversation id (or "new:ACCOUNT\nNAME") -> the text being written
  current: null,            // the open conversation's id
  waitingFor: null,         // a conversation id the gateway gave before its conversation.opened
  disposers: [],
  focused: document.hasFocus(),
  stream: null,
  chat: null,
  layout: null,
  tabs: null,
  requests: null,

  // ------------------------------------------------------------------ Subscriptions

  on(topic, listener) {
    this.disposers.push(store.on(topic, listener));
  },

  listen(target, type, listener) {
    target.addEventListener(type, listener);
    this.disposers.push(() => target.removeEventListener(type, listener));
  },

  onDispose(callback) {
    this.disposers.push(callback);
  },

  dispose() {
    for (const dispose of this.disposers.splice(0).reverse()) {
      dispose();
    }
  },

  // Whether the user can see the open conversation (read marks, desktop notifications).
  looking() {
    return document.visibilityState === 'visible' && this.focused;
  },

  // ------------------------------------------------------------------ Logging in and out

  async boot() {
    try {
      await setLanguage(preferredLanguage());
    } catch (error) {
      console.error('lilac: the catalog did not load', error);
    }
    let session = null;
    let notice = null;
    try {
      session = await get('/session');
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) {
        notice = error.status === 0 ? _('The gateway cannot be reached. Check your connection and try again.') : error.message;
      }
    }
    if (session) {
      await this.loggedIn(session);
    } else {
      this.showLogin(notice);
    }
    this.root.removeAttribute('aria-busy');
  },

  showLogin(notice) {
    this.dispose();
    updateTitle();
    this.root.replaceChildren(renderLogin(this, notice));
  },

  async loggedIn(session) {
    setCsrf(session.csrf);
    store.reset();
    store.user = session.user;
    this.drafts.clear();
    this.current = null;
    this.connectionState = null;
    this.build();
    this.stream = new Stream({
      onState: (state) => this.showConnection(state),
      onEnded: () => this.loginEnded(),
      onSnapshot: () => this.snapshotApplied(),
    });
    this.stream.start();
    loadProtocols().then(() => store.emit('accounts'),
      (error) => toastError(_('The list of networks could not be loaded'), error));
    this.adoptLanguageSetting();
  },

  // The language chosen in the light view or another browser, unless this one chose.
  async adoptLanguageSetting() {
    if (readStorage('lilac.language')) {
      return;
    }
    try {
      const settings = await get('/users/me/settings');
      if (settings?.language && settings.language !== getLanguage() &&
        availableLanguages().includes(settings.language)) {
        await this.changeLanguage(settings.language, false);
      }
    } catch {
      // settings are optional
    }
  },

  async logOut() {
    try {
      await del('/session');
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) {
        toastError(_('Logging out failed'), error);
        return;
      }
    }
    this.stopSession();
    this.showLogin(_('You are logged out.'));
  },

  loginEnded() {
    this.stopSession();
    this.showLogin(_('Your login has ended. Log in again.'));
  },

  stopSession() {
    this.stream?.stop();
    this.stream = null;
    setCsrf(null);
    store.reset();
    this.drafts.clear();
    this.current = null;
  },

  async changeLanguage(language, remember = true) {
    if (remember) {
      rememberLanguage(language);
    }
    try {
      await setLanguage(language);
    } catch (error) {
      toast('error', _('The language could not be changed'), String(error.message || error));
      return;
    }
    if (!store.user) {
      this.showLogin();
      return;
    }
    const target = this.chat?.current();
    this.build();
    if (target?.id) {
      this.select(target.id);
    } else if (target) {
      this.openIm(target.account, target.name);
    }
    if (remember) {
      patch('/users/me/settings', { language }).catch(() => {});
    }
  },

  // ------------------------------------------------------------------ The layout

  build() {
    this.dispose();
    const connection = h('div', { class: 'connection', role: 'status', hidden: true },
      h('span', { class: 'connection-text' }),
      h('button', { type: 'button', onclick: () => this.stream?.retryNow() }, _('Retry now')));
    const worker = h('div', { class: 'worker-state', role: 'status', hidden: true });
    this.connection = connection;
    this.chat = renderChat(this);
    this.requests = createRequests(this);
    const sidebar = this.buildSidebar();
    this.layout = h('div', { class: 'layout', dataset: { view: 'list' } }, sidebar, this.chat);
    this.root.replaceChildren(connection, renderTopbar(this), worker, this.layout, toastRegion());

    const showWorker = () => {
      const texts = {
        starting: _('Starting your IM session…'),
        restarting: _('Your IM session stopped unexpectedly and is restarting…'),
      };
      worker.textContent = texts[store.worker] || '';
      worker.hidden = !texts[store.worker];
    };
    this.on('worker', showWorker);
    this.on('conversations', (detail) => {
      updateTitle();
      if (detail?.opened && detail.opened === this.waitingFor) {
        this.select(detail.opened);
      }
    });
    this.on('messages', ({ conversation, message }) => this.messageArrived(conversation, message));
    this.on('notify', (event) => this.notice(event));
    this.listen(window, 'focus', () => this.setFocused(true));
    this.listen(window, 'blur', () => this.setFocused(false));
    this.listen(document, 'visibilitychange', () => store.emit('looking'));
    this.listen(window, 'online', () => this.stream?.retryNow());
    this.listen(document, 'keydown', (event) => this.shortcut(event));
    const ticker = setInterval(() => this.tickConnection(), 1000);
    this.onDispose(() => clearInterval(ticker));
    showWorker();
    updateTitle();
  },

  buildSidebar() {
    const labels = { conversations: _('Chats'), buddies: _('Buddies'), accounts: _('Accounts') };
    const panels = {
      conversations: renderConversations(this),
      buddies: renderBuddies(this),
      accounts: renderAccounts(this),
    };
    const tabs = {};
    const tablist = h('div', { class: 'tabs', role: 'tablist', 'aria-label': _('Lists') });
    for (const name of PANELS) {
      const badge = name === 'conversations' ? h('span', { class: 'badge tab-badge', hidden: true }) : null;
      tabs[name] = h('button', {
        type: 'button', role: 'tab', id: `tab-${name}`, 'aria-controls': `panel-${name}`,
        onclick: () => this.showPanel(name),
      }, labels[name], badge);
      tabs[name].badge = badge;
      tablist.append(tabs[name]);
      panels[name] = h('section', { class: 'panel', role: 'tabpanel', id: `panel-${name}`, 'aria-labelledby': `tab-${name}` }, panels[name]);
    }
    tablist.addEventListener('keydown', (event) => {
      const index = PANELS.indexOf(event.target.id.replace('tab-', ''));
      const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 1, ArrowUp: -1 }[event.key];
      if (index >= 0 && step && !event.altKey) {
        event.preventDefault();
        const name = PANELS[(index + step + PANELS.length) % PANELS.length];
        this.showPanel(name);
        tabs[name].focus();
      }
    });
    this.tabs = { tabs, panels };
    this.on('conversations', () => {
      const unread = store.totalUnread();
      tabs.conversations.badge.textContent = String(unread);
      tabs.conversations.badge.hidden = unread === 0;
    });
    const first = PANELS.includes(readStorage('lilac.panel')) ? readStorage('lilac.panel') : 'conversations';
    this.showPanel(first, false);
    return h('nav', { class: 'sidebar', 'aria-label': _('Conversations, buddies and accounts') },
      tablist, Object.values(panels), renderTransfers(this));
  },

  showPanel(name, remember = true) {
    if (!this.tabs) {
      return;
    }
    for (const other of PANELS) {
      const selected = other === name;
      this.tabs.tabs[other].setAttribute('aria-selected', String(selected));
      this.tabs.tabs[other].tabIndex = selected ? 0 : -1;
      this.tabs.panels[other].hidden = !selected;
    }
    if (remember) {
      writeStorage('lilac.panel', name);
    }
  },

  // ------------------------------------------------------------------ Conversations

  select(id) {
    if (id && !store.conversations.has(id)) {
      // joined a room: its conversation.opened event is on its way
      this.waitingFor = id;
      return;
    }
    this.waitingFor = null;
    this.current = id;
    this.chat.show(id ? { id } : null);
    this.layout.dataset.view = id ? 'conversation' : 'list';
    store.emit('selection');
    if (id && !matchMedia('(max-width: 700px)').matches) {
      this.chat.focusComposer();
    }
  },

  openIm(account, name) {
    const existing = store.findConversation(account, 'im', name);
    if (existing) {
      this.select(existing.id);
      return;
    }
    this.current = null;
    this.chat.show({ account, name });
    this.layout.dataset.view = 'conversation';
    store.emit('selection');
    this.chat.focusComposer();
  },

  openBuddy(buddy) {
    this.openIm(buddy.account, buddy.name);
  },

  // Alt+Up / Alt+Down
  switchConversation(step) {
    const list = store.conversationList();
    if (list.length === 0) {
      return;
    }
    const index = list.findIndex((conversation) => conversation.id === this.current);
    let next;
    if (index < 0) {
      next = step > 0 ? 0 : list.length - 1;
    } else {
      next = Math.min(list.length - 1, Math.max(0, index + step));
    }
    if (list[next].id !== this.current) {
      this.select(list[next].id);
    }
  },

  messageArrived(id, message) {
    const conversation = store.conversations.get(id);
    if (conversation) {
      notifyMessage(message, conversation, this.looking() && this.current === id, () => {
        this.showPanel('conversations');
        this.select(id);
      });
    }
  },

  snapshotApplied() {
    if (this.current && !store.conversations.has(this.current)) {
      this.select(null);
    }
    const seen = Number(readStorage(NOTICE_KEY) || 0);
    for (const notice of store.notices) {
      if ((notice.time || 0) > seen) {
        this.notice(notice);
      }
    }
    this.requests?.next(false);
  },

  notice(event) {
    toast(event.level || 'info', event.title || _('Notice'), event.text || '');
    if (event.time) {
      writeStorage(NOTICE_KEY, String(Math.max(Number(readStorage(NOTICE_KEY) || 0), event.time)));
    }
  },

  showNextRequest() {
    this.requests?.showNext();
  },

  sendFile(account, to, file) {
    return sendFile(account, to, file);
  },

  setFocused(focused) {
    this.focused = focused;
    store.emit('looking');
  },

  // ------------------------------------------------------------------ Connection

  showConnection(state) {
    this.connectionState = state;
    this.tickConnection();
  },

  tickConnection() {
    const state = this.connectionState;
    if (!this.connection) {
      return;
    }
    if (!state || state.state === 'connected') {
      this.connection.hidden = true;
      return;
    }
    const seconds = Math.max(0, Math.ceil((state.retryAt - Date.now()) / 1000));
    this.connection.hidden = false;
    this.connection.querySelector('.connection-text').textContent = seconds > 0
      ? format(_('Connection to the gateway lost. Reconnecting in {seconds} s…'), { seconds })
      : _('Connection to the gateway lost. Reconnecting…');
  },

  // ------------------------------------------------------------------ Keyboard

  shortcut(event) {
    if (event.altKey && !event.ctrlKey && !event.metaKey && (event.key === 'ArrowUp' || event.key === 'ArrowDown')) {
      if (document.querySelector('dialog[open]')) {
        return;
      }
      event.preventDefault();
      this.switchConversation(event.key === 'ArrowUp' ? -1 : 1);
    }
  },
};

app.boot();
