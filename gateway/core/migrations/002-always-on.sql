-- v2: always-on users (data key also wrapped by the server key) and login expiry
ALTER TABLE users ADD COLUMN server_wrapped_key BLOB;    -- nonce || XChaCha20-Poly1305(data key) under the server key
ALTER TABLE users ADD COLUMN credentials_reset INTEGER NOT NULL DEFAULT 0;  -- tell the user at next login
CREATE INDEX sessions_last_seen ON sessions (last_seen);
