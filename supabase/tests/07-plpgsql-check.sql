/*
 * Static checks of the PL/pgSQL functions in private with plpgsql_check:
 * every trigger function is checked against each table it is attached to, so
 * a misspelt column or table, a type mismatch or dynamic SQL open to injection
 * fails here instead of on the first insert in production.
 */
begin;
create extension if not exists pgtap with schema extensions;
create extension if not exists plpgsql_check with schema extensions;
set local search_path = public, extensions;

select plan(3);

select isnt_empty(
    $$ select 1
       from pg_trigger t
                join pg_proc p on p.oid = t.tgfoid
                join pg_language l on l.oid = p.prolang
       where p.pronamespace = 'private'::regnamespace
         and l.lanname = 'plpgsql'
         and not t.tgisinternal $$,
    'there are PL/pgSQL trigger functions in private to check');

select is_empty(
    $$ select t.tgrelid::regclass as on_table, t.tgname, r.level, r.message, r.lineno, r.query
       from pg_trigger t
                join pg_proc p on p.oid = t.tgfoid
                join pg_language l on l.oid = p.prolang
                cross join lateral plpgsql_check_function_tb(
                   p.oid, t.tgrelid,
                   fatal_errors => false, extra_warnings => true, security_warnings => true) r
       where p.pronamespace = 'private'::regnamespace
         and l.lanname = 'plpgsql'
         and not t.tgisinternal $$,
    'plpgsql_check finds nothing in the trigger functions of private, on every table they serve');

select is_empty(
    $$ select p.oid::regprocedure, r.level, r.message, r.lineno
       from pg_proc p
                join pg_language l on l.oid = p.prolang
                cross join lateral plpgsql_check_function_tb(
                   p.oid, fatal_errors => false, extra_warnings => true, security_warnings => true) r
       where p.pronamespace = 'private'::regnamespace
         and l.lanname = 'plpgsql'
         and p.prorettype <> 'trigger'::regtype $$,
    'plpgsql_check finds nothing in the other PL/pgSQL functions of private');

select * from finish();
rollback;
