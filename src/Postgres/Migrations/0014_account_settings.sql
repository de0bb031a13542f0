-- 0014 (issue 14): per-account settings managed by administrators: allowed sender ids ("from" of /send) and status
-- callbacks (default URL and the HMAC-SHA256 key that signs them).
CREATE TABLE account_settings (
    user_id          text        NOT NULL PRIMARY KEY,
    allowed_senders  text[]      NOT NULL DEFAULT '{}',
    callback_url     text        NULL,
    callback_secret  text        NULL,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
