CREATE TABLE `log_checkpoints` (
	`tree_size` integer PRIMARY KEY NOT NULL,
	`root_hash` text NOT NULL,
	`note` text NOT NULL,
	`kid` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `verification_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`user_id` text NOT NULL,
	`file_name` text NOT NULL,
	`row_count` integer NOT NULL,
	`summary` text NOT NULL,
	`result_csv` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `verification_runs_org` ON `verification_runs` (`organization_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `seals` ADD `pdf` blob;--> statement-breakpoint
ALTER TABLE `seals` ADD `pdf_sha256` text;--> statement-breakpoint
ALTER TABLE `seals` ADD `log_proof` text;--> statement-breakpoint
CREATE TRIGGER `log_checkpoints_no_update` BEFORE UPDATE ON `log_checkpoints`
BEGIN
  SELECT RAISE(ABORT, 'signed checkpoints are append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `log_checkpoints_no_delete` BEFORE DELETE ON `log_checkpoints`
BEGIN
  SELECT RAISE(ABORT, 'signed checkpoints are append-only');
END;
