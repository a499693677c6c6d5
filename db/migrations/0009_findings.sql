CREATE TABLE `finding_updates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`finding_id` text NOT NULL,
	`kind` text NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`fixed_in_version` text,
	`previous_deadline` integer,
	`new_deadline` integer,
	`actor_id` text,
	`actor_label` text NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`finding_id`) REFERENCES `findings`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `finding_updates_finding` ON `finding_updates` (`finding_id`,`id`);--> statement-breakpoint
CREATE TABLE `finding_versions` (
	`finding_id` text NOT NULL,
	`product_version_id` text NOT NULL,
	PRIMARY KEY(`finding_id`, `product_version_id`),
	FOREIGN KEY (`finding_id`) REFERENCES `findings`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_version_id`) REFERENCES `product_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `finding_versions_pv` ON `finding_versions` (`product_version_id`);--> statement-breakpoint
CREATE TABLE `findings` (
	`id` text PRIMARY KEY NOT NULL,
	`product_id` text NOT NULL,
	`organization_id` text NOT NULL,
	`title` text NOT NULL,
	`description` text NOT NULL,
	`severity` text NOT NULL,
	`cvss_vector` text,
	`cvss_score` real,
	`reporter` text NOT NULL,
	`reported_at` integer NOT NULL,
	`deadline` integer NOT NULL,
	`status` text NOT NULL,
	`fixed_in_version` text,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `findings_product` ON `findings` (`product_id`,`status`);--> statement-breakpoint
CREATE INDEX `findings_org` ON `findings` (`organization_id`,`status`);--> statement-breakpoint
CREATE INDEX `findings_deadline` ON `findings` (`status`,`deadline`);--> statement-breakpoint
ALTER TABLE `seal_events` ADD `cause` text;--> statement-breakpoint
CREATE TRIGGER `finding_updates_no_update` BEFORE UPDATE ON `finding_updates`
BEGIN
  SELECT RAISE(ABORT, 'finding updates are append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `finding_updates_no_delete` BEFORE DELETE ON `finding_updates`
BEGIN
  SELECT RAISE(ABORT, 'finding updates are append-only');
END;
