// The policies page counts how the watched seals stand against each policy: only the seals the
// watchlist follows now. A product watched by GTIN is judged by its current seal alone; when that
// seal is suspended and the watch falls back to an older one, the newer seal's last result ("meets")
// stays recorded (it continues the line of results) but is no longer counted. On the demo data: the
// buyer's "Children's wearables" policy; Gator Kids Watch 3 (GTIN 5060123450002) has one seal,
// firmware 3.1.0, and a submitted 3.2.0 submission approved below.
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoData } from "../../support/demo-seed";
import { changeSealStatus } from "../../../app/features/trust/seal-status.server";
import { watchGtinInput } from "../../../app/features/retail/forms";
import { listPolicies } from "../../../app/features/retail/policies.server";
import { watchByGtin, watchlistView } from "../../../app/features/retail/watchlist.server";
import { asha, buyer } from "../../support/actors";
import { approveDemoWatchSubmission } from "../../support/submissions";

const GATOR3 = "5060123450002";

/** How many watched seals the demo policy counts, meeting it and missing it. */
const counted = () => {
  const p = listPolicies(buyer()).find((x) => x.name === "Children's wearables")!;
  return p.watched;
};
/** The same, from the watchlist's own rows (one per followed seal), for the policy's category. */
const followed = async () => {
  const rows = (await watchlistView(buyer())).rows.filter((r) => r.policies?.length);
  return {
    meets: rows.filter((r) => r.policies!.every((p) => p.meets)).length,
    misses: rows.filter((r) => r.policies!.some((p) => !p.meets)).length,
  };
};

beforeAll(async () => {
  await seedDemoData();
  // The demo buyer watches Gator Kids Watch 3 by serial (the demo seed); from now on by its GTIN.
  expect(watchByGtin(buyer(), watchGtinInput.parse({ gtin: GATOR3, label: "" })).outcome).toBe("by_gtin");
});

describe("a product watched by GTIN counts its current seal only", () => {
  it("before a second seal: the counts are the watchlist's", async () => {
    expect(counted()).toEqual(await followed());
  });

  it("a newer seal certified: it is the current one, and the older seal's result is no longer counted", async () => {
    const before = counted();
    await approveDemoWatchSubmission(); // firmware 3.2.0: valid, the current seal
    expect(counted()).toEqual(await followed());
    expect(counted().meets + counted().misses).toBe(before.meets + before.misses);
  });

  it("the current seal suspended: the watch falls back to the older seal, and the newer one's stale 'meets' is not counted", async () => {
    const before = counted();
    const [row] = (await watchlistView(buyer())).rows.filter((r) => r.name === "Gator Kids Watch 3");
    changeSealStatus(asha(), { serial: row.seal!.serial, action: "suspend", reason: "Checked after a report." });
    const [now] = (await watchlistView(buyer())).rows.filter((r) => r.name === "Gator Kids Watch 3");
    expect(now.seal!.serial).not.toBe(row.seal!.serial); // the older seal, valid
    expect(now.status).toBe("valid");
    expect(counted()).toEqual(await followed());
    expect(counted().meets + counted().misses).toBe(before.meets + before.misses);
  });
});
