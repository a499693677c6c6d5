CREATE TABLE `publication_targets` (
	`target` text PRIMARY KEY NOT NULL,
	`event_cursor` integer DEFAULT 0 NOT NULL,
	`log_size` integer DEFAULT 0 NOT NULL,
	`lease_owner` text,
	`lease_until` integer,
	`last_success_at` integer,
	`last_attempt_at` integer,
	`last_error` text,
	`failures` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer
);
--> statement-breakpoint
CREATE TABLE `published_files` (
	`target` text NOT NULL,
	`path` text NOT NULL,
	`version` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`target`, `path`)
);
