/**
 * The bell in the header: a link to the user's notifications with the unread count. Its
 * accessible name says the count ("Notifications, 3 unread"); the badge is decoration.
 */
import { Link } from "@remix-run/react";

export function bellLabel(unread: number): string {
  return unread ? `Notifications, ${unread} unread` : "Notifications, none unread";
}

export function NotificationBell({ unread }: { unread: number }) {
  return (
    <Link to="/notifications" className="bell" aria-label={bellLabel(unread)} data-testid="notification-bell">
      <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
        <path
          d="M12 3a6 6 0 0 0-6 6v3.6L4.3 15.5A1 1 0 0 0 5.2 17h13.6a1 1 0 0 0 .9-1.5L18 12.6V9a6 6 0 0 0-6-6zm-2.5 15.5a2.5 2.5 0 0 0 5 0z"
          fill="currentColor"
        />
      </svg>
      {unread ? (
        <span className="bell__count" aria-hidden="true">
          {unread > 99 ? "99+" : unread}
        </span>
      ) : null}
    </Link>
  );
}
