-- Production's schema catalog. Copied into the repository from the project's reference material
-- (shared/reference/catalog.sql, describing production's GPU Dev schema: wdvr/osdc, branch feat/k8s-direct,
-- commit 079b7f8), so a clone alone can run the tests that compare the migrated database with production.
-- Normalized description of the public schema: columns, indexes, constraints, triggers, GPU types.
-- Compare with expected-catalog.txt:  psql -X -At -d gpudev -f catalog.sql | diff expected-catalog.txt -
select 'col '||table_name||'.'||column_name||' '||data_type||coalesce('('||character_maximum_length||')','')||' null='||is_nullable||' default='||coalesce(regexp_replace(column_default,'::[a-z ]+','','g'),'-')
  from information_schema.columns where table_schema='public' order by 1;
select 'idx '||tablename||' '||regexp_replace(regexp_replace(indexdef,'INDEX \S+ ON','INDEX ON'),'public\.','','g')
  from pg_indexes where schemaname='public' order by 1;
select 'con '||conrelid::regclass::text||' '||contype::text||' '||pg_get_constraintdef(oid)
  from pg_constraint where connamespace='public'::regnamespace and contype in ('p','u','f','c') order by 1;
select 'trg '||event_object_table||' '||action_timing||' '||event_manipulation
  from information_schema.triggers where trigger_schema='public' order by 1;
select 'row gpu_types '||gpu_type||' '||instance_type||' '||max_gpus||' '||cpus||' '||memory_gb||' '||total_cluster_gpus||' '||max_per_node||' '||is_active
  from gpu_types order by 1;
