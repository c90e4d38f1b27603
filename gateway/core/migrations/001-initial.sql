-- v1: gateway users, their logins, IM accounts, conversations and messages
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL,          -- Argon2id, libsodium's crypto_pwhash_str format
  admin INTEGER NOT NULL DEFAULT 0,
  key_salt BLOB NOT NULL,               -- salt of the Argon2id key that wraps the data key
  wrapped_key BLOB NOT NULL,            -- nonce || XChaCha20-Poly1305(data key)
  settings TEXT NOT NULL DEFAULT '{}',
  created INTEGER NOT NULL
);

CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash BLOB NOT NULL UNIQUE,      -- BLAKE2b of the bearer token; the token is never stored
  csrf TEXT NOT NULL,
  wrapped_key BLOB NOT NULL,            -- the data key, wrapped by a key derived from the token
  created INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  address TEXT NOT NULL DEFAULT '',
  agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  protocol TEXT NOT NULL,
  username TEXT NOT NULL,
  alias TEXT NOT NULL DEFAULT '',
  options TEXT NOT NULL DEFAULT '{}',
  enabled INTEGER NOT NULL DEFAULT 1,
  secret BLOB,                          -- nonce || XChaCha20-Poly1305(password), AD = account id
  created INTEGER NOT NULL,
  UNIQUE (user_id, protocol, username)
);
CREATE INDEX accounts_user ON accounts (user_id);

CREATE TABLE conversations (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  type TEXT NOT NULL CHECK (type IN ('im', 'chat')),
  name TEXT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  open INTEGER NOT NULL DEFAULT 1,
  unread INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0,
  UNIQUE (account_id, type, name)
);
CREATE INDEX conversations_user ON conversations (user_id);

CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  account_id INTEGER NOT NULL,
  sender TEXT NOT NULL,
  text TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  system INTEGER NOT NULL DEFAULT 0,
  time INTEGER NOT NULL
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);
CREATE INDEX messages_user ON messages (user_id, id);
