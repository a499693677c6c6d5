CREATE TABLE `finding_authority_reports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`finding_id` text NOT NULL,
	`kind` text NOT NULL,
	`submitted_at` integer NOT NULL,
	`reference` text NOT NULL,
	`actor_id` text,
	`at` integer NOT NULL,
	FOREIGN KEY (`finding_id`) REFERENCES `findings`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `finding_authority_reports_finding` ON `finding_authority_reports` (`finding_id`,`kind`);--> statement-breakpoint
ALTER TABLE `findings` ADD `exploited_aware_at` integer;--> statement-breakpoint
ALTER TABLE `findings` ADD `severe_incident` integer DEFAULT false NOT NULL;