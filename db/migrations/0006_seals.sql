CREATE TABLE `log_leaves` (
	`leaf_index` integer PRIMARY KEY NOT NULL,
	`data` text NOT NULL,
	`leaf_hash` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `seal_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`serial` text NOT NULL,
	`kind` text NOT NULL,
	`reason` text DEFAULT '' NOT NULL,
	`actor_label` text NOT NULL,
	`log_index` integer NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`serial`) REFERENCES `seals`(`serial`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `seal_events_serial` ON `seal_events` (`serial`,`id`);--> statement-breakpoint
CREATE TABLE `seals` (
	`serial` text PRIMARY KEY NOT NULL,
	`submission_id` text NOT NULL,
	`organization_id` text NOT NULL,
	`product_version_id` text NOT NULL,
	`credential` text NOT NULL,
	`kid` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_until` integer NOT NULL,
	`state` text NOT NULL,
	`revocation_index` integer NOT NULL,
	`suspension_index` integer NOT NULL,
	`superseded_by` text,
	`issued_log_index` integer NOT NULL,
	`issued_at` integer NOT NULL,
	FOREIGN KEY (`submission_id`) REFERENCES `submissions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_version_id`) REFERENCES `product_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `seals_submission_unique` ON `seals` (`submission_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `seals_revocation_index` ON `seals` (`revocation_index`);--> statement-breakpoint
CREATE UNIQUE INDEX `seals_suspension_index` ON `seals` (`suspension_index`);--> statement-breakpoint
CREATE INDEX `seals_product_version` ON `seals` (`product_version_id`);--> statement-breakpoint
CREATE INDEX `seals_org` ON `seals` (`organization_id`);