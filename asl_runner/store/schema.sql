-- asl-runner's store. An execution is its row, its history (events) and the log of what came
-- from outside it (inputs: task outcomes, timer firings, callbacks, stop requests), written in
-- one transaction with the events they caused. Replaying the inputs over the definition
-- rebuilds the execution exactly; nothing else about a waiting execution needs storing.

CREATE TABLE IF NOT EXISTS state_machines (
    arn          TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    type         TEXT NOT NULL,
    definition   TEXT NOT NULL,
    role_arn     TEXT NOT NULL,
    status       TEXT NOT NULL,
    created      REAL NOT NULL,
    updated      REAL,
    revision_id  TEXT NOT NULL,
    description  TEXT,
    config       TEXT              -- loggingConfiguration, tracingConfiguration, ... as JSON
);

CREATE TABLE IF NOT EXISTS state_machine_versions (
    arn          TEXT PRIMARY KEY,
    machine_arn  TEXT NOT NULL,
    version      INTEGER NOT NULL,
    definition   TEXT NOT NULL,
    role_arn     TEXT NOT NULL,
    revision_id  TEXT NOT NULL,
    description  TEXT,
    created      REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS versions_by_machine ON state_machine_versions (machine_arn, version);

CREATE TABLE IF NOT EXISTS state_machine_aliases (
    arn          TEXT PRIMARY KEY,
    machine_arn  TEXT NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT,
    routing      TEXT NOT NULL,    -- routingConfiguration as JSON
    created      REAL NOT NULL,
    updated      REAL
);

CREATE TABLE IF NOT EXISTS executions (
    arn          TEXT PRIMARY KEY,
    machine_arn  TEXT NOT NULL,
    name         TEXT NOT NULL,
    status       TEXT NOT NULL,
    input        TEXT NOT NULL,
    output       TEXT,
    error        TEXT,
    cause        TEXT,
    start_date   REAL NOT NULL,
    stop_date    REAL,
    definition   TEXT NOT NULL,    -- the definition this execution runs (versions may change)
    role_arn     TEXT NOT NULL,
    seed         INTEGER NOT NULL, -- its random source, so a replay draws the same numbers
    version_arn  TEXT,
    alias_arn    TEXT,
    type         TEXT NOT NULL,
    machine_name TEXT NOT NULL,
    trace_header TEXT,
    test_case    TEXT,             -- the mock configuration's test case (StartExecution ARN#TEST)
    map_run_arn  TEXT,             -- a Distributed Map's child: its Map Run (else NULL)
    item_index   INTEGER,          -- ... the index of its item (or batch) in the Map Run
    item_count   INTEGER,          -- ... how many items it processes
    redrive_count INTEGER NOT NULL DEFAULT 0, -- RedriveExecution: how many times,
    redrive_date REAL,             -- ... when last,
    redrive_token TEXT             -- ... and the last request's clientToken
);
CREATE INDEX IF NOT EXISTS executions_by_machine ON executions (machine_arn, start_date);
CREATE INDEX IF NOT EXISTS executions_by_status ON executions (status);

-- A Distributed Map's Map Runs. Their child executions are rows of executions (map_run_arn),
-- written in the transaction of the step that started or ended them; a child's events are
-- written once, when it ends (EXPRESS children keep none, as on AWS).
CREATE TABLE IF NOT EXISTS map_runs (
    arn           TEXT PRIMARY KEY,
    execution_arn TEXT NOT NULL,   -- the execution that started it
    machine_arn   TEXT NOT NULL,   -- that execution's state machine
    root_arn      TEXT NOT NULL,   -- the execution it runs in (its own, or a child's parent)
    label         TEXT NOT NULL,
    definition    TEXT NOT NULL,   -- its children's: the ItemProcessor as a state machine
    status        TEXT NOT NULL,
    start_date    REAL NOT NULL,
    stop_date     REAL,
    description   TEXT NOT NULL    -- DescribeMapRun's response, as JSON
);
CREATE INDEX IF NOT EXISTS map_runs_by_execution ON map_runs (execution_arn, start_date);

CREATE TABLE IF NOT EXISTS events (
    execution_arn TEXT NOT NULL,
    id            INTEGER NOT NULL,
    previous_id   INTEGER NOT NULL,
    type          TEXT NOT NULL,
    timestamp     REAL NOT NULL,
    details       TEXT,
    PRIMARY KEY (execution_arn, id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS inputs (
    execution_arn TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    payload       TEXT NOT NULL,
    PRIMARY KEY (execution_arn, seq)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS activities (
    arn          TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    created      REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS tags (
    resource_arn TEXT NOT NULL,
    key          TEXT NOT NULL,
    value        TEXT NOT NULL,
    PRIMARY KEY (resource_arn, key)
) WITHOUT ROWID;
