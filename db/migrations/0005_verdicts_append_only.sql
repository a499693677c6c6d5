-- Verdicts and decisions are history: the latest verdict per requirement counts, earlier ones stay.
CREATE TRIGGER `verdicts_no_update` BEFORE UPDATE ON `verdicts`
BEGIN
  SELECT RAISE(ABORT, 'verdicts are append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `decisions_no_update` BEFORE UPDATE ON `decisions`
BEGIN
  SELECT RAISE(ABORT, 'decisions are append-only');
END;
