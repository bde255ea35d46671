-- The bare SQL of one `enrol` transaction (src/service/admission.rs `admit`, with
-- src/service/counting/write.rs `enrolled_many` and src/service/counting/tally.rs
-- `Tally::send`), for pgbench -M prepared. Same statements in the same order, with the
-- application's values as parameters or computed in place (confirmed against
-- PostgreSQL's log_statement = 'all' log of a real `enrol`):
--
--   admission::hold              nothing: the course has no capacity, so it is not locked
--   insert_started               one statement: INSERT INTO enrolment ... ON CONFLICT DO
--                                NOTHING RETURNING, and from its rows INSERT INTO
--                                person_track ... RETURNING (a person new to the track: no
--                                programme_person read, they hold no certificate on it)
--   as_of::changes               lock the trainee row and read the programmes (one
--                                statement), then the person's certificates and enrolments
--                                (one statement)
--   Tally::send                  one statement: the seat (a shard of the open course's
--                                course_seat rows, the course row held FOR KEY SHARE),
--                                trainee_institution, the audit record, stats_rollup,
--                                stats_day (three-row upserts: INSTITUTION, DISTRICT and
--                                DISTRICT_TOTAL grain), programme_counter, progress_day and
--                                progress_month (city and institution), every sharded row
--                                on the transaction's one of 16 shards
--
-- Variables (pgbench -D): course, institution, district, track, level, programme,
-- clients (= -c), pool (trainees reserved for pgbench), i=0 (per-client counter).
-- Trainee n has the id b2000000-0000-4000-8000-<n as 12 hex digits> (run.sh inserts
-- them). Client c takes trainees c+1, c+1+clients, ... so each transaction is a real
-- insert; past the pool it picks at random, and a repeat takes the code's
-- already-enrolled path (the existing enrolment read, nothing counted), as the
-- ON CONFLICT clauses allow. The enrolment id is time-ordered like the application's
-- UUIDv7.

