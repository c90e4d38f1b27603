-- v5: messages reach the search index in batches, off the path of each message. Indexing one
-- message in its own transaction wrote about 25 KiB more to the WAL (FTS5 segment and structure
-- pages) and doubled the cost of storing it. A stored message now only leaves its id in
-- messages_unindexed; the gateway indexes those a moment later, and search scans them with LIKE
-- until then, so it always finds every stored message.
CREATE TABLE messages_unindexed (id INTEGER PRIMARY KEY);

DROP TRIGGER messages_fts_insert;
CREATE TRIGGER messages_unindexed_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_unindexed (id) VALUES (new.id);
END;

-- one trigger, so that the index entry goes (only when there is one) before the queue entry
DROP TRIGGER messages_fts_delete;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text)
    SELECT 'delete', old.id, old.text
    WHERE NOT EXISTS (SELECT 1 FROM messages_unindexed WHERE id = old.id);
  DELETE FROM messages_unindexed WHERE id = old.id;
END;
