-- 0151 (issue 16, opt-out and block lists): recipients a list refuses. list_id is the user id of an account's list or '*'
-- for the global list; msisdn is E.164. block_list_versions counts the changes of each list so that gateways re-read a list
-- only when it changed.
CREATE TABLE blocked_recipients (
    list_id   text        NOT NULL,
    msisdn    text        NOT NULL,
    source    text        NOT NULL,
    added_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (list_id, msisdn)
);

CREATE TABLE block_list_versions (
    list_id  text   NOT NULL PRIMARY KEY,
    version  bigint NOT NULL
);
