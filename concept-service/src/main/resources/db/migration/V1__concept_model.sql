-- Dialectica concept model: the system of record.
-- Constraints here are the last line of defence: the service validates first and answers with a
-- precise problem, but nothing that violates these invariants can ever be committed.

create table relation_types (
    code        varchar(40) primary key check (code ~ '^[A-Z][A-Z_]*$'),
    description text        not null
);

insert into relation_types (code, description) values
    ('IMPLIES',      'The first category logically or conceptually entails the second.'),
    ('PRESUPPOSES',  'The first category can only be thought on the ground of the second.'),
    ('NEGATES',      'The first category is the determinate negation of the second.'),
    ('CONTRADICTS',  'The two categories cannot both hold in the same respect.'),
    ('SUBLATES',     'The first category cancels, preserves and lifts up the second (Aufhebung).'),
    ('GROUNDS',      'The first category is the reason or foundation of the second.'),
    ('ANALOGOUS_TO', 'The first category stands to its terms as the second stands to its own.'),
    ('PART_OF',      'The first category is a moment or part of the second.'),
    ('OPPOSES',      'The first category stands in polar (not contradictory) opposition to the second.'),
    ('EXEMPLIFIES',  'The first category is an instance or illustration of the second.');

create table categories (
    id             uuid         primary key,
    name           varchar(200) not null check (length(btrim(name)) > 0),
    -- shared across concepts: one row per canonical name (trimmed, whitespace collapsed, NFKC, lower case)
    canonical_name varchar(200) not null unique check (length(canonical_name) > 0),
    description    text,
    created_at     timestamptz  not null default now()
);

create table concepts (
    id            uuid         primary key,
    owner         varchar(255) not null check (length(owner) > 0),
    name          varchar(200) not null check (length(btrim(name)) > 0),
    description   text         check (length(description) <= 20000),
    tradition     varchar(100),
    visibility    varchar(10)  not null check (visibility in ('PUBLIC', 'PRIVATE')),
    quality_score double precision not null default 0 check (quality_score between 0 and 1),
    version       bigint       not null default 1 check (version >= 1),
    created_at    timestamptz  not null,
    updated_at    timestamptz  not null
);

create index concepts_owner_idx     on concepts (owner);
create index concepts_tradition_idx on concepts (lower(tradition));
create index concepts_updated_idx   on concepts (updated_at desc, id);

create table concept_categories (
    id          uuid             primary key,
    concept_id  uuid             not null references concepts (id) on delete cascade,
    category_id uuid             not null references categories (id),
    weight      double precision not null check (weight between 0 and 1),
    x           double precision not null default 0 check (x between -1000000 and 1000000),
    y           double precision not null default 0 check (y between -1000000 and 1000000),
    -- no duplicate membership; also the target of the relations' composite foreign keys
    constraint concept_categories_membership unique (concept_id, category_id)
);

create index concept_categories_category_idx on concept_categories (category_id);

create table concept_relations (
    id               uuid             primary key,
    concept_id       uuid             not null references concepts (id) on delete cascade,
    from_category_id uuid             not null,
    to_category_id   uuid             not null,
    type             varchar(40)      not null references relation_types (code),
    weight           double precision not null check (weight between 0 and 1),
    rationale        text             check (length(rationale) <= 5000),
    check (from_category_id <> to_category_id),
    constraint concept_relations_unique unique (concept_id, from_category_id, to_category_id, type),
    -- a relation's ends must be categories of the same concept: removing a membership removes its relations
    constraint concept_relations_from_member foreign key (concept_id, from_category_id)
        references concept_categories (concept_id, category_id) on delete cascade,
    constraint concept_relations_to_member foreign key (concept_id, to_category_id)
        references concept_categories (concept_id, category_id) on delete cascade
);

create index concept_relations_concept_idx on concept_relations (concept_id);
