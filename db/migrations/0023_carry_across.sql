ALTER TABLE `answers` ADD `carried_from` text;--> statement-breakpoint
ALTER TABLE `evidence_links` ADD `carried_from` text;--> statement-breakpoint
ALTER TABLE `submissions` ADD `carried_across` text;
