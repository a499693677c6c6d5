-- The transparency log and seal events are append-only.
CREATE TRIGGER `log_leaves_no_update` BEFORE UPDATE ON `log_leaves`
BEGIN
  SELECT RAISE(ABORT, 'the transparency log is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `log_leaves_no_delete` BEFORE DELETE ON `log_leaves`
BEGIN
  SELECT RAISE(ABORT, 'the transparency log is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `seal_events_no_update` BEFORE UPDATE ON `seal_events`
BEGIN
  SELECT RAISE(ABORT, 'seal events are append-only');
END;
