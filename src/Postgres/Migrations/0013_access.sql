-- 0013: API keys and per-account limit overrides (README "Security").
-- A key is stored as the SHA-256 of its secret only; the secret is shown once, when the key is issued.

CREATE TABLE api_keys (
    key_id        text        NOT NULL PRIMARY KEY,   -- 'k' + 16 hex digits, the public part of the key
    user_id       text        NOT NULL,
    secret_sha256 bytea       NOT NULL CHECK (octet_length(secret_sha256) = 32),
    created_at    timestamptz NOT NULL,
    revoked_at    timestamptz NULL
);

CREATE INDEX api_keys_user_idx ON api_keys (user_id, created_at);

-- NULL: the configured default (Auth:Limits).
CREATE TABLE account_limits (
    user_id             text    NOT NULL PRIMARY KEY,
    requests_per_second integer NULL CHECK (requests_per_second > 0),
    messages_per_second integer NULL CHECK (messages_per_second > 0),
    messages_per_day    integer NULL CHECK (messages_per_day > 0)
);
