// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright 2026 The Lilac developers
// What the page knows: the /state snapshot with every event of the stream applied to it, once,
// in order. Views subscribe to topics ("accounts", "buddies", "conversations", "messages",
// "typing", "members", "requests", "transfers", "presence", "worker", "notify") and redraw.

import { compareIds } from './dom.js';

const TYPING_LIFETIME = 30000;

function buddyKey(account, name) {
  return `${account}\n${name}`;
}

// The buddy a conversation is with: the same name, or the same bare address (XMPP resources).
function bareName(name) {
  return String(name || '').toLowerCase().replace(/\/.*$/, '');
}

class Store {
  constructor() {
    this.listeners = new Map();
    this.reset();
  }

  reset() {
    this.user = null;
    this.epoch = null;
    this.seq = 0;
    this.accounts = new Map();
    this.protocols = [];
    this.buddies = new Map();
    this.conversations = new Map();
    this.messages = new Map();   // conversation id -> { list, ids, loaded, more, loading }
    this.typing = new Map();     // conversation id -> { from, state, until }
    this.requests = new Map();
    this.transfers = new Map();
    this.presence = { status: 'available', message: '' };
    this.worker = null;
    this.notices = [];
  }

  // ------------------------------------------------------------------ Listeners

  on(topic, listener) {
    if (!this.listeners.has(topic)) {
      this.listeners.set(topic, new Set());
    }
    this.listeners.get(topic).add(listener);
    return () => this.listeners.get(topic).delete(listener);
  }

  emit(topic, detail) {
    for (const listener of this.listeners.get(topic) || []) {
      listener(detail);
    }
  }

  // ------------------------------------------------------------------ Lookups

  protocol(id) {
    return this.protocols.find((protocol) => protocol.id === id) || null;
  }

  // an account's settings, as GET /accounts or an event lists them; its status stays the one
  // the account.status events tell
  mergeAccount(account) {
    const known = this.accounts.get(account.id);
    const merged = { ...known, ...account };
    if (known && known.status) {
      merged.status = known.status;
      merged.error = known.error;
    }
    this.accounts.set(account.id, merged);
  }

  accountLabel(id) {
    const account = this.accounts.get(id);
    if (!account) {
      return '';
    }
    return account.alias || account.username;
  }

  buddy(account, name) {
    return this.buddies.get(buddyKey(account, name)) ||
      [...this.buddies.values()].find((buddy) => buddy.account === account &&
        bareName(buddy.name) === bareName(name)) || null;
  }

  // What a conversation is called: the buddy's alias, else the address without its resource
  // ("bob@example.org/phone" -> "bob@example.org"), else the title the network gave.
  conversationTitle(conversation) {
    if (conversation.type === 'im') {
      const buddy = this.buddy(conversation.account, conversation.name);
      if (buddy?.alias) {
        return buddy.alias;
      }
      const name = conversation.title || conversation.name;
      return /^[^/\s]+@[^/\s]+\//.test(name) ? name.replace(/\/.*$/, '') : name;
    }
    return conversation.title || conversation.name;
  }

  // Open conversations, chats and IMs together, the most recently active first.
  conversationList() {
    return [...this.conversations.values()].sort((a, b) => (b.active || 0) - (a.active || 0) ||
      compareIds(b.id, a.id));
  }

  findConversation(account, type, name) {
    const wanted = bareName(name);
    return [...this.conversations.values()].find((conversation) => conversation.account === account &&
      conversation.type === type && (conversation.name === name || bareName(conversation.name) === wanted)) || null;
  }

  totalUnread() {
    let total = 0;
    for (const conversation of this.conversations.values()) {
      total += conversation.unread || 0;
    }
    return total;
  }

  messagesOf(id) {
    if (!this.messages.has(id)) {
      this.messages.set(id, { list: [], ids: new Set(), loaded: false, more: true, loading: false });
    }
    return this.messages.get(id);
  }

  // ------------------------------------------------------------------ The snapshot

