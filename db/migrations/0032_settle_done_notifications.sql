-- Notices whose to-do was done before the portal settled such notices (notifications/rules.server.ts,
-- `settle`): marked read now, as the rules mark one when the work is done; each stays in its list.
-- Queue notices of a submission an assessor has taken or decided, or an older one of a resubmission.
UPDATE `notifications` SET `read_at` = CAST(strftime('%s', 'now') AS INTEGER) * 1000
WHERE `read_at` IS NULL AND `kind` = 'submission.submitted' AND EXISTS (
  SELECT 1 FROM `submissions` s
  WHERE substr(`notifications`.`key`, 1, length('submission:' || s.`id` || ':submitted:v')) = 'submission:' || s.`id` || ':submitted:v'
    AND (s.`status` <> 'submitted' OR `notifications`.`created_at` < (
      SELECT max(n2.`created_at`) FROM `notifications` n2
      WHERE n2.`user_id` = `notifications`.`user_id` AND n2.`kind` = 'submission.submitted'
        AND substr(n2.`key`, 1, length('submission:' || s.`id` || ':submitted:v')) = 'submission:' || s.`id` || ':submitted:v')));
--> statement-breakpoint
-- The supplier's "Changes requested" once it resubmitted or withdrew (or an older request of the same submission).
UPDATE `notifications` SET `read_at` = CAST(strftime('%s', 'now') AS INTEGER) * 1000
WHERE `read_at` IS NULL AND `kind` = 'submission.changes_requested' AND EXISTS (
  SELECT 1 FROM `submissions` s
  WHERE substr(`notifications`.`key`, 1, length('submission:' || s.`id` || ':changes_requested:v')) = 'submission:' || s.`id` || ':changes_requested:v'
    AND (s.`status` <> 'changes_requested' OR `notifications`.`created_at` < (
      SELECT max(n2.`created_at`) FROM `notifications` n2
      WHERE n2.`user_id` = `notifications`.`user_id` AND n2.`kind` = 'submission.changes_requested'
        AND substr(n2.`key`, 1, length('submission:' || s.`id` || ':changes_requested:v')) = 'submission:' || s.`id` || ':changes_requested:v')));
--> statement-breakpoint
-- "Recurring evidence to check" once an assessor accepted or rejected it.
UPDATE `notifications` SET `read_at` = CAST(strftime('%s', 'now') AS INTEGER) * 1000
WHERE `read_at` IS NULL AND `kind` = 'recurring.submitted' AND EXISTS (
  SELECT 1 FROM `recurring_evidence` r
  WHERE `notifications`.`key` = 'recurring:' || r.`id` || ':submitted' AND r.`status` <> 'pending');
--> statement-breakpoint
-- "Fix to verify" once the fix was verified or rejected, or the report withdrawn.
UPDATE `notifications` SET `read_at` = CAST(strftime('%s', 'now') AS INTEGER) * 1000
WHERE `read_at` IS NULL AND `kind` = 'report.fix_claimed' AND EXISTS (
  SELECT 1 FROM `findings` f
  WHERE substr(`notifications`.`key`, 1, length('report:' || f.`id` || ':fix_claimed:')) = 'report:' || f.`id` || ':fix_claimed:'
    AND (f.`status` <> 'fixed' OR `notifications`.`created_at` < (
      SELECT max(n2.`created_at`) FROM `notifications` n2
      WHERE n2.`user_id` = `notifications`.`user_id` AND n2.`kind` = 'report.fix_claimed'
        AND substr(n2.`key`, 1, length('report:' || f.`id` || ':fix_claimed:')) = 'report:' || f.`id` || ':fix_claimed:')));
--> statement-breakpoint
-- The supplier's "New report" and "Fix rejected" once it claimed a fix, and every notice and reminder of a closed report.
UPDATE `notifications` SET `read_at` = CAST(strftime('%s', 'now') AS INTEGER) * 1000
WHERE `read_at` IS NULL AND EXISTS (
  SELECT 1 FROM `findings` f
  WHERE (
      (`notifications`.`kind` IN ('report.recorded', 'report.fix_rejected')
        AND substr(`notifications`.`key`, 1, length('report:' || f.`id` || ':')) = 'report:' || f.`id` || ':'
        AND f.`status` IN ('fixed', 'verified_fixed', 'withdrawn'))
      OR (f.`status` IN ('verified_fixed', 'withdrawn')
        AND substr(`notifications`.`key`, 1, length('reminder:report:' || f.`id` || ':')) = 'reminder:report:' || f.`id` || ':')));
