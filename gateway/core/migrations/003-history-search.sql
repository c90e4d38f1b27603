-- v3: full-text search over message text. The trigram tokenizer finds any substring of three or
-- more characters, so English words and Chinese text (which has no spaces between words) both
-- match; shorter queries fall back to LIKE in the code.
CREATE VIRTUAL TABLE messages_fts USING fts5 (
  text,
  content = 'messages',
  content_rowid = 'id',
  tokenize = 'trigram'
);
INSERT INTO messages_fts (rowid, text) SELECT id, text FROM messages;

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE INDEX messages_time ON messages (time);
