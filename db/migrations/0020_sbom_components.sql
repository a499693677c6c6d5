CREATE TABLE `sbom_components` (
	`sha256` text NOT NULL,
	`position` integer NOT NULL,
	`name` text NOT NULL,
	`version` text DEFAULT '' NOT NULL,
	`purl` text,
	`purl_package` text,
	PRIMARY KEY(`sha256`, `position`),
	FOREIGN KEY (`sha256`) REFERENCES `sbom_documents`(`sha256`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sbom_components_package` ON `sbom_components` (`purl_package`);--> statement-breakpoint
CREATE TABLE `sbom_documents` (
	`sha256` text PRIMARY KEY NOT NULL,
	`format` text NOT NULL,
	`component_count` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`sha256`) REFERENCES `evidence_files`(`sha256`) ON UPDATE no action ON DELETE cascade
);
