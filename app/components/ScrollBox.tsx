import type { ReactNode } from "react";

/**
 * A box for a table that may be wider than the screen: it scrolls sideways, and the keyboard can scroll it too (it
 * takes the focus, named by `label`; WCAG 2.1.1, axe's scrollable-region-focusable). A table with links or buttons in
 * every row is reached through them; this is for one without.
 */
export function ScrollBox({ label, children, className }: { label: string; children: ReactNode; className?: string }) {
  return (
    <div className={className ? `table-wrap ${className}` : "table-wrap"} tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}
