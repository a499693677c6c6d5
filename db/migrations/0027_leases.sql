CREATE TABLE `leases` (
	`name` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`acquired_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `publication_targets` DROP COLUMN `lease_owner`;--> statement-breakpoint
ALTER TABLE `publication_targets` DROP COLUMN `lease_until`;
