-- 0001: messages with their current status, and every status event.
-- Enum columns hold the integer value of the .NET enum (SmsGateway.Model):
--   status   MessageStatus  0 accepted, 1 queued, 2 sending, 3 retrying, 4 sent, 5 delivered, 6 undelivered, 7 failed, 8 rejected
--            (the order is the precedence inside one attempt: the current status is the event with the greatest (attempt, status))
--   type     MessageType    0 normal, 1 express
--   encoding SmsEncoding    0 GSM-7, 1 UCS-2
-- Money (cost) is in minor currency units.

CREATE TABLE messages (
    id          uuid        NOT NULL PRIMARY KEY,   -- UUIDv7: byte order is time order
    user_id     text        NOT NULL,
    msisdn      text        NOT NULL,               -- E.164
    operator    text        NOT NULL,
    type        smallint    NOT NULL CHECK (type BETWEEN 0 AND 1),
    encoding    smallint    NOT NULL CHECK (encoding BETWEEN 0 AND 1),
    segments    integer     NOT NULL CHECK (segments >= 0),
    cost        bigint      NOT NULL CHECK (cost >= 0),
    accepted_at timestamptz NOT NULL,
    status      smallint    NOT NULL CHECK (status BETWEEN 0 AND 8),
    attempt     integer     NOT NULL CHECK (attempt >= 0),
    updated_at  timestamptz NOT NULL,               -- time of the event that set the current status
    error_code  text        NULL
);

-- Report counts per status over [from, to) of accepted_at: index-only scan thanks to INCLUDE (status).
CREATE INDEX messages_user_accepted_idx ON messages (user_id, accepted_at DESC, id DESC) INCLUDE (status);
-- Message list filtered by status, newest first, keyset on id.
CREATE INDEX messages_user_status_id_idx ON messages (user_id, status, id DESC);
-- Message list without a status filter, newest first, keyset on id.
CREATE INDEX messages_user_id_idx ON messages (user_id, id DESC);

CREATE TABLE status_events (
    message_id uuid        NOT NULL,
    status     smallint    NOT NULL CHECK (status BETWEEN 0 AND 8),
    attempt    integer     NOT NULL CHECK (attempt >= 0),
    at         timestamptz NOT NULL,
    error_code text        NULL,
    -- Idempotency key of an event; also serves the history lookup by message_id.
    CONSTRAINT status_events_pkey PRIMARY KEY (message_id, status, attempt)
);
