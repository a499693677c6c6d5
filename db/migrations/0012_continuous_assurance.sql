CREATE TABLE `acceptance_policies` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`name` text NOT NULL,
	`category` text NOT NULL,
	`accepted` text NOT NULL,
	`required_provisions` text NOT NULL,
	`min_support_months` integer,
	`blocking_finding_severity` text,
	`max_seal_age_months` integer,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `acceptance_policies_org_name` ON `acceptance_policies` (`organization_id`,lower("name"));--> statement-breakpoint
CREATE TABLE `api_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_hash` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `api_tokens_org` ON `api_tokens` (`organization_id`);--> statement-breakpoint
CREATE TABLE `policy_states` (
	`policy_id` text NOT NULL,
	`serial` text NOT NULL,
	`meets` integer NOT NULL,
	`misses` text NOT NULL,
	`evaluated_at` integer NOT NULL,
	PRIMARY KEY(`policy_id`, `serial`),
	FOREIGN KEY (`policy_id`) REFERENCES `acceptance_policies`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`serial`) REFERENCES `seals`(`serial`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `recurring_evidence` (
	`id` text PRIMARY KEY NOT NULL,
	`serial` text NOT NULL,
	`organization_id` text NOT NULL,
	`requirement_ref` text NOT NULL,
	`sha256` text NOT NULL,
	`original_name` text NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`submitted_by` text NOT NULL,
	`submitted_at` integer NOT NULL,
	`status` text NOT NULL,
	`decided_by` text,
	`decided_at` integer,
	`comment` text DEFAULT '' NOT NULL,
	FOREIGN KEY (`serial`) REFERENCES `seals`(`serial`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`sha256`) REFERENCES `evidence_files`(`sha256`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`submitted_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `recurring_evidence_seal` ON `recurring_evidence` (`serial`,`requirement_ref`,`submitted_at`);--> statement-breakpoint
CREATE INDEX `recurring_evidence_status` ON `recurring_evidence` (`status`,`submitted_at`);--> statement-breakpoint
CREATE TABLE `watch_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`organization_id` text NOT NULL,
	`type` text NOT NULL,
	`product_id` text NOT NULL,
	`serial` text,
	`body` text NOT NULL,
	`seal_event_id` integer,
	`at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `watch_events_org` ON `watch_events` (`organization_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `watch_events_org_seal_event` ON `watch_events` (`organization_id`,`seal_event_id`);--> statement-breakpoint
ALTER TABLE `checklist_versions` ADD `recurring_grace_days` integer DEFAULT 14 NOT NULL;--> statement-breakpoint
ALTER TABLE `findings` ADD `advisory_id` text;--> statement-breakpoint
ALTER TABLE `findings` ADD `verified_at` integer;--> statement-breakpoint
ALTER TABLE `findings` ADD `published_at` integer;--> statement-breakpoint
ALTER TABLE `findings` ADD `disclosure_noted_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `findings_advisory_id` ON `findings` (`advisory_id`);--> statement-breakpoint
ALTER TABLE `requirements` ADD `recurs_every_days` integer;--> statement-breakpoint
-- Findings recorded before advisories existed get a stable id in order of their report (IOTSEAL-<year>-<n>, n per year).
UPDATE `findings` SET `advisory_id` = 'IOTSEAL-' || strftime('%Y', `reported_at` / 1000, 'unixepoch') || '-' || printf('%04d', (
  SELECT count(*) FROM `findings` AS f2
  WHERE strftime('%Y', f2.`reported_at` / 1000, 'unixepoch') = strftime('%Y', `findings`.`reported_at` / 1000, 'unixepoch')
    AND (f2.`reported_at` < `findings`.`reported_at` OR (f2.`reported_at` = `findings`.`reported_at` AND f2.`id` <= `findings`.`id`))
)) WHERE `advisory_id` IS NULL;--> statement-breakpoint
-- A fix verified before this migration was certified when its verification was recorded.
UPDATE `findings` SET `verified_at` = (SELECT max(u.`at`) FROM `finding_updates` u WHERE u.`finding_id` = `findings`.`id` AND u.`kind` = 'verified_fixed') WHERE `status` = 'verified_fixed';--> statement-breakpoint
-- The watch events start with the seal events of products already watched, so "changed since your last visit" and the feed keep their history.
INSERT INTO `watch_events` (`organization_id`, `type`, `product_id`, `serial`, `body`, `seal_event_id`, `at`)
SELECT w.`organization_id`, 'seal.' || e.`kind`, v.`product_id`, e.`serial`, '{}', e.`id`, e.`at`
FROM `seal_events` e JOIN `seals` s ON s.`serial` = e.`serial` JOIN `product_versions` v ON v.`id` = s.`product_version_id` JOIN `watchlist_entries` w ON w.`product_id` = v.`product_id`
ORDER BY e.`id`;--> statement-breakpoint
-- Visits pointed at seal event ids; they now point at watch event ids.
UPDATE `watchlist_visits` SET `last_seen_event_id` = coalesce((SELECT max(we.`id`) FROM `watch_events` we JOIN `users` u ON u.`organization_id` = we.`organization_id` WHERE u.`id` = `watchlist_visits`.`user_id` AND we.`seal_event_id` <= `watchlist_visits`.`last_seen_event_id`), 0);
