CREATE TABLE `log_cosignatures` (
	`tree_size` integer NOT NULL,
	`witness` text NOT NULL,
	`line` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`tree_size`, `witness`)
);
--> statement-breakpoint
CREATE TABLE `log_nodes` (
	`level` integer NOT NULL,
	`idx` integer NOT NULL,
	`hash` blob NOT NULL,
	PRIMARY KEY(`level`, `idx`)
);
--> statement-breakpoint
CREATE TABLE `log_witness_state` (
	`witness` text PRIMARY KEY NOT NULL,
	`size` integer NOT NULL,
	`at` integer NOT NULL,
	`last_error` text
);
