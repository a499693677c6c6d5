CREATE TABLE `imported_advisories` (
	`id` text PRIMARY KEY NOT NULL,
	`publisher_name` text NOT NULL,
	`publisher_namespace` text NOT NULL,
	`tracking_id` text NOT NULL,
	`tracking_version` text NOT NULL,
	`title` text NOT NULL,
	`current_release_date` text NOT NULL,
	`purls` text DEFAULT '[]' NOT NULL,
	`document` text NOT NULL,
	`sha256` text NOT NULL,
	`received_by` text NOT NULL,
	`first_received_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	FOREIGN KEY (`received_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `imported_advisories_tracking` ON `imported_advisories` (`publisher_namespace`,`tracking_id`);--> statement-breakpoint
CREATE INDEX `imported_advisories_received` ON `imported_advisories` (`received_at`);--> statement-breakpoint
ALTER TABLE `findings` ADD `affected_purls` text DEFAULT '[]' NOT NULL;