import { Link } from "@remix-run/react";
import type { UpdateRequired as UpdateRequiredFacts } from "../features/findings/domain/update-required";

/**
 * "Valid, update required", shown next to a seal's verdict (public page, /verify, the watchlist,
 * bulk results): a public advisory affects the certified firmware and the certification body's
 * assessor verified its fix in another version. The verdict itself is unchanged
 * (docs/decisions/015-update-required.md). The fixed firmware is called certified only when it has
 * a valid seal of its own (`update.fixedInSeal`, linked); a verified fix is not a sealed firmware.
 * `firmware`: the certified firmware, when the view knows it. `compact`: one line, for tables.
 */
export function UpdateRequired({
  update,
  firmware,
  verdict,
  compact = false,
}: {
  update: UpdateRequiredFacts | null | undefined;
  firmware?: string;
  /** The seal's verdict: a valid seal's note says what "valid" means here. */
  verdict?: string;
  compact?: boolean;
}) {
  if (!update) return null;
  const ids = update.advisories.join(", ");
  // A revoked or expired seal stays so whatever is installed: the update still fixes the device, it restores no seal.
  const final = verdict === "revoked" || verdict === "expired";
  if (compact)
    return (
      <span className="update-required update-required--compact" data-testid="update-required">
        <strong>{final ? "Security update:" : "Update required:"}</strong> install firmware {update.fixedIn} ({ids})
        {final ? `; the seal stays ${verdict}` : ""}
      </span>
    );
  return (
    <div className="update-required" role="note" data-testid="update-required">
      <p>
        <strong>
          {final ? "Security update" : "Update required"}: install firmware {update.fixedIn}.
        </strong>{" "}
        {firmware ? `The certified firmware ${firmware} is` : "The certified firmware is"} affected by{" "}
        {update.advisories.length === 1 ? "a public security advisory" : "public security advisories"} ({ids}); the
        certification body&apos;s assessor verified the fix in {update.fixedIn}.{" "}
        {update.fixedInSeal ? (
          <span data-testid="update-certified">
            Firmware {update.fixedIn} is certified too: seal{" "}
            <Link to={`/s/${update.fixedInSeal}`}>{update.fixedInSeal}</Link>.
          </span>
        ) : update.fixedInSeal === null ? (
          <span data-testid="update-not-certified">
            Firmware {update.fixedIn} itself has no seal: it has not been certified.
          </span>
        ) : null}
      </p>
      {final ? (
        <p className="small">
          The update fixes the device, but it does not restore this seal: it is {verdict}, whatever firmware is
          installed.
        </p>
      ) : null}
      {verdict === "valid" ? (
        <p className="small">
          The seal is valid for {firmware ? `firmware ${firmware}` : "the certified firmware"}, which has a known
          security problem that {update.fixedIn} fixes. Shops: install {update.fixedIn} before selling it. Owners:
          install the maker&apos;s update.
        </p>
      ) : null}
    </div>
  );
}
