-- v4: file transfers, their bytes in a separate table of 1 MiB pieces: progress updates of a
-- transfer do not expire the blob handles that stream its content, and writing at any offset of a
-- large file touches one piece, not a chain of overflow pages from the start
CREATE TABLE transfers (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  peer TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  filename TEXT NOT NULL,               -- sanitized: no path, no control characters
  size INTEGER NOT NULL,
  done INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL CHECK (state IN ('pending', 'active', 'done', 'cancelled', 'failed')),
  error TEXT,
  created INTEGER NOT NULL
);
CREATE INDEX transfers_user ON transfers (user_id);

CREATE TABLE transfer_pieces (
  transfer_id INTEGER NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
  piece INTEGER NOT NULL,               -- offset / 1 MiB
  content BLOB NOT NULL,                -- zeroblob of the piece's size, filled by incremental blob I/O
  PRIMARY KEY (transfer_id, piece)
);
