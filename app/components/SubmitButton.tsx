import type { ButtonHTMLAttributes, MouseEvent } from "react";

/**
 * A form's submit button. While its form is being sent (`busy`) it refuses a second press, and says so
 * (aria-disabled), but it is not `disabled`: a disabled button loses the focus, which falls to <body>, and a
 * keyboard or screen reader user is thrown back to the top of the page after every submission (WCAG 2.4.3).
 * `disabled` is for a button that cannot be used at all (a submission that is not ready), not for one in flight.
 * Where the focus goes once the answer is in (the first field in error, or back here) is AppShell's
 * useFocusAfterSubmission. Without JavaScript `busy` is never true: the browser posts the form.
 */
export function SubmitButton({
  busy = false,
  className = "button",
  onClick,
  children,
  ...button
}: Omit<ButtonHTMLAttributes<HTMLButtonElement>, "type"> & { busy?: boolean }) {
  return (
    <button
      {...button}
      type="submit"
      className={className}
      aria-disabled={busy || button["aria-disabled"] || undefined}
      onClick={(event: MouseEvent<HTMLButtonElement>) => {
        // Enter in a text field "clicks" the form's first submit button too: refused here as well.
        if (busy) event.preventDefault();
        else onClick?.(event);
      }}
    >
      {children}
    </button>
  );
}
