-- thesis-service: generation jobs, their results, the Claude interactions behind them, and the
-- transactional outbox that carries requests and job events to Kafka (README: "Outbox").

create table jobs (
    id                  uuid primary key,
    type                text        not null check (type in ('THESES', 'SYNTHESIS')),
    requested_by        text        not null,
    -- one concept for THESES, 2..5 for SYNTHESIS, in the order the user gave
    concept_ids         uuid[]      not null check (cardinality(concept_ids) between 1 and 5),
    count               integer     not null check (count between 1 and 10),
    language            text        not null,
    mode                text        check (mode in ('dialectical', 'comparative', 'integrative')),
    status              text        not null check (status in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    -- the highest worker attempt seen (the worker's delivery counter)
    attempts            integer     not null default 0,
    -- how often the request was published: 1, plus one per watchdog re-dispatch
    dispatches          integer     not null default 1,
    error               text,
    idempotency_key     text,
    request_fingerprint text        not null,
    last_phase          text,
    last_output_tokens  integer,
    last_message        text,
    -- last sign of life (creation, a worker event, a re-dispatch): what the watchdog measures
    last_event_at       timestamptz not null,
    generated_by        text,
    cache_hit           boolean,
    prompt_version      text,
    created_at          timestamptz not null,
    started_at          timestamptz,
    finished_at         timestamptz,
    updated_at          timestamptz not null,
    version             bigint      not null,
    check ((type = 'THESES') = (mode is null)),
    check ((status in ('SUCCEEDED', 'FAILED', 'CANCELLED')) = (finished_at is not null))
);

-- one job per (user, Idempotency-Key)
create unique index jobs_idempotency_key on jobs (requested_by, idempotency_key) where idempotency_key is not null;
-- the watchdog's scan: only live jobs
create index jobs_live_by_last_event on jobs (last_event_at) where status in ('QUEUED', 'RUNNING');
create index jobs_by_requester on jobs (requested_by, created_at desc);

create table theses (
    job_id      uuid    not null references jobs (id) on delete cascade,
    ord         integer not null check (ord >= 1),
    concept_id  uuid    not null,
    text        text    not null,
    rationale   text,
    categories  text[]  not null default '{}',
    created_at  timestamptz not null,
    -- a job's theses are stored once: a repeated result cannot add a second set
    primary key (job_id, ord)
);
create index theses_by_concept on theses (concept_id, created_at desc);

create table syntheses (
    id                  uuid primary key,
    job_id              uuid   not null unique references jobs (id) on delete cascade,
    source_concept_ids  uuid[] not null,
    mode                text   not null,
    name                text   not null,
    description         text,
    tradition           text,
    -- {"categories": [...], "relations": [...]}: ready to be posted to concept-service
    proposed            jsonb  not null,
    created_at          timestamptz not null
);

create table interactions (
    id                  bigint generated always as identity primary key,
    job_id              uuid    not null references jobs (id) on delete cascade,
    attempt             integer not null,
    model               text,
    input_tokens        integer not null,
    output_tokens       integer not null,
    latency_ms          bigint  not null,
    estimated_cost_usd  numeric(14, 6),
    request_id          text,
    cache_hit           boolean not null,
    purpose             text,
    generated_by        text,
    created_at          timestamptz not null
);
create index interactions_by_job on interactions (job_id);

-- Messages to publish, written in the transaction that changes the job; the relay publishes them in
-- id order per job and stamps published_at after Kafka acknowledged them.
create table outbox (
    id            bigint generated always as identity primary key,
    job_id        uuid        not null,
    -- logical destination: 'requests' or 'progress' (the topic names are configuration)
    channel       text        not null check (channel in ('requests', 'progress')),
    -- the record value, JSON text exactly as sent
    payload       text        not null,
    created_at    timestamptz not null,
    published_at  timestamptz
);
create index outbox_unpublished on outbox (id) where published_at is null;
create index outbox_unpublished_by_job on outbox (job_id, id) where published_at is null;
create index outbox_published on outbox (published_at) where published_at is not null;

-- wakes the relays of every replica at commit (a rolled-back insert notifies nobody)
create function outbox_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify('thesis_outbox', '');
    return null;
end
$$;
create trigger outbox_inserted after insert on outbox for each statement execute function outbox_notify();
