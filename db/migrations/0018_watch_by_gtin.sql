ALTER TABLE `watchlist_entries` ADD `gtin` text;--> statement-breakpoint
ALTER TABLE `watchlist_entries` ADD `current_serial` text;