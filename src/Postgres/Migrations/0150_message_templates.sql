-- 0150 (issue 16, verification templates): named texts per account with typed {token} placeholders, filled by POST /verify.
-- tokens: {"<name>": {"type": "digits|alphanumeric|text", "max_length": n}}.
CREATE TABLE message_templates (
    user_id     text        NOT NULL,
    name        text        NOT NULL,
    text        text        NOT NULL,
    tokens      jsonb       NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, name)
);
