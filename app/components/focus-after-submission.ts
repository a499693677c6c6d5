import { useFetchers, useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";

/** A form sent from this page, until its answer is in. */
interface Sent {
  form: HTMLFormElement;
  /** The button that sent it (Enter in a field "presses" the form's first submit button). */
  submitter: HTMLElement | null;
  /** The submitter as it looked when pressed (its label may change while busy), to find it again if re-rendered. */
  submitterKey: string | null;
  /** What had the focus when the form was sent (the button, or the field Enter was pressed in). */
  focused: Element | null;
  pathname: string;
  at: number;
  /** A navigation or fetcher has been busy since: the next idle moment is this submission's answer. */
  settling: boolean;
}

const CONTROLS = "input:not([type=hidden]), select, textarea";

function canFocus(el: Element | null): el is HTMLElement {
  return (
    el instanceof HTMLElement && el.isConnected && !el.matches(":disabled") && el.getClientRects().length > 0 // shown
  );
}

function buttonKey(el: Element): string {
  return [el.tagName, el.getAttribute("name"), el.getAttribute("value"), el.getAttribute("aria-label")]
    .concat(el.textContent?.trim() ?? "")
    .join("|");
}

/** The first control in error: marked aria-invalid, or in a group in error (.field--error: radio buttons, check
 * boxes). Of a group of radio buttons, the checked one. */
export function firstInvalidControl(scope: ParentNode): HTMLElement | null {
  for (const el of scope.querySelectorAll(`[aria-invalid="true"], .field--error :is(${CONTROLS})`)) {
    if (!canFocus(el)) continue;
    if (el instanceof HTMLInputElement && el.type === "radio" && !el.checked) {
      const group = el.closest("fieldset") ?? scope;
      const checked = [...group.querySelectorAll<HTMLInputElement>("input[type=radio]")].find(
        (r) => r.name === el.name && r.checked,
      );
      if (canFocus(checked ?? null)) return checked!;
    }
    return el;
  }
  return null;
}

function focusOn(el: HTMLElement) {
  // A message or a heading takes the focus only from a script (tabindex -1): it is not a stop for the Tab key.
  if (!el.matches("a[href], button, input, select, textarea, summary, [tabindex]")) el.setAttribute("tabindex", "-1");
  el.focus();
}

/**
 * Once the answer to a form is in, on the same page: the focus goes to the first field in error, or stays on (or
 * returns to) the button that sent the form, or, when the form or its button is gone, to the message the answer
 * brought (a status or an alert), else to the page's heading. It is moved only from where the submission left it (the
 * button, the field Enter was pressed in, or <body> where a removed element dropped it): a page that put the focus
 * somewhere itself (the login form's cleared password, /verify's verdict) keeps it. An answer that leads to another
 * page is left to AppShell's move to that page's heading.
 */
function placeFocus(sent: Sent) {
  const main = document.getElementById("main");
  if (!main) return;
  const active = document.activeElement;
  const dropped = !active || active === document.body || !active.isConnected;
  if (!dropped && active !== sent.focused && active !== sent.submitter) return; // the page chose
  const invalid = firstInvalidControl(sent.form.isConnected ? sent.form : main);
  if (invalid) {
    if (invalid !== active) invalid.focus();
    return;
  }
  if (!dropped) return; // still on the button or in the field: where the user left it
  if (canFocus(sent.submitter)) return sent.submitter.focus();
  // A form keyed by what it edits is a new element after a save: the same button in it.
  const again = sent.submitterKey
    ? [...main.querySelectorAll("button, input[type=submit]")].find((b) => buttonKey(b) === sent.submitterKey)
    : undefined;
  if (again && canFocus(again)) return again.focus();
  const message = [...main.querySelectorAll("[role=alert], [role=status]")].find(
    (m) => m.textContent?.trim() && m.getClientRects().length > 0,
  );
  const target = message ?? main.querySelector("h1");
  if (target instanceof HTMLElement) focusOn(target);
}

/**
 * Keeps the keyboard's place across a form submission handled by Remix (see placeFocus), and refuses a second
 * submission from a button that says it is busy (SubmitButton's aria-disabled; Ctrl+Enter's requestSubmit does not
 * click it).
 */
export function useFocusAfterSubmission() {
  const navigation = useNavigation();
  const fetchers = useFetchers();
  const busy = navigation.state !== "idle" || fetchers.some((f) => f.state !== "idle");
  const busyNow = useRef(busy);
  busyNow.current = busy;
  const sent = useRef<Sent | null>(null);

  useEffect(() => {
    const onSubmit = (event: SubmitEvent) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement)) return;
      const submitter = event.submitter instanceof HTMLElement ? event.submitter : null;
      if (submitter?.getAttribute("aria-disabled") === "true") {
        event.preventDefault();
        event.stopPropagation();
        return;
      }
      sent.current = {
        form,
        submitter,
        submitterKey: submitter ? buttonKey(submitter) : null,
        focused: document.activeElement,
        pathname: window.location.pathname,
        at: Date.now(),
        // Sent while something else is under way: its end is this one's too.
        settling: busyNow.current,
      };
    };
    // On window, in the capture phase: before React's and Remix's own handlers (on the document).
    window.addEventListener("submit", onSubmit, true);
    return () => window.removeEventListener("submit", onSubmit, true);
  }, []);

  useEffect(() => {
    const s = sent.current;
    if (!s) return;
    if (busy) {
      // Busy soon after the submission: its own request (a form a script sends otherwise, such as the evidence
      // uploader's, leaves Remix idle).
      if (Date.now() - s.at < 2_000) s.settling = true;
      return;
    }
    if (!s.settling) return;
    sent.current = null;
    if (window.location.pathname !== s.pathname) return; // another page: its heading takes the focus
    placeFocus(s);
  }, [busy]);
}

/**
 * Puts the focus on the element with this id when `what` (an answer the page shows there) arrives or changes, after
 * the page's first render (a full page load starts at the top, as the browser does): a result that appears elsewhere
 * than where the user is (above the form that asked for it) is announced and is where the keyboard continues.
 */
export function useFocusWhenItArrives(what: unknown, id: string) {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const el = what ? document.getElementById(id) : null;
    if (el) focusOn(el);
  }, [what, id]);
}