  applySnapshot(state) {
    this.epoch = state.epoch;
    this.seq = state.seq;
    this.accounts = new Map((state.accounts || []).map((account) => [account.id, account]));
    this.buddies = new Map((state.buddies || []).map((buddy) => [buddyKey(buddy.account, buddy.name), buddy]));
    const previous = this.conversations;
    this.conversations = new Map();
    for (const given of state.conversations || []) {
      const conversation = this.normalizeConversation(given, previous.get(given.id));
      this.conversations.set(conversation.id, conversation);
    }
    // messages of conversations that are gone are dropped; the others are fetched again
    for (const id of [...this.messages.keys()]) {
      if (!this.conversations.has(id)) {
        this.messages.delete(id);
      } else {
        this.messages.get(id).stale = true;
      }
    }
    this.typing.clear();
    this.requests = new Map((state.requests || []).map((request) => [request.id, request]));
    this.transfers = new Map((state.transfers || []).map((transfer) => [transfer.id, transfer]));
    this.presence = { status: 'available', message: '', ...(state.presence || {}) };
    this.worker = state.worker || null;
    this.notices = state.notices || [];
    for (const topic of ['accounts', 'buddies', 'conversations', 'members', 'requests', 'transfers',
      'presence', 'worker', 'typing']) {
      this.emit(topic);
    }
    this.emit('snapshot');
  }

  normalizeConversation(given, previous) {
    return {
      ...given,
      title: given.title || given.name,
      unread: given.unread || 0,
      topic: given.topic ?? previous?.topic ?? '',
      members: new Set(given.members || previous?.members || []),
      active: previous?.active || 0,
    };
  }

  // ------------------------------------------------------------------ Events

  applyEvent(event) {
    if (typeof event.seq === 'number') {
      if (event.seq <= this.seq) {
        return;
      }
      this.seq = event.seq;
    }
    const handler = HANDLERS[event.type];
    try {
      handler?.call(this, event);
    } catch (error) {
      // one malformed event must not stop the stream
      console.error('lilac: cannot apply a %s event', event.type, error);
    }
  }

  addMessages(id, messages, options = {}) {
    const entry = this.messagesOf(id);
    let added = 0;
    for (const message of messages) {
      if (!entry.ids.has(message.id)) {
        entry.ids.add(message.id);
        entry.list.push(message);
        added += 1;
      }
    }
    if (added) {
      entry.list.sort((a, b) => compareIds(a.id, b.id));
    }
    if (options.loaded) {
      entry.loaded = true;
    }
    return added;
  }

  setTyping(conversation, from, state) {
    if (state === 'none') {
      this.typing.delete(conversation);
    } else {
      this.typing.set(conversation, { from, state, until: Date.now() + TYPING_LIFETIME });
    }
    this.emit('typing', conversation);
  }

  removeConversation(id) {
    this.conversations.delete(id);
    this.messages.delete(id);
    this.typing.delete(id);
    this.emit('conversations', { closed: id });
  }
}

