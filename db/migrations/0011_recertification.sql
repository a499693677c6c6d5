CREATE TABLE `submission_changes` (
	`submission_id` text NOT NULL,
	`requirement_ref` text NOT NULL,
	`note` text NOT NULL,
	`marked_by` text NOT NULL,
	`marked_at` integer NOT NULL,
	PRIMARY KEY(`submission_id`, `requirement_ref`),
	FOREIGN KEY (`submission_id`) REFERENCES `submissions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`marked_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `findings` ADD `requirement_refs` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `submissions` ADD `recertifies_serial` text;--> statement-breakpoint
ALTER TABLE `submissions` ADD `change_summary` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `submissions_recertifies_idx` ON `submissions` (`recertifies_serial`);--> statement-breakpoint
ALTER TABLE `verdicts` ADD `carried_from_id` integer;