CREATE TABLE `conflict_declarations` (
	`id` text PRIMARY KEY NOT NULL,
	`assessor_id` text NOT NULL,
	`organization_id` text NOT NULL,
	`reason` text NOT NULL,
	`declared_by` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`assessor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`declared_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `conflicts_unique` ON `conflict_declarations` (`assessor_id`,`organization_id`);--> statement-breakpoint
CREATE TABLE `decisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`submission_id` text NOT NULL,
	`kind` text NOT NULL,
	`assessor_id` text NOT NULL,
	`comment` text DEFAULT '' NOT NULL,
	`submission_version` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`submission_id`) REFERENCES `submissions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`assessor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `decisions_submission` ON `decisions` (`submission_id`,`id`);--> statement-breakpoint
CREATE TABLE `verdicts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`submission_id` text NOT NULL,
	`requirement_ref` text NOT NULL,
	`verdict` text NOT NULL,
	`comment` text DEFAULT '' NOT NULL,
	`accepted` integer DEFAULT false NOT NULL,
	`assessor_id` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`submission_id`) REFERENCES `submissions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`assessor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `verdicts_submission_ref` ON `verdicts` (`submission_id`,`requirement_ref`,`id`);--> statement-breakpoint
ALTER TABLE `submissions` ADD `assignee_id` text REFERENCES users(id);--> statement-breakpoint
ALTER TABLE `submissions` ADD `assigned_at` integer;--> statement-breakpoint
CREATE INDEX `submissions_queue_idx` ON `submissions` (`status`,`checklist_version_id`,`target_level`,`submitted_at`);