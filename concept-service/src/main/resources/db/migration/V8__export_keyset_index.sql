-- GET /api/me/export (concept-service's part, /internal/export/concepts) reads an owner's concepts a page at a time
-- in creation order: "where owner = $1 and (created_at, id) > ($2, $3) order by created_at, id limit n". This index
-- answers each page as a range scan whatever the number of concepts. It also serves every "owner = ..." filter, so
-- it replaces the index on owner alone.
create index concepts_owner_created_idx on concepts (owner, created_at, id);
drop index concepts_owner_idx;
