CREATE TABLE `signup_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`organization_name` text NOT NULL,
	`kind` text NOT NULL,
	`password_hash` text NOT NULL,
	`ip` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`expires_at` integer NOT NULL,
	`confirmed_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `signup_requests_token_hash` ON `signup_requests` (`token_hash`);--> statement-breakpoint
CREATE INDEX `signup_requests_email` ON `signup_requests` (`email`);--> statement-breakpoint
CREATE TABLE `__new_mail_outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text,
	`to_address` text NOT NULL,
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`subject` text NOT NULL,
	`text` text NOT NULL,
	`html` text NOT NULL,
	`link` text NOT NULL,
	`created_at` integer NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`claimed_until` integer,
	`claimed_by` text,
	`last_error` text,
	`sent_at` integer,
	`message_id` text,
	`digest_mail_id` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_mail_outbox`("id", "user_id", "to_address", "kind", "key", "subject", "text", "html", "link", "created_at", "status", "attempts", "next_attempt_at", "claimed_until", "claimed_by", "last_error", "sent_at", "message_id", "digest_mail_id") SELECT "id", "user_id", "to_address", "kind", "key", "subject", "text", "html", "link", "created_at", "status", "attempts", "next_attempt_at", "claimed_until", "claimed_by", "last_error", "sent_at", "message_id", "digest_mail_id" FROM `mail_outbox`;--> statement-breakpoint
-- mail_outbox.user_id may be null now (a registration's confirmation goes to an address without an account).
-- Migrations run in one transaction, where PRAGMA foreign_keys cannot be switched off: mail_attempts, which
-- refers to mail_outbox, is set aside while the table is replaced, and put back as it was.
CREATE TEMP TABLE `__mail_attempts_copy` AS SELECT `id`, `mail_id`, `at`, `ok`, `detail` FROM `mail_attempts`;--> statement-breakpoint
DELETE FROM `mail_attempts`;--> statement-breakpoint
DROP TABLE `mail_outbox`;--> statement-breakpoint
ALTER TABLE `__new_mail_outbox` RENAME TO `mail_outbox`;--> statement-breakpoint
INSERT INTO `mail_attempts`(`id`, `mail_id`, `at`, `ok`, `detail`) SELECT `id`, `mail_id`, `at`, `ok`, `detail` FROM `__mail_attempts_copy`;--> statement-breakpoint
DROP TABLE `__mail_attempts_copy`;--> statement-breakpoint
CREATE UNIQUE INDEX `mail_outbox_key_to` ON `mail_outbox` (`key`,`to_address`);--> statement-breakpoint
CREATE INDEX `mail_outbox_due` ON `mail_outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `mail_outbox_created` ON `mail_outbox` (`created_at`);--> statement-breakpoint
CREATE INDEX `mail_outbox_digest` ON `mail_outbox` (`status`,`digest_mail_id`,`user_id`);