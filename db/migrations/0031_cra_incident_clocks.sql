ALTER TABLE `finding_authority_reports` ADD `subject` text DEFAULT 'vulnerability' NOT NULL;--> statement-breakpoint
ALTER TABLE `findings` ADD `incident_aware_at` integer;--> statement-breakpoint
-- CRA Article 14: an actively exploited vulnerability (14(2)) and a severe incident (14(4)) are separate
-- notifications, each with its own start. Before this migration a report had one awareness time
-- (`exploited_aware_at`, set whichever flag was ticked) and one list of submissions. A report flagged a
-- severe incident keeps that time as the incident's; `exploited_aware_at` is kept only where the report
-- is flagged actively exploited.
UPDATE `findings` SET `incident_aware_at` = `exploited_aware_at` WHERE `severe_incident` = 1 AND `exploited_aware_at` IS NOT NULL;--> statement-breakpoint
-- The submissions on a report flagged a severe incident only were the incident's.
UPDATE `finding_authority_reports` SET `subject` = 'incident' WHERE `finding_id` IN (SELECT `id` FROM `findings` WHERE `severe_incident` = 1 AND `actively_exploited` = 0);--> statement-breakpoint
-- On a report flagged both ways each submission counted for both notifications: it is recorded for the
-- incident too (same kind, date, reference, actor and time), so that no clock met before now reads overdue.
INSERT INTO `finding_authority_reports` (`finding_id`, `kind`, `subject`, `submitted_at`, `reference`, `actor_id`, `at`)
  SELECT r.`finding_id`, r.`kind`, 'incident', r.`submitted_at`, r.`reference`, r.`actor_id`, r.`at`
  FROM `finding_authority_reports` r JOIN `findings` f ON f.`id` = r.`finding_id`
  WHERE f.`severe_incident` = 1 AND f.`actively_exploited` = 1 AND r.`subject` = 'vulnerability'
  ORDER BY r.`id`;--> statement-breakpoint
UPDATE `findings` SET `exploited_aware_at` = NULL WHERE `actively_exploited` = 0;