\set i :i + 1
\set n :client_id + 1 + :clients * (:i - 1)
\if :n > :pool
\set n random(1, :pool)
\endif
\set shard random(0, 15)
BEGIN;
WITH e AS (INSERT INTO "enrolment" ("id", "trainee_id", "course_id", "status", "enrolled_at", "enrolled_on", "created_at", "updated_at") VALUES (overlay(overlay(md5(random()::text) placing lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') from 1 for 12) placing '7' from 13)::uuid, ('b2000000-0000-4000-8000-' || lpad(to_hex(:n::bigint), 12, '0'))::uuid, :course, 'ENROLLED', now(), (now() AT TIME ZONE 'Asia/Shanghai')::date, now(), now()) ON CONFLICT ("trainee_id", "course_id") DO NOTHING RETURNING "id", "trainee_id", "enrolled_at", "enrolled_on"), t AS (INSERT INTO person_track (trainee_id, track, enrolled_now, first_enrolment_id, first_enrolled_at) SELECT trainee_id, :track, 1, id, enrolled_at FROM e ORDER BY trainee_id ON CONFLICT (trainee_id, track) DO NOTHING RETURNING trainee_id) SELECT count(*) AS created, max(e.id::text) AS id, max(e.trainee_id::text) AS trainee_id, max(e.enrolled_at) AS enrolled_at, max(e.enrolled_on) AS enrolled_on, count(t.trainee_id) AS fresh FROM e LEFT JOIN t ON t.trainee_id = e.trainee_id \gset e_
\if :e_created
WITH taken AS (SELECT id FROM trainee WHERE id IN (:e_trainee_id) ORDER BY id FOR NO KEY UPDATE) SELECT p.id, p.starts_on, p.ends_on, p.counted_kinds FROM (SELECT COUNT(*) AS n FROM taken) t LEFT JOIN programme p ON TRUE;
SELECT 'C' AS row_kind, id, trainee_id, track, institution_id, issued_on AS on_day, revoked_at AS ended_at, kind AS state, NULL AS assessed_on, NULL AS completed_on, NULL AS updated_at FROM certificate WHERE trainee_id IN (:e_trainee_id) UNION ALL SELECT 'E', e.id, e.trainee_id, c.track, c.institution_id, e.enrolled_on, e.withdrawn_at, e.status, e.assessed_on, e.completed_on, e.updated_at FROM enrolment e JOIN course c ON c.id = e.course_id WHERE e.trainee_id IN (:e_trainee_id);
WITH w8 AS (INSERT INTO progress_month (programme_id, scope_id, figure, month, shard, change, losses) VALUES (:programme, '00000000-0000-0000-0000-000000000000', 'IN_TRAINING:' || :track, date_trunc('month', :e_enrolled_on::date)::date, :shard, 1, 0), (:programme, :institution, 'IN_TRAINING:' || :track, date_trunc('month', :e_enrolled_on::date)::date, :shard, 1, 0) ON CONFLICT (programme_id, scope_id, figure, month, shard) DO UPDATE SET change = progress_month.change + excluded.change, losses = progress_month.losses + excluded.losses),
     w7 AS (INSERT INTO progress_day (programme_id, scope_id, figure, day, shard, change) VALUES (:programme, '00000000-0000-0000-0000-000000000000', 'IN_TRAINING:' || :track, :e_enrolled_on::date, :shard, 1), (:programme, :institution, 'IN_TRAINING:' || :track, :e_enrolled_on::date, :shard, 1) ON CONFLICT (programme_id, scope_id, figure, day, shard) DO UPDATE SET change = progress_day.change + excluded.change),
     w6 AS (INSERT INTO programme_counter (programme_id, track, shard, certified, in_training) VALUES (:programme, :track, :shard, 0, 1) ON CONFLICT (programme_id, track, shard) DO UPDATE SET certified = programme_counter.certified + excluded.certified, in_training = programme_counter.in_training + excluded.in_training),
     w5 AS (INSERT INTO stats_day (grain, institution_id, district, track, level, day, shard, enrolments, completions, trainees, certified_persons) VALUES ('INSTITUTION', :institution, :district, :track, :level, :e_enrolled_on::date, :shard, 1, 0, 1, 0), ('DISTRICT', '00000000-0000-0000-0000-000000000000', :district, :track, :level, :e_enrolled_on::date, :shard, 1, 0, 1, 0), ('DISTRICT_TOTAL', '00000000-0000-0000-0000-000000000000', :district, '*', 0, :e_enrolled_on::date, :shard, 1, 0, 1, 0) ON CONFLICT (grain, institution_id, district, track, level, day, shard) DO UPDATE SET enrolments = stats_day.enrolments + excluded.enrolments, completions = stats_day.completions + excluded.completions, trainees = stats_day.trainees + excluded.trainees, certified_persons = stats_day.certified_persons + excluded.certified_persons),
     w4 AS (INSERT INTO stats_rollup (grain, institution_id, district, track, level, month, shard, enrolments, completions, trainees, certified_persons) VALUES ('INSTITUTION', :institution, :district, :track, :level, to_char(:e_enrolled_on::date, 'YYYY-MM'), :shard, 1, 0, 1, 0), ('DISTRICT', '00000000-0000-0000-0000-000000000000', :district, :track, :level, to_char(:e_enrolled_on::date, 'YYYY-MM'), :shard, 1, 0, 1, 0), ('DISTRICT_TOTAL', '00000000-0000-0000-0000-000000000000', :district, '*', 0, to_char(:e_enrolled_on::date, 'YYYY-MM'), :shard, 1, 0, 1, 0) ON CONFLICT (grain, institution_id, district, track, level, month, shard) DO UPDATE SET enrolments = stats_rollup.enrolments + excluded.enrolments, completions = stats_rollup.completions + excluded.completions, trainees = stats_rollup.trainees + excluded.trainees, certified_persons = stats_rollup.certified_persons + excluded.certified_persons),
     w3 AS (INSERT INTO audit_log (id, at, actor_id, actor_role, client, kind, action, record_type, record_ids, detail) VALUES (gen_random_uuid(), now(), :institution, 'INSTITUTION_ADMIN', '127.0.0.1', 'WRITE', 'enrol', 'enrolment', :e_id, NULL)),
     w2 AS (INSERT INTO trainee_institution (trainee_id, institution_id, created_at) VALUES (:e_trainee_id, :institution, now()) ON CONFLICT (trainee_id, institution_id) DO NOTHING)
INSERT INTO course_seat (course_id, shard, taken) SELECT id, :shard, 1 FROM course WHERE id = :course AND capacity IS NULL FOR KEY SHARE ON CONFLICT (course_id, shard) DO UPDATE SET taken = course_seat.taken + excluded.taken RETURNING course_id;
\else
SELECT "enrolment"."id", "enrolment"."trainee_id", "enrolment"."course_id", "enrolment"."status" FROM "enrolment" WHERE "enrolment"."course_id" = :course AND "enrolment"."trainee_id" IN (('b2000000-0000-4000-8000-' || lpad(to_hex(:n::bigint), 12, '0'))::uuid);
\endif
COMMIT;
