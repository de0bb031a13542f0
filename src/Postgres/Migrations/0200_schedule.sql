-- 0200: scheduling (send_at), the scheduler's fence, and three statuses (README "Scheduling, validity and cancel").
-- MessageStatus gains 9 scheduled, 10 expired, 11 canceled. Stored values never change, so the precedence inside one
-- attempt is no longer the numeric order: sms_status_rank gives it (the same as StatusPrecedence.Rank in src/Pipeline):
-- four times the value for 0-8, scheduled 2 (after accepted, before queued), expired 29 and canceled 30 (after failed,
-- before rejected). The status upsert compares (attempt, sms_status_rank(status)).

ALTER TABLE messages DROP CONSTRAINT messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check CHECK (status BETWEEN 0 AND 11);
ALTER TABLE status_events DROP CONSTRAINT status_events_status_check;
ALTER TABLE status_events ADD CONSTRAINT status_events_status_check CHECK (status BETWEEN 0 AND 11);

CREATE FUNCTION sms_status_rank(status smallint) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE status WHEN 9 THEN 2 WHEN 10 THEN 29 WHEN 11 THEN 30 ELSE status * 4 END;

-- Reserved messages waiting for their send_at. The scheduler that holds the 'scheduler' lock publishes due rows and
-- sets released_at in the same transaction; a canceled row is deleted while released_at is null.
CREATE TABLE scheduled_messages (
    id          uuid        NOT NULL PRIMARY KEY,
    user_id     text        NOT NULL,
    send_at     timestamptz NOT NULL,
    payload     jsonb       NOT NULL,   -- the message as the transport carries it (PipelineJson, snake_case)
    created_at  timestamptz NOT NULL DEFAULT now(),
    released_at timestamptz NULL
);

CREATE INDEX scheduled_messages_due_idx ON scheduled_messages (send_at) WHERE released_at IS NULL;
CREATE INDEX scheduled_messages_released_idx ON scheduled_messages (released_at) WHERE released_at IS NOT NULL;

-- Fencing tokens of the scheduler's lock grants (monotonic per grant): a release runs only with a token at least as
-- large as the last one seen, and holds this row's lock until it commits.
CREATE TABLE scheduler_fence (
    name  text   NOT NULL PRIMARY KEY,
    token bigint NOT NULL
);

INSERT INTO scheduler_fence (name, token) VALUES ('scheduler', 0);
