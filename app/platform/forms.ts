/** Parsing form posts with zod at the edge: one message per field, named after the field. */
import "./zod-messages"; // plain words for size checks a schema leaves to zod
import { z } from "zod";

/**
 * Characters that show nothing yet change what is shown: zero-width spaces and joiners (U+200B-U+200D),
 * the word joiner and invisible operators (U+2060-U+2064), the byte order mark (U+FEFF), and the bidi
 * controls: marks (U+200E, U+200F, U+061C), embeddings and overrides (U+202A-U+202E) and isolates
 * (U+2066-U+2069). A report title or a file name with U+202E reads backwards on every page, in CSAF and in mail;
 * five zero-width spaces passed for a five-character title.
 */
export const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u061C]/g;

export type FieldErrors = Record<string, string>;

export type Parsed<T> = { ok: true; data: T } | { ok: false; fieldErrors: FieldErrors; values: Record<string, string> };

export function formValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of form.entries()) {
    if (typeof value === "string" && !(key in values)) values[key] = value;
  }
  return values;
}

export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join(".") : "form";
    out[key] ??= issue.message;
  }
  return out;
}

/** The fields sent more than once with different values (a form never does: a crafted request). */
export function conflictingFields(form: FormData): string[] {
  const first = new Map<string, string>();
  const conflicting = new Set<string>();
  for (const [key, value] of form.entries()) {
    if (typeof value !== "string") continue;
    const seen = first.get(key);
    if (seen === undefined) first.set(key, value);
    else if (seen !== value) conflicting.add(key);
  }
  return [...conflicting];
}

/** What a field sent twice with different values is told. */
export const SENT_TWICE = "This field was sent twice with different values: send the form again from the page.";

/**
 * The form parsed by `schema`, one message per field. A field sent twice with different values is
 * refused on that field (which value was meant is not for the portal to guess), whatever the schema.
 */
export function parseForm<S extends z.ZodType>(schema: S, form: FormData): Parsed<z.output<S>> {
  const values = formValues(form);
  const twice = conflictingFields(form);
  if (twice.length) {
    for (const key of Object.keys(values)) if (/password/i.test(key)) values[key] = "";
    return { ok: false, fieldErrors: Object.fromEntries(twice.map((key) => [key, SENT_TWICE])), values };
  }
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, data: result.data };
  // Never echo a password back into the page.
  for (const key of Object.keys(values)) if (/password/i.test(key)) values[key] = "";
  return { ok: false, fieldErrors: fieldErrorsOf(result.error), values };
}

/** Shared field rules. */
export const emailField = z
  .string({ error: "Enter your email address." })
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: "Enter a valid email address, like name@example.com." }).max(254));

/**
 * A name as it is kept and shown: composed (NFC, so "u" + combining diaeresis and "ü" are one
 * spelling), without INVISIBLE characters, every run of white space (tabs, line breaks, no-break
 * spaces) one space, trimmed. A person's or an organisation's name is shown on pages and signed
 * into seals: "Acme\u200B Ltd" or "Acme  Ltd" must not pass for another name than "Acme Ltd".
 */
export function normalizeName(v: string): string {
  return v.normalize("NFC").replace(INVISIBLE, "").replace(/\s+/g, " ").trim();
}

/** A person's or an organisation's name: normalised (normalizeName) first, then 2 to 120 characters, no control characters. */
export const nameField = (label: string) => {
  const Label = `${label[0].toUpperCase()}${label.slice(1)}`;
  return z
    .string({ error: `Enter ${label}.` })
    .overwrite(normalizeName)
    .min(2, { error: `${Label} must be at least 2 characters.` })
    .max(120, { error: `${Label} must be at most 120 characters.` })
    .refine((v) => !/[\u0000-\u001f\u007f-\u009f]/.test(v), {
      error: `${Label} must not contain control characters.`,
    });
};

/** Control characters (C0, DEL, C1), none of which a typed line of text carries. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** The same, but for line breaks and tabs, which a text area may hold. */
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/**
 * One line of text that is shown to others or signed (a product's name, a model, a version, a
 * label): normalised like a name (normalizeName: no INVISIBLE characters, single spaces), at most
 * `max` characters, no control characters. `label` names the field in the messages ("the model
 * designation"); `required` refuses it empty.
 */
export function lineText(label: string, max: number, opts: { required?: boolean; tooLong?: string } = {}) {
  const Label = `${label[0].toUpperCase()}${label.slice(1)}`;
  const base = z
    .string({ error: `Enter ${label}.` })
    .overwrite(normalizeName)
    .max(max, { error: opts.tooLong ?? `${Label} must be at most ${max} characters.` })
    .refine((v) => !CONTROL.test(v), { error: `${Label} must not contain control characters.` });
  return opts.required ? base.min(1, { error: `Enter ${label}.` }) : base;
}

/**
 * Free text of several lines (a description, a note, a justification): composed (NFC), without
 * INVISIBLE characters, line breaks as \n, trimmed; at most `max` characters; no control
 * characters but line breaks and tabs.
 */
export function areaText(max: number, tooLong = `At most ${max} characters.`, missing?: string) {
  return z
    .string(missing ? { error: missing } : undefined)
    .overwrite((v) => v.normalize("NFC").replace(INVISIBLE, "").replace(/\r\n?/g, "\n").trim())
    .max(max, { error: tooLong })
    .refine((v) => !CONTROL_IN_TEXT.test(v), { error: "Remove the control characters from this text." });
}

/**
 * A number in a form or a query, as people write it: decimal digits, a sign and a fraction at most. z.coerce.number()
 * reads what Number() reads: "" and " " as 0, "0x10" as 16, "1e3" as 1000, "Infinity"; here those are not numbers,
 * so `schema`'s own message for a missing number says so, and its checks (whole, range) give theirs. Empty is absent:
 * `schema`'s default or optional applies. Put `.optional()` and `.default()` inside `schema`, `.catch()` outside.
 */
export function decimalNumber<S extends z.ZodType>(schema: S) {
  return z.preprocess((v) => {
    if (typeof v !== "string") return v;
    const t = v.trim();
    if (t === "") return undefined;
    return /^[-+]?\d{1,16}(\.\d{1,16})?$/.test(t) ? Number(t) : Number.NaN;
  }, schema);
}

/**
 * The message above a form refused for its fields, naming them by their labels: a red border alone tells nothing to
 * someone who does not see it (WCAG 1.4.1, 3.3.1). A field without a label here is left out; none: the plain message.
 */
export function checkTheFields(fieldErrors: FieldErrors, labels: Record<string, string>): string {
  const named = Object.keys(fieldErrors)
    .map((key) => labels[key])
    .filter((label): label is string => Boolean(label))
    .map((label) => `“${label}”`);
  if (named.length === 0) return "Check the fields marked in error.";
  if (named.length === 1) return `Check the field ${named[0]}.`;
  return `Check these fields: ${named.slice(0, -1).join(", ")} and ${named[named.length - 1]}.`;
}

/**
 * What is wrong with a file field as posted, before its content is read: none chosen (`none`: the
 * page's own words, "Choose the seal's PDF file…"), or a file chosen that is empty ("The file
 * stock.csv is empty."), which is not the same mistake. A browser posts a file field left empty as
 * a nameless file of 0 bytes. Null when the file has content.
 */
export function chosenFileProblem(
  file: { size: number; name?: string } | null | undefined,
  none: string,
): string | null {
  if (!file || (file.size === 0 && !file.name)) return none;
  if (file.size === 0) return `The file ${file.name} is empty.`;
  return null;
}
