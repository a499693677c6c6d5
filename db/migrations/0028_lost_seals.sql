CREATE TABLE `lost_seals` (
	`serial` text PRIMARY KEY NOT NULL,
	`credential` text NOT NULL,
	`kid` text NOT NULL,
	`valid_until` integer NOT NULL,
	`revocation_index` integer NOT NULL,
	`suspension_index` integer NOT NULL,
	`issued_log_index` integer NOT NULL,
	`issued_at` integer NOT NULL,
	`revoked_log_index` integer NOT NULL,
	`reason` text NOT NULL,
	`recovered_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `lost_seals_revocation_index_unique` ON `lost_seals` (`revocation_index`);--> statement-breakpoint
CREATE UNIQUE INDEX `lost_seals_suspension_index_unique` ON `lost_seals` (`suspension_index`);