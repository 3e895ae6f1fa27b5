-- 001_users_and_keys.sql
-- API users and their API keys. A key is never stored: only its SHA-256 hex digest (key_hash)
-- and its first 8 characters (key_prefix) so a user can tell keys apart.

CREATE TABLE IF NOT EXISTS api_users (
    user_id     SERIAL PRIMARY KEY,
    username    VARCHAR(255) UNIQUE NOT NULL,
    email       VARCHAR(255),
    created_at  TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    is_active   BOOLEAN DEFAULT true
);

CREATE TABLE IF NOT EXISTS api_keys (
    key_id        SERIAL PRIMARY KEY,
    user_id       INTEGER REFERENCES api_users(user_id) ON DELETE CASCADE,
    key_hash      VARCHAR(128) NOT NULL UNIQUE,
    key_prefix    VARCHAR(16) NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    expires_at    TIMESTAMP WITH TIME ZONE,
    last_used_at  TIMESTAMP WITH TIME ZONE,
    is_active     BOOLEAN DEFAULT true,
    description   TEXT
);

-- Authentication looks a key up by hash among active keys only.
CREATE INDEX IF NOT EXISTS idx_api_keys_key_hash
    ON api_keys (key_hash) WHERE is_active = true;
CREATE INDEX IF NOT EXISTS idx_api_keys_user_id
    ON api_keys (user_id) WHERE is_active = true;
CREATE INDEX IF NOT EXISTS idx_api_keys_expires_at
    ON api_keys (expires_at) WHERE is_active = true AND expires_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_api_users_username
    ON api_users (username);
