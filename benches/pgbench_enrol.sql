-- The bare SQL of one `enrol` transaction (src/service/enrolment.rs `enrol_in` and
-- src/service/counting.rs `enrolled`), for pgbench -M prepared. Same statements in the
-- same order, with the application's values as parameters or computed in place:
--
--   take_seat                    UPDATE course ... enrolled_count + 1 (locks the course row)
--   insert                       INSERT INTO enrolment ... ON CONFLICT DO NOTHING
--   trainee::own                 INSERT INTO trainee_institution ... ON CONFLICT DO NOTHING
--   find                         SELECT the enrolment
--   counting::enrolled           INSERT INTO person_track ... RETURNING
--   programme_states             SELECT programmes LEFT JOIN programme_person
--   Deltas::apply                stats_rollup, then stats_day (one two-row upsert each:
--                                INSTITUTION, then DISTRICT grain), then
--                                programme_counter on one of 16 shards, the same
--                                shard for every sharded row of the transaction
--   as_of::record                lock the trainee row, read the programmes and the
--                                person's certificates and enrolments, add the day
--                                changes (city and institution) to progress_day,
--                                and to their month in progress_month
--   audit::wrote                 INSERT INTO audit_log (the enrolment's audit record)
--
-- Variables (pgbench -D): course, institution, district, track, level, programme,
-- clients (= -c), pool (trainees reserved for pgbench), i=0 (per-client counter).
-- Trainee n has the id b2000000-0000-4000-8000-<n as 12 hex digits> (run.sh inserts
-- them). Client c takes trainees c+1, c+1+clients, ... so each transaction is a real
-- insert; past the pool it picks at random, and a repeat takes the code's
-- already-enrolled path (seat given back, no counting), as the ON CONFLICT clauses allow.
-- The enrolment id is time-ordered like the application's UUIDv7.

\set i :i + 1
\set n :client_id + 1 + :clients * (:i - 1)
\if :n > :pool
\set n random(1, :pool)
\endif
\set shard random(0, 15)
BEGIN;
UPDATE "course" SET "enrolled_count" = "enrolled_count" + 1 WHERE "course"."id" = :course AND ("course"."capacity" IS NULL OR "enrolled_count" < "capacity");
INSERT INTO "enrolment" ("id", "trainee_id", "course_id", "status", "enrolled_at", "enrolled_on", "completed_at", "completed_on", "score", "withdrawn_at", "withdrawal_reason", "created_at", "updated_at") VALUES (overlay(overlay(md5(random()::text) placing lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') from 1 for 12) placing '7' from 13)::uuid, ('b2000000-0000-4000-8000-' || lpad(to_hex(:n::bigint), 12, '0'))::uuid, :course, 'ENROLLED', now(), (now() AT TIME ZONE 'Asia/Shanghai')::date, NULL, NULL, NULL, NULL, NULL, now(), now()) ON CONFLICT ("trainee_id", "course_id") DO NOTHING;
INSERT INTO "trainee_institution" ("trainee_id", "institution_id", "created_at") VALUES (('b2000000-0000-4000-8000-' || lpad(to_hex(:n::bigint), 12, '0'))::uuid, :institution, now()) ON CONFLICT ("trainee_id", "institution_id") DO NOTHING;
SELECT "enrolment"."id", "enrolment"."trainee_id", "enrolment"."course_id", "enrolment"."status", "enrolment"."enrolled_at", "enrolment"."enrolled_on", "enrolment"."completed_at", "enrolment"."completed_on", "enrolment"."score", "enrolment"."withdrawn_at", "enrolment"."withdrawal_reason", "enrolment"."created_at", "enrolment"."updated_at", ("enrolment"."created_at" = now())::int AS "created" FROM "enrolment" WHERE "enrolment"."trainee_id" = ('b2000000-0000-4000-8000-' || lpad(to_hex(:n::bigint), 12, '0'))::uuid AND "enrolment"."course_id" = :course LIMIT 1 \gset e_
\if :e_created
INSERT INTO person_track (trainee_id, track, enrolled_now, first_enrolment_id, first_enrolled_at) VALUES (:e_trainee_id, :track, 1, :e_id, :e_enrolled_at) ON CONFLICT (trainee_id, track) DO NOTHING RETURNING enrolled_now;
SELECT p.id, p.starts_on, p.ends_on, COALESCE(pp.certificates, 0) AS certificates FROM programme p LEFT JOIN programme_person pp ON pp.programme_id = p.id AND pp.trainee_id = :e_trainee_id AND pp.track = :track;
INSERT INTO stats_rollup (grain, institution_id, district, track, level, month, enrolments, completions, trainees, certified_persons) VALUES ('INSTITUTION', :institution, :district, :track, :level, to_char(:e_enrolled_on::date, 'YYYY-MM'), 1, 0, 1, 0), ('DISTRICT', '00000000-0000-0000-0000-000000000000', :district, :track, :level, to_char(:e_enrolled_on::date, 'YYYY-MM'), 1, 0, 1, 0) ON CONFLICT (grain, institution_id, district, track, level, month) DO UPDATE SET enrolments = stats_rollup.enrolments + excluded.enrolments, completions = stats_rollup.completions + excluded.completions, trainees = stats_rollup.trainees + excluded.trainees, certified_persons = stats_rollup.certified_persons + excluded.certified_persons;
INSERT INTO stats_day (grain, institution_id, district, track, level, day, enrolments, completions, trainees, certified_persons) VALUES ('INSTITUTION', :institution, :district, :track, :level, :e_enrolled_on::date, 1, 0, 1, 0), ('DISTRICT', '00000000-0000-0000-0000-000000000000', :district, :track, :level, :e_enrolled_on::date, 1, 0, 1, 0) ON CONFLICT (grain, institution_id, district, track, level, day) DO UPDATE SET enrolments = stats_day.enrolments + excluded.enrolments, completions = stats_day.completions + excluded.completions, trainees = stats_day.trainees + excluded.trainees, certified_persons = stats_day.certified_persons + excluded.certified_persons;
INSERT INTO programme_counter (programme_id, track, shard, certified, in_training) VALUES (:programme, :track, :shard, 0, 1) ON CONFLICT (programme_id, track, shard) DO UPDATE SET certified = programme_counter.certified + excluded.certified, in_training = programme_counter.in_training + excluded.in_training;
SELECT id FROM trainee WHERE id IN (:e_trainee_id) ORDER BY id FOR NO KEY UPDATE;
SELECT id, starts_on, ends_on FROM programme;
SELECT id, trainee_id, track, institution_id, issued_on, revoked_at FROM certificate WHERE trainee_id IN (:e_trainee_id);
SELECT e.id, e.trainee_id, c.track, c.institution_id, e.enrolled_on, e.status, e.assessed_on, e.completed_on, e.withdrawn_at, e.updated_at FROM enrolment e JOIN course c ON c.id = e.course_id WHERE e.trainee_id IN (:e_trainee_id);
INSERT INTO progress_day (programme_id, scope_id, figure, day, shard, change) VALUES (:programme, '00000000-0000-0000-0000-000000000000', 'IN_TRAINING:' || :track, :e_enrolled_on::date, :shard, 1), (:programme, :institution, 'IN_TRAINING:' || :track, :e_enrolled_on::date, :shard, 1) ON CONFLICT (programme_id, scope_id, figure, day, shard) DO UPDATE SET change = progress_day.change + excluded.change;
INSERT INTO progress_month (programme_id, scope_id, figure, month, shard, change, losses) VALUES (:programme, '00000000-0000-0000-0000-000000000000', 'IN_TRAINING:' || :track, date_trunc('month', :e_enrolled_on::date)::date, :shard, 1, 0), (:programme, :institution, 'IN_TRAINING:' || :track, date_trunc('month', :e_enrolled_on::date)::date, :shard, 1, 0) ON CONFLICT (programme_id, scope_id, figure, month, shard) DO UPDATE SET change = progress_month.change + excluded.change, losses = progress_month.losses + excluded.losses;
\else
UPDATE "course" SET "enrolled_count" = "enrolled_count" - 1 WHERE "course"."id" = :course;
\endif
INSERT INTO audit_log (id, at, actor_id, actor_role, client, kind, action, record_type, record_ids) VALUES (gen_random_uuid(), now(), :institution, 'INSTITUTION_ADMIN', '127.0.0.1', 'WRITE', 'enrol', 'enrolment', :e_id);
COMMIT;
