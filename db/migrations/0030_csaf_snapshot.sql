ALTER TABLE `findings` ADD `csaf_snapshot` text;--> statement-breakpoint
-- What an advisory's CSAF document says about its product is frozen when the advisory is disclosed
-- (app/features/findings/csaf.server.ts). An advisory disclosed before this migration has no snapshot
-- yet: this mark has its document's first build take one from the product's current details, as a
-- revision of its own where the document then reads differently from the one served before.
UPDATE `findings` SET `csaf_snapshot` = '{"backfill":"revision"}' WHERE `disclosure_noted_at` IS NOT NULL;
