CREATE TABLE `domain_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`type` text NOT NULL,
	`payload` text NOT NULL,
	`at` integer NOT NULL,
	`handled_at` integer
);
--> statement-breakpoint
CREATE INDEX `domain_events_pending_idx` ON `domain_events` (`handled_at`);