// One function per event type of shared/API.md (and the gateway's additions), with the store as this.
const HANDLERS = {
  'account.status'(event) {
    const account = this.accounts.get(event.account);
    if (!account) {
      this.emit('accounts', { unknown: event.account });
      return;
    }
    account.status = event.status;
    if (event.error) {
      account.error = event.error;
    } else {
      delete account.error;
    }
    this.emit('accounts', { account: event.account });
  },

  // added or edited, perhaps in another tab
  'account.added'(event) {
    HANDLERS['account.updated'].call(this, event);
  },

  'account.updated'(event) {
    if (event.account && typeof event.account.id === 'string') {
      this.mergeAccount(event.account);
      this.emit('accounts', { account: event.account.id });
    }
  },

  'account.removed'(event) {
    this.accounts.delete(event.account);
    for (const [key, buddy] of this.buddies) {
      if (buddy.account === event.account) {
        this.buddies.delete(key);
      }
    }
    for (const conversation of [...this.conversations.values()]) {
      if (conversation.account === event.account) {
        this.removeConversation(conversation.id);
      }
    }
    this.emit('accounts', { removed: event.account });
    this.emit('buddies');
  },

  'buddy.added'(event) {
    this.buddies.set(buddyKey(event.account, event.name), {
      account: event.account, name: event.name, alias: event.alias || '', group: event.group || '',
      presence: event.presence || { status: 'offline', message: '', idle: 0 },
    });
    this.emit('buddies');
  },

  'buddy.updated'(event) {
    HANDLERS['buddy.added'].call(this, event);
  },

  'buddy.removed'(event) {
    this.buddies.delete(buddyKey(event.account, event.name));
    this.emit('buddies');
  },

  presence(event) {
    const buddy = this.buddies.get(buddyKey(event.account, event.name));
    if (buddy) {
      buddy.presence = { status: event.status, message: event.message || '', idle: event.idle || 0 };
      this.emit('buddies');
    }
  },

  'user.presence'(event) {
    this.presence = { status: event.status, message: event.message || '' };
    this.emit('presence');
  },

  'conversation.opened'(event) {
    const given = event.conversation;
    const conversation = this.normalizeConversation(given, this.conversations.get(given.id));
    conversation.active = Math.max(conversation.active, event.time || Date.now());
    this.conversations.set(conversation.id, conversation);
    this.emit('conversations', { opened: conversation.id });
  },

  'conversation.closed'(event) {
    const id = typeof event.conversation === 'object' ? event.conversation.id : event.conversation;
    if (this.conversations.has(id)) {
      this.removeConversation(id);
    }
  },

  'conversation.read'(event) {
    const conversation = this.conversations.get(event.conversation);
    if (conversation) {
      conversation.unread = event.unread || 0;
      this.emit('conversations', { read: conversation.id });
    }
  },

  message(event) {
    const conversation = this.conversations.get(event.conversation);
    const message = {
      id: event.id, conversation: event.conversation, account: event.account, from: event.from || '',
      text: event.text || '', direction: event.direction, system: Boolean(event.system),
      time: event.time || Date.now(), seq: event.seq, unsaved: event.saved === false,
    };
    if (conversation) {
      if (typeof event.unread === 'number') {
        conversation.unread = event.unread;
      } else if (message.direction === 'in' && !message.system) {
        conversation.unread += 1;
      }
      conversation.active = message.time;
    }
    const entry = this.messagesOf(event.conversation);
    this.addMessages(event.conversation, [message]);
    if (this.typing.has(event.conversation) && message.direction === 'in') {
      this.typing.delete(event.conversation);
      this.emit('typing', event.conversation);
    }
    this.emit('messages', { conversation: event.conversation, message, entry });
    this.emit('conversations', { message: event.conversation });
  },

  typing(event) {
    this.setTyping(event.conversation, event.from, event.state);
  },

  'chat.members'(event) {
    const conversation = this.conversations.get(event.conversation);
    if (!conversation) {
      return;
    }
    for (const name of event.left || []) {
      conversation.members.delete(name);
    }
    for (const name of event.joined || []) {
      conversation.members.add(name);
    }
    for (const rename of event.renamed || []) {
      conversation.members.delete(rename.from);
      conversation.members.add(rename.to);
    }
    this.emit('members', event.conversation);
  },

  'chat.topic'(event) {
    const conversation = this.conversations.get(event.conversation);
    if (conversation) {
      conversation.topic = event.topic || '';
      this.emit('members', event.conversation);
    }
  },

  'request.opened'(event) {
    this.requests.set(event.request.id, event.request);
    this.emit('requests', { opened: event.request.id });
  },

  'request.closed'(event) {
    this.requests.delete(event.id);
    this.emit('requests', { closed: event.id });
  },

  notify(event) {
    this.emit('notify', event);
  },

  'transfer.updated'(event) {
    const transfer = event.transfer;
    const known = this.transfers.has(transfer.id);
    this.transfers.set(transfer.id, transfer);
    this.emit('transfers', { transfer: transfer.id, added: !known });
  },

  'session.worker'(event) {
    this.worker = event.state;
    this.emit('worker');
  },

  // handled by the stream (it reloads /state); listed so that every type has its place here
  resync() {},
};

export const EVENT_TYPES = Object.keys(HANDLERS);

export const store = new Store();
