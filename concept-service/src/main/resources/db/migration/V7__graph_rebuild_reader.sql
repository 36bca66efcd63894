-- graph-service's rebuild (./dialectica rebuild graph) reads the concept tables once, in a READ ONLY snapshot
-- (graph-service/README.md, "Rebuilding"). It logs in as its own role, dialectica_graph, which may read these
-- four tables and nothing else: no writes, no other table of this service.
-- The login is created by the stack script / the operator (CloudNativePG managed role), not here; an operator
-- who creates it later runs the same grants.
do $$
begin
    if exists (select 1 from pg_roles where rolname = 'dialectica_graph') then
        execute format('grant usage on schema %I to dialectica_graph', current_schema());
        grant select on concepts, categories, concept_categories, concept_relations to dialectica_graph;
    end if;
end
$$;
