/** The columns a bulk check adds to the buyer's file, in order (the buyer's own columns come first). */
export const BULK_RESULT_COLUMNS = [
  "status",
  "reason",
  "checked_product",
  "checked_firmware",
  "valid_until",
  "update_required",
  "checked_serial",
  "file_line",
  "check_note",
] as const;
/** Added when the checking organisation has acceptance policies: "meets X" or "misses X: clause; clause", per policy. */
export const BULK_POLICY_COLUMN = "policy";
