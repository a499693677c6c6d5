ALTER TABLE `sbom_documents` ADD `subject_name` text;--> statement-breakpoint
ALTER TABLE `sbom_documents` ADD `subject_version` text;