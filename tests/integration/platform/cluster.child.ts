// A process of cluster.test.ts, run with `node --import tsx` (one process: a kill -9 reaches it).
// CHILD_MODE=lease: runs a worker under the lease "worker:drill" (LEASE_TTL_MS) with the real
// lease service; the worker prints "TICK <pid> <epoch ms>" every 25 ms while its tick may run.
// CHILD_MODE=limits: at GO_AT (epoch ms) counts HITS requests against one token bucket and one
// sliding window, all at the fixed time LIMIT_NOW (no refill), and prints what was allowed.
import { db } from "../../../app/platform/db.server";
import { runUnderLease } from "../../../app/platform/leases.server";
import { hitSlidingWindow, hitTokenBucket } from "../../../app/platform/rate-limit-store.server";

const mode = process.env.CHILD_MODE;
db(); // migrated already by the test (as the cluster's primary does before forking)

if (mode === "lease") {
  let timer: NodeJS.Timeout | undefined;
  runUnderLease(
    "worker:drill",
    {
      start(holds) {
        console.log(`START ${process.pid} ${Date.now()}`);
        timer = setInterval(() => {
          if (holds()) console.log(`TICK ${process.pid} ${Date.now()}`);
        }, 25);
      },
      stop() {
        clearInterval(timer);
        console.log(`STOP ${process.pid} ${Date.now()}`);
      },
    },
    { ttlMs: Number(process.env.LEASE_TTL_MS), log: (line) => console.log(`LOG ${process.pid} ${line}`) },
  );
  console.log(`READY ${process.pid}`);
  setInterval(() => {}, 1 << 30); // stays up until killed
} else if (mode === "limits") {
  const hits = Number(process.env.HITS);
  const now = Number(process.env.LIMIT_NOW);
  const perMinute = Number(process.env.PER_MINUTE);
  while (Date.now() < Number(process.env.GO_AT)) {
    // both processes start counting at the same instant
  }
  let bucket = 0;
  let window = 0;
  for (let i = 0; i < hits; i++) {
    if (hitTokenBucket("api:203.0.113.7", perMinute, now).allowed) bucket++;
    if (hitSlidingWindow("login:203.0.113.7", perMinute, 60_000, now).allowed) window++;
  }
  console.log(JSON.stringify({ pid: process.pid, bucket, window }));
} else {
  throw new Error(`CHILD_MODE must be lease or limits, not ${mode}`);
}
