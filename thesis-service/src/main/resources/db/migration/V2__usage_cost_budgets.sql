-- Issue 17: the usage and cost of every job, and a monthly budget per user (README: "Cost and budgets").

-- the prompt cache's usage fields of each call, and costs exact to 10 decimals (the price table's prices
-- have at most 2 decimals and its multipliers at most 2, so price x tokens / 1e6 never needs more)
alter table interactions
    add column cache_creation_input_tokens integer not null default 0,
    add column cache_read_input_tokens     integer not null default 0,
    alter column estimated_cost_usd type numeric(20, 10);

-- a job's usage and cost, summed from its stored result's interactions (null until a result was stored);
-- the budget period it is charged to and what it still holds of that budget until it is settled
alter table jobs
    add column input_tokens                bigint,
    add column output_tokens               bigint,
    add column cache_creation_input_tokens bigint,
    add column cache_read_input_tokens     bigint,
    add column cost_usd                    numeric(20, 10) check (cost_usd >= 0),
    add column budget_month                date,
    add column held_usd                    numeric(20, 10) not null default 0 check (held_usd >= 0);

-- one user's monthly budget, set by an admin; without a row the configured default applies
create table budgets (
    user_id      text primary key,
    monthly_usd  numeric(20, 10) not null check (monthly_usd >= 0),
    set_by       text        not null,
    updated_at   timestamptz not null
);

-- what a user spent (settled costs) and holds (for jobs not yet settled) in one budget month; the row is
-- locked by every job request and settlement of its user and month, so concurrent requests queue up here
create table spending (
    user_id     text           not null,
    month       date           not null,
    spent_usd   numeric(20, 10) not null default 0 check (spent_usd >= 0),
    held_usd    numeric(20, 10) not null default 0 check (held_usd >= 0),
    jobs        integer        not null default 0,
    updated_at  timestamptz    not null,
    primary key (user_id, month)
);
