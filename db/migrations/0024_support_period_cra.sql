ALTER TABLE `products` ADD `placed_on_market_on` text;--> statement-breakpoint
ALTER TABLE `products` ADD `expected_use_months` integer;--> statement-breakpoint
ALTER TABLE `products` ADD `expected_use_reason` text;--> statement-breakpoint
ALTER TABLE `acceptance_policies` ADD `cra_support_period` integer DEFAULT false NOT NULL;
