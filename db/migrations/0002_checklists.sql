CREATE TABLE `checklist_sections` (
	`version_id` text NOT NULL,
	`ref` text NOT NULL,
	`title` text NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`version_id`, `ref`),
	FOREIGN KEY (`version_id`) REFERENCES `checklist_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `checklist_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`checklist_id` text NOT NULL,
	`version` text NOT NULL,
	`title` text NOT NULL,
	`publisher` text NOT NULL,
	`published_on` text NOT NULL,
	`source` text,
	`levels` text NOT NULL,
	`validity_months` integer NOT NULL,
	`disclosure_days` text NOT NULL,
	`status` text NOT NULL,
	`content_hash` text NOT NULL,
	`content` text NOT NULL,
	`requirement_count` integer NOT NULL,
	`imported_at` integer NOT NULL,
	`imported_by` text NOT NULL,
	`retired_at` integer,
	`retired_reason` text,
	FOREIGN KEY (`checklist_id`) REFERENCES `checklists`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `checklist_versions_unique` ON `checklist_versions` (`checklist_id`,`version`);--> statement-breakpoint
CREATE TABLE `checklists` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`publisher` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `crosswalk_links` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`from_version_id` text NOT NULL,
	`from_ref` text NOT NULL,
	`to_checklist_id` text NOT NULL,
	`to_ref` text NOT NULL,
	FOREIGN KEY (`from_version_id`) REFERENCES `checklist_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `crosswalk_from` ON `crosswalk_links` (`from_version_id`,`from_ref`);--> statement-breakpoint
CREATE INDEX `crosswalk_to` ON `crosswalk_links` (`to_checklist_id`,`to_ref`);--> statement-breakpoint
CREATE TABLE `requirements` (
	`id` text PRIMARY KEY NOT NULL,
	`version_id` text NOT NULL,
	`section_ref` text NOT NULL,
	`ref` text NOT NULL,
	`title` text NOT NULL,
	`text` text NOT NULL,
	`applies` text NOT NULL,
	`condition` text,
	`evidence_hint` text,
	`position` integer NOT NULL,
	FOREIGN KEY (`version_id`) REFERENCES `checklist_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `requirements_version_ref` ON `requirements` (`version_id`,`ref`);--> statement-breakpoint
CREATE INDEX `requirements_version_position` ON `requirements` (`version_id`,`position`);